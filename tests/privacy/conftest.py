"""A real SMTP server (aiosmtpd) for the privacy tests, and helpers to read what it received."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from email import policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import JSON, String, Text, select

from landform.models import metadata
from landform.settings import get_settings
from tests.conftest import wait_for


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str, subject_part: str = "") -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address and subject_part in str(m["Subject"])]

    def wait(self, address: str, subject_part: str = "", count: int = 1) -> email.message.EmailMessage:
        return wait_for(
            lambda: len(self.to(address, subject_part)) >= count and self.to(address, subject_part)[-1]
        )


@pytest.fixture
def inbox(settings, monkeypatch) -> Iterator[Inbox]:
    """A real SMTP server on localhost; the app's in-process worker delivers to it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    monkeypatch.setenv("LANDFORM_SMTP_URL", f"smtp://127.0.0.1:{port}")
    get_settings.cache_clear()
    yield handler
    server.stop()


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
