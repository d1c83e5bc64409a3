"""Shared steps of the team and account-security tests."""

from __future__ import annotations

import re

from sqlalchemy import select

from landform.accounts.models import AuditEvent
from landform.core.mail import EmailMessage


def mail_to(db, address: str) -> list[EmailMessage]:
    db.expire_all()
    return list(
        db.execute(
            select(EmailMessage).where(EmailMessage.recipient == address).order_by(EmailMessage.created_at)
        ).scalars()
    )


def link_in(message: EmailMessage, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}\?token=[\w.\-]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def audit_kinds(db, tenant_id) -> list[str]:
    db.expire_all()
    return list(
        db.execute(
            select(AuditEvent.kind)
            .where(AuditEvent.tenant_id == tenant_id)
            .order_by(AuditEvent.created_at)
            .execution_options(all_tenants=True)
        ).scalars()
    )


def settled(db) -> None:
    """Wait until the worker has done every job queued so far (so a mail not sent will not come later)."""
    from landform.core.jobs.models import OutboxJob
    from tests.conftest import wait_for

    def idle() -> bool:
        db.expire_all()
        pending = select(OutboxJob.id).where(OutboxJob.done_at.is_(None), OutboxJob.failed_at.is_(None))
        return db.execute(pending).first() is None

    wait_for(idle)
