"""`landform demo`: the demo tenant, a solar-panel installer with a bilingual landing page, a form and leads.

Idempotent: a second run finds everything in place and prints the same object. Names are invented.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import ApiKey, Role, Tenant, User
from landform.analytics.models import FORM, PAGE, TrafficDay
from landform.billing.plans import BUSINESS
from landform.billing.services import subscription_row
from landform.consent.models import ConsentText, Purpose
from landform.consent.services import new_purpose
from landform.core import security
from landform.core.db import scope_to_tenant, sync_session, utcnow
from landform.core.settings import Settings
from landform.crm_sink.models import Company, Submission
from landform.crm_sink.routing_models import Department, DepartmentMember, RoutingRule, RoutingSettings
from landform.crm_sink.services import route_submission
from landform.forms.builder.services import default_fields, new_form, publish
from landform.forms.models import Form
from landform.site import services as site_services
from landform.site.models import Page
from landform.site.services import publish_sync as publish_page
from landform.site.services import set_blocks

TENANT_SLUG = "demo"
LOGIN_EMAIL = "demo@landform.example.com"
LOGIN_PASSWORD = "zonnig-demo-2026"  # noqa: S105  (printed on purpose: it is the demo)
FORM_NAME = "Gratis dakscan"

PAGE_SEO = {
    "nl": {
        "title": "Gratis dakscan | Zonnedak Utrecht",
        "seo_description": "Vraag een gratis dakscan aan en ontdek binnen twee werkdagen wat zonnepanelen "
        "jouw huis opleveren.",
    },
    "en": {
        "title": "Free roof scan | Zonnedak Utrecht",
        "seo_description": "Ask for a free roof scan and find out within two working days what solar "
        "panels would do for your home.",
    },
}


def _page_blocks(form_id: str) -> list[dict[str, Any]]:
    """The demo page: a promise with the form beside it, then the reasons, the steps, proof and answers."""

    def block(
        n: int, kind: str, data: dict[str, Any], nl: dict[str, str], en: dict[str, str]
    ) -> dict[str, Any]:
        return {"id": f"demo{n:02d}", "type": kind, "data": data, "text": {"nl": nl, "en": en}}

    return [
        block(
            1,
            "hero",
            {"button_link": "#form"},
            {
                "heading": "Wat levert zonnestroom jouw dak op?",
                "subheading": "Vraag een gratis dakscan aan. Binnen twee werkdagen weet je hoeveel panelen "
                "passen, wat ze kosten en wat je per jaar bespaart.",
                "button_text": "",
            },
            {
                "heading": "What could solar power do for your roof?",
                "subheading": "Ask for a free roof scan. Within two working days you will know how many "
                "panels fit, what they cost and what you save each year.",
                "button_text": "",
            },
        ),
        block(2, "form", {"form_id": form_id}, {"heading": "Gratis dakscan"}, {"heading": "Free roof scan"}),
        block(
            3,
            "features",
            {},
            {
                "heading": "Waarom 2.400 huishoudens voor ons kozen",
                "items": "Eigen monteurs: Geen onderaannemers; wij leggen elk paneel zelf.\n"
                "Vaste prijs: Wat in het voorstel staat, betaal je. Geen verrassingen.\n"
                "Tien jaar garantie: Op panelen, omvormer én het werk op je dak.\n"
                "Binnen twee werkdagen: Een voorstel op maat, zonder verplichtingen.",
            },
            {
                "heading": "Why 2,400 households chose us",
                "items": "Our own installers: No subcontractors; we fit every panel ourselves.\n"
                "A fixed price: What the proposal says is what you pay. No surprises.\n"
                "Ten-year guarantee: On panels, inverter and the work on your roof.\n"
                "Within two working days: A tailored proposal, with no obligation.",
            },
        ),
        block(
            4,
            "text",
            {},
            {
                "markdown": "## Zo werkt het\n\n"
                "1. **Je vult het formulier in.** Het kost je een minuut.\n"
                "2. **Wij bekijken je dak** op luchtfoto's en bellen je voor een paar vragen.\n"
                "3. **Je krijgt een voorstel op maat**, zonder verplichtingen."
            },
            {
                "markdown": "## How it works\n\n"
                "1. **You fill in the form.** It takes a minute.\n"
                "2. **We study your roof** on aerial photos and call you with a few questions.\n"
                "3. **You get a tailored proposal**, with no obligation."
            },
        ),
        block(
            5,
            "testimonial",
            {"name": "Familie De Wit", "consented": True},
            {
                "quote": "Binnen een week lagen de panelen erop. Onze energierekening is gehalveerd.",
                "role": "Houten",
            },
            {"quote": "The panels were on within a week. Our energy bill halved.", "role": "Houten"},
        ),
        block(
            6,
            "faq",
            {},
            {
                "heading": "Veelgestelde vragen",
                "items": "Kost de dakscan echt niets?\nJa. De scan en het voorstel zijn gratis en je zit "
                "nergens aan vast.\n\n"
                "Is mijn dak geschikt?\nDaken op het zuiden, oosten of westen zijn meestal geschikt. "
                "Dat zien we op de luchtfoto.\n\n"
                "Hoe snel liggen de panelen erop?\nMeestal binnen drie weken na je akkoord.",
            },
            {
                "heading": "Frequently asked questions",
                "items": "Is the roof scan really free?\nYes. The scan and the proposal are free and you are "
                "not committed to anything.\n\n"
                "Is my roof suitable?\nRoofs facing south, east or west usually are. We can tell from the "
                "aerial photo.\n\n"
                "How soon are the panels on?\nUsually within three weeks of your go-ahead.",
            },
        ),
        block(
            7,
            "cta",
            {"button_link": "#form"},
            {
                "heading": "Benieuwd wat jouw dak oplevert?",
                "text": "Vraag vandaag je gratis dakscan aan; binnen twee werkdagen weet je het.",
                "button_text": "Vraag mijn dakscan aan",
            },
            {
                "heading": "Curious what your roof could earn?",
                "text": "Ask for your free roof scan today; within two working days you will know.",
                "button_text": "Get my roof scan",
            },
        ),
        block(
            8,
            "footer",
            {"privacy_url": ""},
            {"text": "Zonnedak Utrecht · Installateur van zonnepanelen in de provincie Utrecht"},
            {"text": "Zonnedak Utrecht · Solar panel installer in the province of Utrecht"},
        ),
    ]


SAMPLE_LEADS = [
    {
        "first_name": "Sanne",
        "last_name": "Vermeulen",
        "email": "sanne.vermeulen@example.net",
        "phone": "+31612345678",
        "utm_source": "newsletter",
        "utm_campaign": "voorjaar",
    },
    {
        "first_name": "Joris",
        "last_name": "Bakker",
        "email": "joris@bakker-timmerwerk.example.com",
        "phone": "+31301234567",
        "utm_source": "google",
        "utm_campaign": "dakscan",
    },
    {
        "first_name": "Emma",
        "last_name": "Jansen",
        "email": "emma.jansen@example.org",
        "phone": "",
        "utm_source": "facebook",
        "utm_campaign": "voorjaar",
    },
]


def demo_api_key(settings: Settings) -> str:
    """The same demo key on every run (derived from the secret key), so seeding twice changes nothing."""
    digest = hmac.new(settings.security.secret_keys[0].encode(), b"landform-demo-api-key", hashlib.sha256)
    return "lf_demo_" + digest.hexdigest()[:40]


def _form_fields() -> list[dict[str, Any]]:
    """A new form's fields (first and last name, e-mail), with the last name required, and more."""
    fields = default_fields()
    next(f for f in fields if f["name"] == "last_name")["required"] = True
    return [
        *fields,
        {
            "name": "phone",
            "type": "phone",
            "required": False,
            "label": {
                "nl": "Telefoonnummer (voor het belafspraakje)",
                "en": "Phone number (so we can call you)",
            },
        },
        {
            "name": "tips",
            "type": "checkbox",
            "required": False,
            "label": {
                "nl": "Stuur mij af en toe tips over energie besparen",
                "en": "Send me the occasional energy-saving tip",
            },
        },
        {
            "name": "utm_source",
            "type": "hidden",
            "source": "utm_source",
            "label": {"nl": "utm_source", "en": "utm_source"},
        },
        {
            "name": "utm_campaign",
            "type": "hidden",
            "source": "utm_campaign",
            "label": {"nl": "utm_campaign", "en": "utm_campaign"},
        },
        {
            "name": "page_url",
            "type": "hidden",
            "source": "page_url",
            "label": {"nl": "page_url", "en": "page_url"},
        },
    ]


