"""The audit log of account security: log-ins, lock-outs, passwords, two-factor, team changes, sessions.

An event never holds a password, a code or a token. The person it is about is named once
(`subject_label`, marked personal), and where it came from is kept coarse: the IP prefix and the
browser family, not the address or the full User-Agent.
"""

from __future__ import annotations

from uuid import UUID

from babel.support import LazyProxy
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import AuditEvent, User
from landform.accounts.sessions import ClientInfo
from landform.core.i18n import lazy_gettext

KINDS: dict[str, LazyProxy] = {
    "login_succeeded": lazy_gettext("Logged in"),
    "login_failed": lazy_gettext("Log-in failed"),
    "lockout": lazy_gettext("Log-in locked for a while after failed attempts"),
    "password_changed": lazy_gettext("Password changed"),
    "password_reset": lazy_gettext("Password reset by e-mail link"),
    "mfa_enabled": lazy_gettext("Two-factor authentication turned on"),
    "mfa_disabled": lazy_gettext("Two-factor authentication turned off"),
    "recovery_code_used": lazy_gettext("Recovery code used to log in"),
    "invite_sent": lazy_gettext("Invitation sent"),
    "invite_revoked": lazy_gettext("Invitation withdrawn"),
    "invite_accepted": lazy_gettext("Invitation accepted"),
    "role_changed": lazy_gettext("Role changed"),
    "member_removed": lazy_gettext("Member removed"),
    "session_revoked": lazy_gettext("Session signed out"),
}


def record(
    db: Session,
    kind: str,
    *,
    tenant_id: UUID,
    actor: User | None = None,
    subject: User | None = None,
    subject_label: str = "",
    client: ClientInfo | None = None,
    **detail: str,
) -> AuditEvent:
    """Add one event to the session; the caller's transaction commits it."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    event = AuditEvent(
        tenant_id=tenant_id,
        kind=kind,
        actor_id=actor.id if actor else None,
        subject_id=subject.id if subject else None,
        subject_label=subject_label or (subject.email if subject else ""),
        detail={name: str(value) for name, value in detail.items() if value},
        ip_prefix=client.ip_prefix if client else "",
        user_agent_family=client.agent_family if client else "",
    )
    db.add(event)
    return event


async def recent_events(db: AsyncSession, limit: int = 200) -> list[tuple[AuditEvent, User | None]]:
    """The tenant's newest events with the user who acted (None: nobody logged in, or since removed)."""
    events = list(
        (
            await db.execute(
                select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)
            )
        ).scalars()
    )
    actor_ids = {event.actor_id for event in events if event.actor_id}
    actors = {
        user.id: user for user in (await db.execute(select(User).where(User.id.in_(actor_ids)))).scalars()
    }
    return [(event, actors.get(event.actor_id) if event.actor_id else None) for event in events]
