"""What the consent tests share: a purpose, a form with a consent box linked to it, a submission."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.consent.models import ConsentText, Purpose
from landform.core.db import scope_to_tenant
from landform.crm_sink.models import Contact
from landform.forms.models import Form
from tests.conftest import Persona, form_token, make_form, republish

NEWSLETTER_NL = "Ja, stuur mij de nieuwsbrief met tips over zonne-energie."
NEWSLETTER_EN = "Yes, send me the newsletter with solar energy tips."


def make_purpose(db: Session, persona: Persona) -> tuple[Purpose, ConsentText]:
    scope_to_tenant(db, persona.tenant_id)
    purpose = Purpose(tenant_id=persona.tenant_id, name={"nl": "Nieuwsbrief", "en": "Newsletter"})
    db.add(purpose)
    db.flush()
    text = ConsentText(
        tenant_id=persona.tenant_id,
        purpose_id=purpose.id,
        version=1,
        text={"nl": NEWSLETTER_NL, "en": NEWSLETTER_EN},
    )
    db.add(text)
    db.commit()
    return purpose, text


def consent_form(db: Session, persona: Persona, purpose: Purpose, text: ConsentText, **settings: Any) -> Form:
    form = make_form(db, persona)
    form.fields = [
        *form.fields,
        {
            "name": "newsletter",
            "type": "consent",
            "required": False,
            "label": dict(text.text),
            "purpose_id": str(purpose.id),
            "consent_text_id": str(text.id),
        },
    ]
    for name, value in settings.items():
        setattr(form, name, value)
    republish(db, form)
    return form


def submit(client: Any, form: Form, answers: dict[str, Any], **headers: str) -> Any:
    token = form_token(client, f"/f/{form.key}")
    return client.post(f"/f/{form.key}", json={**answers, "_lf_token": token}, headers=headers)


def contact_by_email(db: Session, email: str) -> Contact | None:
    db.expire_all()
    return db.execute(
        select(Contact).where(Contact.email_key == email.casefold()).execution_options(all_tenants=True)
    ).scalar_one_or_none()
