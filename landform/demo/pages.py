"""The demo's hosted pages: the bilingual landing page with the roof-scan form, and the youth workshop."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.forms.models import Form
from landform.site import services as site_services
from landform.site.models import Page
from landform.site.services import publish_sync as publish_page
from landform.site.services import set_blocks

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


def page_blocks(form_id: str) -> list[dict[str, Any]]:
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


def ensure_page(session: Session, form: Form) -> None:
    page = session.execute(select(Page).where(Page.slug == "welcome")).scalar_one_or_none()
    if page is None:
        page = Page(slug="welcome", content=PAGE_SEO, theme={})
        set_blocks(page, page_blocks(str(form.id)))
        session.add(page)
        session.flush()
        publish_page(session, page)
    elif page.published_at is None:
        publish_page(session, page)


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


def ensure_age_page(session: Session, form: Form) -> None:
    page = session.execute(select(Page).where(Page.slug == AGE_PAGE_SLUG)).scalar_one_or_none()
    if page is None:
        page = Page(slug=AGE_PAGE_SLUG, content=AGE_PAGE_CONTENT, form_id=form.id)
        site_services.set_blocks(page, site_services.blocks_from_content(AGE_PAGE_CONTENT, form.id))
        session.add(page)
        session.flush()
    if page.published_at is None:
        site_services.publish_sync(session, page)
