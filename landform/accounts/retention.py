"""How long account records are kept: ended sessions, expired invitations, old audit events, old devices."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from landform.accounts.models import AuditEvent, Invitation, KnownDevice, UserSession
from landform.core.db import sync_session, utcnow
from landform.core.settings import Settings

# A session cookie lives 14 days (app.py); a row seen longer ago than that can never be used again.
SESSION_ROWS = timedelta(days=14)
# An invitation link works 7 days (team.INVITE_MAX_AGE); the address it was for is not kept after.
OPEN_INVITATIONS = timedelta(days=7)
# A browser or network unused this long is forgotten; a log-in from it again is reported as new.
KNOWN_DEVICES = timedelta(days=180)
# A year of security events answers "who did what" for any incident noticed in time.
AUDIT_EVENTS = timedelta(days=365)


def purge_account_records(session: Session) -> int:
    now = utcnow()
    purged = 0
    for statement in (
        delete(UserSession).where(
            or_(
                UserSession.last_seen_at < now - SESSION_ROWS,
                UserSession.revoked_at < now - timedelta(days=1),
            )
        ),
        delete(Invitation).where(
            Invitation.accepted_at.is_(None), Invitation.created_at < now - OPEN_INVITATIONS
        ),
        delete(AuditEvent).where(AuditEvent.created_at < now - AUDIT_EVENTS),
        delete(KnownDevice).where(KnownDevice.last_seen_at < now - KNOWN_DEVICES),
    ):
        result = session.execute(statement.execution_options(all_tenants=True))
        purged += int(getattr(result, "rowcount", 0) or 0)
    return purged


def purge_account_records_job(settings: Settings) -> int:
    """The scheduled purge of ended sessions, expired invitations and audit events older than a year."""
    with sync_session(settings.database.sync_url) as session:
        purged = purge_account_records(session)
        session.commit()
    return purged
