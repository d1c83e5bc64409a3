"""A real SMTP server (aiosmtpd) for the privacy tests, and helpers to read what it received."""

from __future__ import annotations

import email
import re
from datetime import datetime

from sqlalchemy import JSON, String, Text, select

from landform.crm_sink.models import Activity, Contact, Submission
from landform.models import metadata


def text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def link_in(message: email.message.EmailMessage, path: str) -> str:
    match = re.search(r"http://testserver\.local(" + re.escape(path) + r"[^\s]*)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


def code_in(message: email.message.EmailMessage) -> str:
    match = re.search(r"\b(\d{6})\b", text_of(message))
    assert match, text_of(message)
    return match.group(1)


def rows_mentioning(db, *needles: str) -> list[str]:
    """Every row of every table whose text or JSON columns mention one of these (case-insensitive)."""
    db.expire_all()
    found = []
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in db.execute(select(*columns)).all():
            text = str(tuple(row)).casefold()
            found += [f"{table.name}: {row}" for needle in needles if needle.casefold() in text]
    return found


def make_lead(db, owner, form, email: str, at: datetime) -> Contact:
    """A routed lead as the worker leaves it (contact, submission, timeline), dated `at`."""
    contact = Contact(
        tenant_id=owner.tenant_id,
        email=email,
        email_key=email,
        first_name="Karel",
        last_name="Klant",
        created_at=at,
        last_activity_at=at,
    )
    db.add(contact)
    db.flush()
    submission = Submission(
        tenant_id=owner.tenant_id,
        form_id=form.id,
        data={"email": email, "first_name": "Karel"},
        contact_fields={"email": email},
        contact_id=contact.id,
        created_at=at,
        routed_at=at,
    )
    db.add(submission)
    db.flush()
    db.add(
        Activity(
            tenant_id=owner.tenant_id,
            contact_id=contact.id,
            kind="form_submitted",
            submission_id=submission.id,
            occurred_at=at,
            details={"form_name": form.name},
        )
    )
    db.commit()
    return contact
