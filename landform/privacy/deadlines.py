"""Requests' deadlines: reminders before one is due; expired downloads and unconfirmed requests deleted."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from landform.accounts.models import Role, Tenant
from landform.accounts.notices import tell_team
from landform.core.db import sync_session, utcnow
from landform.core.settings import Settings
from landform.privacy.labels import lazy_kind_label
from landform.privacy.models import (
    OPEN_STATUSES,
    PrivacyAuditEntry,
    PrivacyExport,
    PrivacyRequest,
    RequestStatus,
)
from landform.privacy.operator_contact import tell_privacy_contact
from landform.privacy.registry import UNVERIFIED_DAYS
from landform.privacy.requests import audit


def remind_due(settings: Settings) -> int:
    """E-mail 7 and 2 days before an open request is due; how many requests were reminded.

    A tenant's request goes to its owners and admins, one of the platform's own to its privacy contact
    (LANDFORM_PRIVACY_EMAIL; without one they are left for `landform privacy list` and not marked). Each
    reminder is claimed by an UPDATE before it is written, so two workers running the job send it once.
    """
    now = utcnow()
    wanted = [
        PrivacyRequest.status.in_(OPEN_STATUSES),
        PrivacyRequest.due_at <= now + timedelta(days=7),
        PrivacyRequest.reminded_2_at.is_(None),
    ]
    if not settings.privacy.email:
        wanted.append(PrivacyRequest.tenant_id.is_not(None))
    with sync_session(settings.database.sync_url) as session:
        due = session.execute(
            select(
                PrivacyRequest.id,
                PrivacyRequest.tenant_id,
                PrivacyRequest.due_at,
                PrivacyRequest.reminded_7_at,
                PrivacyRequest.reminded_2_at,
            ).where(*wanted)
        ).all()
    sent = 0
    for request_id, tenant_id, due_at, reminded_7_at, reminded_2_at in due:
        assert due_at is not None  # selected by its due date
        days_left = (due_at - now).total_seconds() / 86400
        if days_left <= 2 and reminded_2_at is None:
            which, unreminded = 2, PrivacyRequest.reminded_2_at.is_(None)
        elif reminded_7_at is None:
            which, unreminded = 7, PrivacyRequest.reminded_7_at.is_(None)
        else:
            continue
        with sync_session(settings.database.sync_url, tenant_id) as session:
            sent += _remind(session, request_id, which, unreminded, due_at, now)
    return sent


def _remind(
    session: Session,
    request_id: UUID,
    which: int,
    unreminded: ColumnElement[bool],
    due_at: datetime,
    now: datetime,
) -> int:
    """Remind of one request once (1), or leave it to the worker that claimed it first (0)."""
    # The claim comes first in the transaction: on PostgreSQL another worker's waits for this row and then
    # finds it reminded; on SQLite the write lock makes it wait and then read the same. An extension in
    # between (a new due date, reminders reset) is not reminded of here: the next run sees it afresh.
    marks = {"reminded_2_at": now, "reminded_7_at": now} if which == 2 else {"reminded_7_at": now}
    claimed = session.execute(
        update(PrivacyRequest)
        .where(
            PrivacyRequest.id == request_id,
            PrivacyRequest.due_at == due_at,
            PrivacyRequest.status.in_(OPEN_STATUSES),
            unreminded,
        )
        .values(**marks)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return 0
    request = session.execute(select(PrivacyRequest).where(PrivacyRequest.id == request_id)).scalar_one()
    assert request.due_at is not None  # claimed by its due date
    if request.tenant_id is None:
        tell_privacy_contact(session, request, days=which)
    else:
        tenant = session.get_one(Tenant, request.tenant_id)
        tell_team(
            session,
            tenant.id,
            (Role.OWNER, Role.ADMIN),
            "privacy_reminder",
            organisation=tenant.name,
            kind_label=lazy_kind_label(request.kind),
            due_at=request.due_at,
            overdue=request.due_at < now,
            link=f"/app/privacy/{request.id}",
        )
    audit(session, request, f"reminder_{which}_days")
    session.commit()
    return 1


def purge_expired(settings: Settings) -> dict[str, int]:
    """Delete downloads past their date and requests nobody confirmed (their address was never proven)."""
    now = utcnow()
    with sync_session(settings.database.sync_url) as session:
        exports = session.execute(delete(PrivacyExport).where(PrivacyExport.expires_at <= now))
        stale = select(PrivacyRequest.id).where(
            PrivacyRequest.status == RequestStatus.UNVERIFIED,
            PrivacyRequest.created_at < now - timedelta(days=UNVERIFIED_DAYS),
        )
        session.execute(delete(PrivacyAuditEntry).where(PrivacyAuditEntry.request_id.in_(stale)))
        requests = session.execute(delete(PrivacyRequest).where(PrivacyRequest.id.in_(stale)))
        session.commit()
    return {
        "exports": int(exports.rowcount or 0),  # type: ignore[attr-defined]
        "unverified_requests": int(requests.rowcount or 0),  # type: ignore[attr-defined]
    }
