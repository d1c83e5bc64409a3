"""The demo's forms: the free roof scan, and the youth workshop with an age check and a newsletter consent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.consent.models import ConsentText, Purpose
from landform.consent.services import new_purpose
from landform.forms.builder.services import default_fields, new_form, publish
from landform.forms.models import Form

FORM_NAME = "Gratis dakscan"
AGE_FORM_NAME = "Workshop zonneladers bouwen (12-18 jaar)"


def form_fields() -> list[dict[str, Any]]:
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


def ensure_form(session: Session) -> tuple[Form, bool]:
    form = session.execute(select(Form).where(Form.name == FORM_NAME)).scalar_one_or_none()
    if form is not None:
        # A demo seeded before visitors got a confirmation gets it too.
        form.confirmation_email = True
        return form, False
    form = new_form(FORM_NAME)
    form.fields = form_fields()
    # The visitor gets a copy of what they sent; the owner of the lead an e-mail at once (their default).
    form.confirmation_email = True
    form.submit_label = {"nl": "Vraag mijn gratis dakscan aan", "en": "Get my free roof scan"}
    form.thank_you = {
        "nl": "Bedankt! We bekijken je dak en bellen je binnen twee werkdagen.",
        "en": "Thank you! We will study your roof and call you within two working days.",
    }
    session.add(form)
    session.flush()
    publish(session, form)
    return form, True


NEWSLETTER = {
    "name_nl": "Nieuwsbrief",
    "name_en": "Newsletter",
    "text_nl": "Ja, stuur mij maandelijks de nieuwsbrief met energietips en nieuwe workshops.",
    "text_en": "Yes, send me the monthly newsletter with energy tips and new workshops.",
}


def ensure_newsletter(session: Session) -> tuple[Purpose, ConsentText]:
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


def age_form_fields(purpose: Purpose, text: ConsentText) -> list[dict[str, Any]]:
    fields = form_fields()
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


def ensure_age_form(session: Session) -> Form:
    form = session.execute(select(Form).where(Form.name == AGE_FORM_NAME)).scalar_one_or_none()
    if form is not None:
        return form
    purpose, text = ensure_newsletter(session)
    form = new_form(AGE_FORM_NAME)
    form.fields = age_form_fields(purpose, text)
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