def _ensure_tenant(session: Session) -> Tenant:
    tenant = session.execute(select(Tenant).where(Tenant.slug == TENANT_SLUG)).scalar_one_or_none()
    if tenant is None:
        tenant = Tenant(slug=TENANT_SLUG, name="Zonnedak Utrecht", default_language="nl", country="NL")
        session.add(tenant)
        session.flush()
    scope_to_tenant(session, tenant.id)
    return tenant


def _ensure_owner(session: Session, tenant: Tenant) -> None:
    owner = session.execute(
        select(User).where(User.email == LOGIN_EMAIL).execution_options(all_tenants=True)
    ).scalar_one_or_none()
    if owner is None:
        session.add(
            User(
                tenant_id=tenant.id,
                email=LOGIN_EMAIL,
                password_hash=security.hash_password(LOGIN_PASSWORD),
                first_name="Noor",
                last_name="de Vries",
                gender="female",
                language="nl",
                timezone="Europe/Amsterdam",
                role=Role.OWNER,
                email_confirmed_at=utcnow(),
            )
        )
    elif not security.verify_password(owner.password_hash, LOGIN_PASSWORD):
        owner.password_hash = security.hash_password(LOGIN_PASSWORD)


# Two sales reps beside the owner, so lead routing, owners and the team screen have something to show.
SALES_REPS = (
    ("sem.visser@landform.example.com", "Sem", "Visser", "male"),
    ("lotte.smit@landform.example.com", "Lotte", "Smit", "female"),
)


