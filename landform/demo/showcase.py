"""The demo's showcase: a published page whose form has steps, a field shown by a rule, a rating and piping.

A quote request for a home battery in three steps. "Company name" appears only for a business; the
second step's title greets the visitor by the first name they gave. The last step takes an
optional photo of the meter cupboard: a file field (issue 16.3).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.forms.builder.services import new_form, publish
from landform.forms.models import Form
from landform.site import services as site_services
from landform.site.models import Page

SHOWCASE_FORM_NAME = "Offerte thuisbatterij"
SHOWCASE_PAGE_SLUG = "thuisbatterij"


def _t(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


def showcase_fields() -> list[dict[str, Any]]:
    business = {"match": "all", "rules": [{"field": "for_whom", "op": "equals", "value": "business"}]}
    return [
        {"name": "you", "type": "step", "label": _t("Over jou", "About you")},
        {
            "name": "first_name",
            "type": "text",
            "maps_to": "first_name",
            "required": True,
            "label": _t("Voornaam", "First name"),
        },
        {
            "name": "for_whom",
            "type": "radio",
            "required": True,
            "label": _t("Voor wie is de batterij?", "Who is the battery for?"),
            "options": [
                {"value": "home", "label": _t("Voor mijn huis", "For my home")},
                {"value": "business", "label": _t("Voor mijn bedrijf", "For my business")},
            ],
        },
        {
            "name": "company_name",
            "type": "company_name",
            "required": True,
            "show_if": business,
            "label": _t("Bedrijfsnaam", "Company name"),
        },
        {
            "name": "home",
            "type": "step",
            "label": _t("Je situatie, {first_name}", "Your situation, {first_name}"),
        },
        {
            "name": "has_panels",
            "type": "radio",
            "required": True,
            "label": _t("Heb je al zonnepanelen?", "Do you have solar panels already?"),
            "options": [
                {"value": "yes", "label": _t("Ja", "Yes")},
                {"value": "no", "label": _t("Nee", "No")},
            ],
        },
        {
            "name": "panel_count",
            "type": "number",
            "required": False,
            "show_if": {"match": "all", "rules": [{"field": "has_panels", "op": "equals", "value": "yes"}]},
            "label": _t("Hoeveel panelen?", "How many panels?"),
        },
        {
            "name": "interest",
            "type": "rating",
            "required": False,
            "label": _t("Hoe graag wil je stroom opslaan?", "How keen are you to store power?"),
        },
        {"name": "contact", "type": "step", "label": _t("Hoe bereiken we je?", "How do we reach you?")},
        {"name": "email", "type": "email", "required": True, "label": _t("E-mailadres", "E-mail address")},
        {"name": "phone", "type": "phone", "required": False, "label": _t("Telefoonnummer", "Phone number")},
        {
            "name": "meter_photo",
            "type": "file",
            "required": False,
            "accept": ["image", "pdf"],
            "max_mb": "5",
            "max_files": "2",
            "label": _t("Foto van je meterkast", "Photo of your meter cupboard"),
            "help": _t(
                "Zo zien we meteen of de batterij past. Een foto of pdf, hoeft niet.",
                "It shows us at once whether the battery fits. A photo or PDF, not required.",
            ),
        },
    ]


def ensure_showcase(session: Session) -> tuple[Form, Page]:
    """The showcase form and its page, published; found as they are on a second run."""
    form = session.execute(select(Form).where(Form.name == SHOWCASE_FORM_NAME)).scalar_one_or_none()
    if form is None:
        form = new_form(SHOWCASE_FORM_NAME)
        form.fields = showcase_fields()
        form.submit_label = _t("Vraag mijn offerte aan", "Request my quote")
        form.thank_you = _t(
            "Bedankt! Binnen twee werkdagen heb je je offerte.",
            "Thank you! You will have your quote within two working days.",
        )
        session.add(form)
        session.flush()
        publish(session, form)
    page = session.execute(select(Page).where(Page.slug == SHOWCASE_PAGE_SLUG)).scalar_one_or_none()
    if page is None:
        content = {
            "nl": {
                "title": "Thuisbatterij | Zonnedak Utrecht",
                "headline": "Sla je eigen stroom op",
                "subheadline": "Vraag in drie korte stappen een offerte aan voor een thuisbatterij.",
                "body": "Een batterij bewaart de stroom van je panelen voor de avond.",
            },
            "en": {
                "title": "Home battery | Zonnedak Utrecht",
                "headline": "Store your own power",
                "subheadline": "Request a quote for a home battery in three short steps.",
                "body": "A battery keeps your panels' power for the evening.",
            },
        }
        page = Page(slug=SHOWCASE_PAGE_SLUG, content=content, form_id=form.id)
        site_services.set_blocks(page, site_services.blocks_from_content(content, form.id))
        session.add(page)
        session.flush()
    if page.published_at is None:
        site_services.publish_sync(session, page)
    return form, page
