"""Outgoing e-mail: written to the database in the caller's transaction, delivered by the worker.

With `LANDFORM_SMTP_URL` set, the worker delivers over SMTP; without it, a message's delivery
is to the local outbox, which `/_outbox` shows in the browser (development only).

Every message is automated (`Auto-Submitted: auto-generated`, RFC 3834: no out-of-office replies to it)
and carries `Date` and a `Message-ID` that stays the same when a delivery is tried again. An e-mail to a
tenant's contact also carries the one-click withdrawal as `List-Unsubscribe` with
`List-Unsubscribe-Post` (RFC 8058), which large mailbox providers require of mail to subscribers.
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, parseaddr
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import Boolean, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, Session, mapped_column

from landform.core import i18n, security
from landform.core.db import GUID, Base, DateTimeUTC, utcnow
from landform.core.jobs.models import PermanentJobError
from landform.core.jobs.registry import add_job, job
from landform.core.personal_data import anonymize
from landform.core.settings import get_settings
from landform.core.templating import render

# The signing purpose of the one-click withdrawal link in every e-mail to a contact (read in consent/).
WITHDRAW_PURPOSE = "consent-withdraw"


class EmailMessage(Base):
    """One e-mail to one recipient."""

    __tablename__ = "email_message"

    tenant_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("tenant.id", ondelete="CASCADE"), index=True, nullable=True
    )
    recipient: Mapped[str] = mapped_column(String(320), info={"personal": True})
    subject: Mapped[str] = mapped_column(String(300), info={"personal": True})
    body_text: Mapped[str] = mapped_column(Text, info={"personal": True})
    body_html: Mapped[str] = mapped_column(Text, info={"personal": True})
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    transport: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # An e-mail to a contact: its one-click withdrawal link, for the List-Unsubscribe header.
    list_unsubscribe: Mapped[str] = mapped_column(
        String(1000), default="", server_default="", info={"personal": True}
    )
    # The last e-mail to a person who asked to be forgotten: emptied as soon as it has gone out.
    forget_after_sending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


def queue_email(
    session: Session,
    *,
    to: str,
    template: str,
    language: str,
    tenant_id: UUID | None = None,
    contact_id: UUID | None = None,
    forget_after_sending: bool = False,
    **context: Any,
) -> EmailMessage:
    """Render `emails/{template}.txt` and `.html` in the recipient's language and queue them.

    An e-mail to a tenant's contact (`contact_id`) always carries a signed one-click link to withdraw
    consent: withdrawing must be as easy as giving (GDPR art. 7(3)).
    """
    previous = i18n.get_language()
    i18n.set_language(language)
    try:
        base_url = get_settings().server.base_url
        context = {"base_url": base_url, **context}
        if contact_id is not None:
            if tenant_id is None:
                raise ValueError("an e-mail to a contact needs the contact's tenant")
            token = security.sign(WITHDRAW_PURPOSE, [str(tenant_id), str(contact_id)])
            context["withdraw_url"] = f"{base_url}/consent/withdraw?token={token}"
        subject = render(f"emails/{template}.subject.txt", **context).strip()
        text = render(f"emails/{template}.txt", **context)
        if contact_id is not None:
            text += "\n\n" + i18n.gettext(
                "No more e-mails? Withdraw your consent with one click: %(url)s", url=context["withdraw_url"]
            )
        html = render(f"emails/{template}.html", subject=subject, **context)
    finally:
        i18n.set_language(previous)
    # The id is chosen here, not at flush, so this works the same in sync and async sessions.
    message = EmailMessage(
        id=uuid7(),
        tenant_id=tenant_id,
        recipient=to,
        subject=subject,
        body_text=text,
        body_html=html,
        list_unsubscribe=context.get("withdraw_url", "") if contact_id is not None else "",
        forget_after_sending=forget_after_sending,
    )
    session.add(message)
    add_job(session, "deliver_email", message.id, None)
    return message


def _mime_message(sender: str, message: EmailMessage) -> MimeMessage:
    """The message as it goes out, with the headers spam filters and mailbox providers look for."""
    mime = MimeMessage()
    mime["From"] = sender
    mime["To"] = message.recipient
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(usegmt=True)
    # From the row's id, not random: a retry after a lost "250 OK" is recognised as the same message.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "landform.localhost"
    mime["Message-ID"] = f"<{message.id}@{domain}>"
    mime["Auto-Submitted"] = "auto-generated"
    if message.list_unsubscribe:
        mime["List-Unsubscribe"] = f"<{message.list_unsubscribe}>"
        mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mime.set_content(message.body_text)
    mime.add_alternative(message.body_html, subtype="html")
    return mime


def _smtp_send(url: str, sender: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    mime = _mime_message(sender, message)
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    host = parts.hostname or "localhost"
    smtp: smtplib.SMTP
    if parts.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(host, port, timeout=30, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=30)
    with smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(mime)


@job(max_retries=12, min_backoff=5_000, max_backoff=30 * 60_000, time_limit=60_000, max_age=24 * 3_600_000)
def deliver_email(session: Session, message_id: UUID) -> None:
    message = session.get(EmailMessage, message_id)
    if message is None:
        raise PermanentJobError(f"e-mail {message_id} no longer exists")
    if message.sent_at is not None:
        return
    settings = get_settings()
    if settings.mail.smtp_url:
        _smtp_send(settings.mail.smtp_url, settings.mail.sender, message)
        message.transport = "smtp"
    else:
        message.transport = "outbox"
    message.sent_at = utcnow()
    if message.forget_after_sending:
        session.flush()
        table = EmailMessage.__table__
        anonymize(session, table, table.c.id == message.id)  # type: ignore[arg-type]