def _ensure_sales_team(session: Session, tenant: Tenant, form: Form) -> None:
    """Departments, a rule and a fallback owner, as a small installer would set them up (once)."""
    if session.execute(select(Department.id).limit(1)).first() is not None:
        return
    reps = []
    for email, first_name, last_name, gender in SALES_REPS:
        rep = User(
            tenant_id=tenant.id,
            email=email,
            # No known password: the reps are there to receive leads; log in as the owner.
            password_hash=security.hash_password(secrets.token_urlsafe(24)),
            first_name=first_name,
            last_name=last_name,
            gender=gender,
            language="nl",
            timezone="Europe/Amsterdam",
            role=Role.SALES_REP,
            email_confirmed_at=utcnow(),
        )
        session.add(rep)
        reps.append(rep)
    homes = Department(name="Particulieren")
    business = Department(name="Zakelijk")
    session.add_all([homes, business])
    session.flush()
    session.add_all(
        [
            *(DepartmentMember(department_id=homes.id, user_id=rep.id, rank=1) for rep in reps),
            DepartmentMember(department_id=business.id, user_id=reps[1].id, rank=1),
            # Google's campaign brings in businesses; everything else from the roof scan form is a home.
            RoutingRule(position=0, department_id=business.id, utm_campaign="dakscan"),
            RoutingRule(position=1, department_id=homes.id, form_id=form.id),
        ]
    )
    owner = session.execute(select(User).where(User.role == Role.OWNER)).scalars().first()
    session.add(RoutingSettings(fallback_owner_id=owner.id if owner else None))
    session.add(
        Company(
            name="Bakker Timmerwerk",
            city="Utrecht",
            country="NL",
            website="https://bakker-timmerwerk.example.com",
            domain="bakker-timmerwerk.example.com",
            description="Timmerbedrijf met een plat dak van 400 m².",
        )
    )
    session.flush()


def _ensure_plan(session: Session, tenant: Tenant) -> None:
    """The demo is on Business, so every feature shows (and benchmarks are not held by a lead quota)."""
    row = subscription_row(session, tenant.id)
    if row.status == "none":
        row.plan, row.status = BUSINESS.code, "active"


def _ensure_form(session: Session) -> tuple[Form, bool]:
    form = session.execute(select(Form).where(Form.name == FORM_NAME)).scalar_one_or_none()
    if form is not None:
        return form, False
    form = new_form(FORM_NAME)
    form.fields = _form_fields()
    form.submit_label = {"nl": "Vraag mijn gratis dakscan aan", "en": "Get my free roof scan"}
    form.thank_you = {
        "nl": "Bedankt! We bekijken je dak en bellen je binnen twee werkdagen.",
        "en": "Thank you! We will study your roof and call you within two working days.",
    }
    session.add(form)
    session.flush()
    publish(session, form)
    return form, True


def _ensure_page(session: Session, form: Form) -> None:
    page = session.execute(select(Page).where(Page.slug == "welcome")).scalar_one_or_none()
    if page is None:
        page = Page(slug="welcome", content=PAGE_SEO, theme={})
        set_blocks(page, _page_blocks(str(form.id)))
        session.add(page)
        session.flush()
        publish_page(session, page)
    elif page.published_at is None:
        publish_page(session, page)


