"""Contacts and companies arranged directly in the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from landform.core.db import utcnow
from landform.crm_sink.models import Company, Contact, ContactTag


def _arrange_for(db: Session, persona: Any) -> None:
    # The arranging session writes for whichever tenant the test needs next.
    db.info["tenant_id"] = persona.tenant_id
    db.info["rls_pending"] = True


def make_contact(
    db: Session, persona: Any, email: str, *, tags: tuple[str, ...] = (), **values: Any
) -> Contact:
    _arrange_for(db, persona)
    values.setdefault("last_activity_at", utcnow())
    contact = Contact(tenant_id=persona.tenant_id, email=email, email_key=email.casefold(), **values)
    db.add(contact)
    db.flush()
    for tag in tags:
        db.add(ContactTag(tenant_id=persona.tenant_id, contact_id=contact.id, tag=tag))
    db.commit()
    return contact


def make_many(db: Session, persona: Any, count: int) -> list[Contact]:
    _arrange_for(db, persona)
    start = utcnow()
    contacts = [
        Contact(
            tenant_id=persona.tenant_id,
            email=f"lead{i}@example.com",
            email_key=f"lead{i}@example.com",
            first_name=f"Lead{i}",
            # Some share a moment, some have none: the pages must still hold each contact once.
            last_activity_at=None if i % 17 == 0 else start - timedelta(seconds=i // 3),
        )
        for i in range(count)
    ]
    db.add_all(contacts)
    db.commit()
    return contacts


def make_company(db: Session, persona: Any, name: str, **values: Any) -> Company:
    _arrange_for(db, persona)
    company = Company(tenant_id=persona.tenant_id, name=name, **values)
    db.add(company)
    db.commit()
    return company
