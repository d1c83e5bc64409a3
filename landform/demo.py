"""`landform demo`: the demo tenant, a solar-panel installer with a bilingual landing page, a form and leads.

Idempotent: a second run finds everything in place and prints the same object. Names are invented.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform import security
from landform.accounts.models import ApiKey, Role, Tenant, User
from landform.crm_sink.models import Submission
from landform.crm_sink.services import route_submission
from landform.db import scope_to_tenant, sync_session, utcnow
from landform.forms.models import Form
from landform.forms.services import new_form, publish_sync
from landform.settings import Settings
from landform.site.models import Page

TENANT_SLUG = "demo"
LOGIN_EMAIL = "demo@landform.example.com"
LOGIN_PASSWORD = "zonnig-demo-2026"  # noqa: S105  (printed on purpose: it is the demo)
FORM_NAME = "Gratis dakscan"

PAGE_CONTENT = {
    "nl": {
        "title": "Gratis dakscan | Zonnedak Utrecht",
        "headline": "Wat levert zonnestroom jouw dak op?",
        "subheadline": "Vraag een gratis dakscan aan. Binnen twee werkdagen weet je hoeveel panelen passen, "
        "wat ze kosten en wat je per jaar bespaart.",
        "body": (
            "## Zo werkt het\n\n"
            "1. **Je vult het formulier in.** Het kost je een minuut.\n"
            "2. **Wij bekijken je dak** op luchtfoto's en bellen je voor een paar vragen.\n"
            "3. **Je krijgt een voorstel op maat**, zonder verplichtingen.\n\n"
            '> "Binnen een week lagen de panelen erop. Onze energierekening is gehalveerd."\n>\n'
            "> — Familie De Wit, Houten\n\n"
            "Al meer dan 2.400 daken in de provincie Utrecht gingen je voor."
        ),
        "seo_description": "Vraag een gratis dakscan aan en ontdek binnen twee werkdagen wat zonnepanelen "
        "jouw huis opleveren.",
    },
    "en": {
        "title": "Free roof scan | Zonnedak Utrecht",
        "headline": "What could solar power do for your roof?",
        "subheadline": "Ask for a free roof scan. Within two working days you will know how many panels fit, "
        "what they cost and what you save each year.",
        "body": (
            "## How it works\n\n"
            "1. **You fill in the form.** It takes a minute.\n"
            "2. **We study your roof** on aerial photos and call you with a few questions.\n"
            "3. **You get a tailored proposal**, with no obligation.\n\n"
            '> "The panels were on within a week. Our energy bill halved."\n>\n'
            "> — The De Wit family, Houten\n\n"
            "More than 2,400 roofs in the province of Utrecht went before you."
        ),
        "seo_description": "Ask for a free roof scan and find out within two working days what solar "
        "panels would do for your home.",
    },
}

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
    return [
        {
            "name": "first_name",
            "type": "text",
            "maps_to": "first_name",
            "required": True,
            "label": {"nl": "Voornaam", "en": "First name"},
        },
        {
            "name": "last_name",
            "type": "text",
            "maps_to": "last_name",
            "required": True,
            "label": {"nl": "Achternaam", "en": "Last name"},
        },
        {
            "name": "email",
            "type": "email",
            "required": True,
            "label": {"nl": "E-mailadres", "en": "E-mail address"},
        },
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
    publish_sync(session, form)
    return form, True


def _ensure_page(session: Session, form: Form) -> None:
    page = session.execute(select(Page).where(Page.slug == "welcome")).scalar_one_or_none()
    if page is None:
        page = Page(slug="welcome", content=PAGE_CONTENT, form_id=form.id, published_at=utcnow())
        session.add(page)
    elif page.published_at is None:
        page.published_at = utcnow()


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


def seed_demo(settings: Settings) -> dict[str, str]:
    with sync_session(settings.database.sync_url) as session:
        tenant = _ensure_tenant(session)
        _ensure_owner(session, tenant)
        form, created = _ensure_form(session)
        _ensure_page(session, form)
        if created:
            _seed_leads(session, tenant, form)
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
        }