def _seed_leads(session: Session, tenant: Tenant, form: Form) -> None:
    start = utcnow() - timedelta(days=3)
    for n, lead in enumerate(SAMPLE_LEADS):
        contact = {k: v for k, v in lead.items() if k in {"first_name", "last_name", "email", "phone"} and v}
        submission = Submission(
            tenant_id=tenant.id,
            form_id=form.id,
            form_version=1,
            data=dict(lead),
            contact_fields=contact,
            context={
                "source": "page",
                "language": "nl",
                "form_name": form.name,
                "utm_source": lead["utm_source"],
                "utm_campaign": lead["utm_campaign"],
            },
        )
        submission.created_at = start + timedelta(hours=9 * n)
        session.add(submission)
        session.flush()
        route_submission(session, submission.id)


DEMO_CAMPAIGNS = (
    (("", "", ""), 40, 0.030),
    (("google", "cpc", "zonnepanelen-najaar"), 55, 0.045),
    (("nieuwsbrief", "email", "november"), 18, 0.090),
    (("facebook", "social", "buurtactie-houten"), 25, 0.020),
)


def _seed_traffic(session: Session, tenant: Tenant, form: Form) -> None:
    """A month of plausible counts for the welcome page, so the analytics screen has something to show."""
    page = session.execute(select(Page).where(Page.slug == "welcome")).scalar_one()
    rng = random.Random(2026)
    today = utcnow().date()
    for back in range(30, 0, -1):
        day = today - timedelta(days=back)
        weekday_factor = 0.6 if day.weekday() >= 5 else 1.0
        for (source, medium, campaign), base, rate in DEMO_CAMPAIGNS:
            views = int(base * weekday_factor * rng.uniform(0.6, 1.4))
            answered = sum(rng.random() < rate for _ in range(views))
            for kind, subject in ((PAGE, page.id), (FORM, form.id)):
                session.add(
                    TrafficDay(
                        tenant_id=tenant.id,
                        day=day,
                        kind=kind,
                        subject_id=subject,
                        source=source,
                        medium=medium,
                        campaign=campaign,
                        views=views,
                        submissions=answered,
                    )
                )


AGE_FORM_NAME = "Workshop zonneladers bouwen (12-18 jaar)"
AGE_PAGE_SLUG = "jongeren"
AGE_PAGE_CONTENT = {
    "nl": {
        "title": "Bouw je eigen zonnelader | Zonnedak Utrecht",
        "headline": "Bouw je eigen zonnelader",
        "subheadline": "Een gratis workshop voor jongeren van 12 tot 18 jaar: in één middag soldeer je een "
        "zonnepaneeltje aan een powerbank en neem je hem mee naar huis.",
        "body": (
            "## Wat ga je doen?\n\n"
            "- **Ontdekken** hoe een zonnecel licht omzet in stroom.\n"
            "- **Solderen** onder begeleiding van onze installateurs (veiligheidsbril krijg je van ons).\n"
            "- **Meten** hoeveel je telefoon oplaadt op een bewolkte dag.\n\n"
            "Elke woensdagmiddag in de schoolvakanties, van 13.00 tot 16.30 uur in onze werkplaats in "
            "Houten. Materiaal, limonade en stroopwafels zijn gratis.\n\n"
            "**Ben je jonger dan 16?** Dan vragen we eerst per e-mail toestemming aan je ouder of voogd. "
            "Pas als die ja zegt, schrijven we je in."
        ),
        "seo_description": "Gratis workshop voor jongeren: bouw in één middag je eigen zonnelader.",
    },
    "en": {
        "title": "Build your own solar charger | Zonnedak Utrecht",
        "headline": "Build your own solar charger",
        "subheadline": "A free workshop for young people aged 12 to 18: in one afternoon you solder a small "
        "solar panel to a power bank and take it home.",
        "body": (
            "## What will you do?\n\n"
            "- **Discover** how a solar cell turns light into electricity.\n"
            "- **Solder** with our installers beside you (we lend you safety glasses).\n"
            "- **Measure** how much your phone charges on a cloudy day.\n\n"
            "Every Wednesday afternoon in the school holidays, 1 to 4:30 pm in our workshop in Houten. "
            "Materials, lemonade and stroopwafels are free.\n\n"
            "**Younger than 16?** Then we first ask your parent or guardian for permission by e-mail. "
            "Only when they say yes do we sign you up."
        ),
        "seo_description": "A free workshop for young people: build your own solar charger in one afternoon.",
    },
}
NEWSLETTER = {
    "name_nl": "Nieuwsbrief",
    "name_en": "Newsletter",
    "text_nl": "Ja, stuur mij maandelijks de nieuwsbrief met energietips en nieuwe workshops.",
    "text_en": "Yes, send me the monthly newsletter with energy tips and new workshops.",
}


