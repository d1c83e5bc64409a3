"""A real SMTP server (aiosmtpd) for the privacy tests, and helpers to read what it received."""

from __future__ import annotations

import email
import re

from sqlalchemy import JSON, String, Text, select

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