def _ensure_newsletter(session: Session) -> tuple[Purpose, ConsentText]:
    purpose = next(
        (p for p in session.execute(select(Purpose)).scalars() if p.name.get("nl") == NEWSLETTER["name_nl"]),
        None,
    )
    if purpose is None:
        purpose = new_purpose(session, NEWSLETTER)
        session.flush()
    text = session.execute(
        select(ConsentText).where(
            ConsentText.purpose_id == purpose.id, ConsentText.version == purpose.current_version
        )
    ).scalar_one()
    return purpose, text


def _age_form_fields(purpose: Purpose, text: ConsentText) -> list[dict[str, Any]]:
    fields = _form_fields()
    return [
        fields[0],
        fields[1],
        fields[2],
        {
            "name": "date_of_birth",
            "type": "date_of_birth",
            "required": True,
            "label": {"nl": "Geboortedatum", "en": "Date of birth"},
        },
        {
            "name": "workshop_day",
            "type": "select",
            "required": True,
            "label": {"nl": "Welke middag kom je?", "en": "Which afternoon will you come?"},
            "options": [
                {"value": "autumn", "label": {"nl": "Herfstvakantie", "en": "Autumn holiday"}},
                {"value": "christmas", "label": {"nl": "Kerstvakantie", "en": "Christmas holiday"}},
                {"value": "spring", "label": {"nl": "Voorjaarsvakantie", "en": "Spring holiday"}},
            ],
        },
        {
            "name": "newsletter",
            "type": "consent",
            "required": False,
            "label": dict(text.text),
            "purpose_id": str(purpose.id),
            "consent_text_id": str(text.id),
        },
        fields[-1],
    ]


def _ensure_age_form(session: Session) -> Form:
    form = session.execute(select(Form).where(Form.name == AGE_FORM_NAME)).scalar_one_or_none()
    if form is not None:
        return form
    purpose, text = _ensure_newsletter(session)
    form = new_form(AGE_FORM_NAME)
    form.fields = _age_form_fields(purpose, text)
    form.requires_age_check = True
    form.submit_label = {"nl": "Schrijf me in", "en": "Sign me up"}
    form.thank_you = {
        "nl": "Gelukt! Je krijgt een e-mail met de datum en het adres. Tot in de werkplaats!",
        "en": "Done! You will get an e-mail with the date and the address. See you in the workshop!",
    }
    session.add(form)
    session.flush()
    publish(session, form)
    return form


def _ensure_age_page(session: Session, form: Form) -> None:
    page = session.execute(select(Page).where(Page.slug == AGE_PAGE_SLUG)).scalar_one_or_none()
    if page is None:
        page = Page(slug=AGE_PAGE_SLUG, content=AGE_PAGE_CONTENT, form_id=form.id)
        site_services.set_blocks(page, site_services.blocks_from_content(AGE_PAGE_CONTENT, form.id))
        session.add(page)
        session.flush()
    if page.published_at is None:
        site_services.publish_sync(session, page)


def seed_demo(settings: Settings) -> dict[str, str]:
    with sync_session(settings.database.sync_url) as session:
        tenant = _ensure_tenant(session)
        _ensure_owner(session, tenant)
        _ensure_plan(session, tenant)
        form, created = _ensure_form(session)
        _ensure_page(session, form)
        if created:
            _ensure_sales_team(session, tenant, form)
            _seed_leads(session, tenant, form)
            _seed_traffic(session, tenant, form)
        age_form = _ensure_age_form(session)
        _ensure_age_page(session, age_form)
        secret = demo_api_key(settings)
        key_hash = security.hash_api_key(secret)
        if session.execute(select(ApiKey).where(ApiKey.key_hash == key_hash)).scalar_one_or_none() is None:
            session.add(ApiKey(name="Demo", prefix=secret[:10], key_hash=key_hash))
        session.commit()
        base = settings.server.base_url
        return {
            "tenant_slug": TENANT_SLUG,
            "page_url": f"{base}/p/{TENANT_SLUG}/welcome",
            "form_key": form.key,
            "api_key": secret,
            "login_email": LOGIN_EMAIL,
            "login_password": LOGIN_PASSWORD,
            "age_page_url": f"{base}/p/{TENANT_SLUG}/{AGE_PAGE_SLUG}",
            "age_form_key": age_form.key,
        }
