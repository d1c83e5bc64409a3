"""The worker's part of privacy requests: the export of everything held on a person, and erasure.

Both run as the outbox job `privacy_fulfil` (idempotent: a finished request is skipped). Erasure
anonymizes with landform.core.personal_data, so the tenant's counts stay as they were. The periodic jobs
below remind the tenant of deadlines and delete expired exports and never-confirmed requests.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session

from landform import hooks
from landform.accounts.models import Role, Tenant, User
from landform.accounts.notices import tell_team
from landform.billing.models import Subscription
from landform.consent.minors import purge_hold
from landform.consent.models import ConsentRecord, ParentalConsent, Purpose
from landform.core import i18n
from landform.core.csvfile import csv_text
from landform.core.db import sync_session, utcnow
from landform.core.jobs.models import OutboxJob, PermanentJobError
from landform.core.jobs.registry import job
from landform.core.mail import EmailMessage, queue_email
from landform.core.personal_data import anonymize
from landform.core.settings import Settings
from landform.core.templating import render
from landform.crm_sink.models import Activity, Contact, Submission
from landform.forms.models import SpamSubmission
from landform.privacy import services
from landform.privacy.models import (
    OPEN_STATUSES,
    PrivacyAuditEntry,
    PrivacyExport,
    PrivacyRequest,
    RequestKind,
    RequestStatus,
)
from landform.privacy.registry import EXPORT_DAYS, UNVERIFIED_DAYS

log = logging.getLogger(__name__)


@job(
    max_retries=10, min_backoff=5_000, max_backoff=10 * 60_000, time_limit=10 * 60_000, max_age=24 * 3600_000
)
def privacy_fulfil(session: Session, request_id: UUID) -> None:
    request = session.get(PrivacyRequest, request_id)
    if request is None:
        raise PermanentJobError(f"privacy request {request_id} no longer exists")
    if request.status != RequestStatus.IN_PROGRESS:
        return
    tenant = session.get(Tenant, request.tenant_id) if request.tenant_id else None
    if request.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
        deliver_export(session, request, tenant)
    elif request.kind in (RequestKind.ERASURE, RequestKind.MINOR):
        if tenant is None:
            raise PermanentJobError("the platform's account erasure is account deletion, done by a person")
        erase(session, request, tenant)


# The export -----------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _rows(objects: Iterable[Any], columns: list[str]) -> list[dict[str, Any]]:
    return [{name: _plain(getattr(obj, name)) for name in columns} for obj in objects]


def _billing_rows(session: Session, key: str) -> list[dict[str, Any]]:
    """What Stripe holds for the organisations this person owns or runs: the seed's billing fields."""
    managers = session.execute(
        select(User)
        .where(func.lower(User.email) == key, User.role.in_([Role.OWNER, Role.ADMIN]))
        .execution_options(all_tenants=True)
    ).scalars()
    rows = []
    for user in managers:
        subscription = session.execute(
            select(Subscription)
            .where(Subscription.tenant_id == user.tenant_id)
            .execution_options(all_tenants=True)
        ).scalar_one_or_none()
        if subscription is None or not subscription.stripe_customer_id:
            continue
        tenant = user.tenant
        rows.append(
            {
                "organisation": tenant.name,
                "plan": subscription.plan,
                "status": subscription.status,
                "stripe_customer": subscription.stripe_customer_id,
                "sent_to_stripe": {
                    "email": user.email,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "company_name": tenant.name,
                    "address": tenant.address,
                    "postcode": tenant.postcode,
                    "city": tenant.city,
                    "province": tenant.province,
                    "country": tenant.country,
                    "vat_number": tenant.vat_number,
                },
            }
        )
    return rows


def collect(session: Session, tenant: Tenant | None, key: str) -> dict[str, list[dict[str, Any]]]:
    """Everything held on the person with this e-mail key, section by section."""
    if tenant is None:
        users = session.execute(
            select(User).where(func.lower(User.email) == key).execution_options(all_tenants=True)
        ).scalars()
        return {
            "accounts": [
                {
                    **_rows([user], ["first_name", "last_name", "email", "gender", "language", "timezone"])[
                        0
                    ],
                    "role": user.role.value,
                    "organisation": user.tenant.name,
                    "created_at": _plain(user.created_at),
                    "last_login_at": _plain(user.last_login_at),
                }
                for user in users
            ],
            "billing": _billing_rows(session, key),
        }
    contacts = list(session.execute(select(Contact).where(Contact.email_key == key)).scalars())
    contact_ids = [c.id for c in contacts]
    submissions = list(
        session.execute(
            select(Submission).where(or_(Submission.contact_id.in_(contact_ids), *_held(session, key)))
        ).scalars()
    )
    submission_ids = [s.id for s in submissions]
    activities = list(
        session.execute(
            select(Activity).where(Activity.contact_id.in_(contact_ids)).order_by(Activity.occurred_at)
        ).scalars()
    )
    records = session.execute(
        select(ConsentRecord, Purpose)
        .outerjoin(Purpose, Purpose.id == ConsentRecord.purpose_id)
        .where(
            or_(ConsentRecord.contact_id.in_(contact_ids), ConsentRecord.submission_id.in_(submission_ids))
        )
        .order_by(ConsentRecord.occurred_at)
    ).all()
    emails = session.execute(
        select(EmailMessage)
        .where(EmailMessage.tenant_id == tenant.id, func.lower(EmailMessage.recipient) == key)
        .order_by(EmailMessage.created_at)
    ).scalars()
    requests = session.execute(
        select(PrivacyRequest)
        .where(PrivacyRequest.tenant_id == tenant.id, PrivacyRequest.email_key == key)
        .order_by(PrivacyRequest.created_at)
    ).scalars()
    contact_columns = ["id", "email", "first_name", "last_name", "phone", "company_name", "job_title"]
    sections = {
        "contact": [
            {
                **row,
                "language": c.language,
                "do_not_contact": c.do_not_contact,
                "created_at": _plain(c.created_at),
            }
            for row, c in zip(_rows(contacts, contact_columns), contacts, strict=True)
        ],
        # The CRM keeps the company as the contact's company name (companies of their own: see the CRM).
        "company": [
            {"contact_id": str(c.id), "company_name": c.company_name} for c in contacts if c.company_name
        ],
        "submissions": [
            {
                "id": str(s.id),
                "received_at": _plain(s.created_at),
                "form_id": _plain(s.form_id),
                "answers": _plain(s.data),
                "context": _plain(s.context),
            }
            for s in submissions
        ],
        "activities": [
            {
                "id": str(a.id),
                "kind": a.kind,
                "occurred_at": _plain(a.occurred_at),
                "details": _plain(a.details),
            }
            for a in activities
        ],
        "consent_records": [
            {
                "occurred_at": _plain(r.occurred_at),
                "purpose": i18n.pick(p.name) if p else "",
                "given": r.given,
                "text_shown": r.text_shown,
                "language": r.language,
                "method": r.method,
                "confirmed_by": r.confirmed_by,
                "ip_fingerprint": r.ip_hash,
                "browser": r.user_agent_family,
            }
            for r, p in records
        ],
        "emails": [{"sent_at": _plain(m.sent_at or m.created_at), "subject": m.subject} for m in emails],
        "privacy_requests": [
            {
                "kind": r.kind.value,
                "status": r.status.value,
                "asked_at": _plain(r.created_at),
                "due_at": _plain(r.due_at),
                "details": r.details,
            }
            for r in requests
        ],
    }
    for section in hooks.export_sections:
        name, rows = section(session, tenant.id, key)
        sections[name] = rows
    return sections


def _held(session: Session, key: str) -> list[Any]:
    """A minor's held submission has no contact yet: found by the address in its answers."""
    held = session.execute(
        select(Submission.id, Submission.contact_fields).where(Submission.contact_id.is_(None))
    ).all()
    ids = [row.id for row in held if str((row.contact_fields or {}).get("email", "")).casefold() == key]
    return [Submission.id.in_(ids)] if ids else []


def build_zip(sections: dict[str, list[dict[str, Any]]], organisation: str, language: str) -> bytes:
    """JSON (everything), one CSV per section, and a readable HTML summary, in one zip."""
    previous = i18n.get_language()
    i18n.set_language(language)
    try:
        summary = render("privacy/export_summary.html", sections=sections, organisation=organisation)
    finally:
        i18n.set_language(previous)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(sections, ensure_ascii=False, indent=2))
        for name, rows in sections.items():
            if rows:
                archive.writestr(f"{name}.csv", csv_text(sorted({k for row in rows for k in row}), rows))
        archive.writestr("summary.html", summary)
    return buffer.getvalue()


def deliver_export(session: Session, request: PrivacyRequest, tenant: Tenant | None) -> None:
    organisation = tenant.name if tenant else "Landform"
    data = build_zip(collect(session, tenant, request.email_key), organisation, request.language)
    export = PrivacyExport(
        id=uuid7(),
        tenant_id=request.tenant_id,
        request_id=request.id,
        expires_at=utcnow() + timedelta(days=EXPORT_DAYS),
        data=data,
    )
    session.add(export)
    link = services.export_link(services.slug_of(tenant), export.id)
    recipients = [request.email]
    if request.kind == RequestKind.PORTABILITY and request.target_email:
        recipients.append(request.target_email)
    for to in recipients:
        queue_email(
            session,
            to=to,
            template="privacy_export",
            language=request.language,
            tenant_id=request.tenant_id,
            organisation=organisation,
            for_organisation=to != request.email,
            target_organisation=request.target_organisation,
            link=link,
            days=EXPORT_DAYS,
        )
    request.status = RequestStatus.DONE
    request.completed_at = utcnow()
    services.audit(session, request, "export_sent")
    if len(recipients) > 1:
        services.audit(session, request, "export_sent_to_organisation")


# Erasure --------------------------------------------------------------------------------------------


def erase_person(session: Session, tenant_id: UUID, key: str) -> dict[str, int]:
    """Anonymize everything the tenant holds on the person with this e-mail key; counts by table.

    The contact, its submissions (and a minor's held one), timeline, consent records (kept as proof,
    personal fields emptied), spam with their address, e-mails to them with their jobs, their exports
    and their privacy requests. Held minors' data naming the address (as the child's or the parent's)
    is purged as refusal purges it.
    """
    counts: dict[str, int] = {}

    def count(name: str, n: int) -> None:
        counts[name] = counts.get(name, 0) + n

    contact_ids = list(session.execute(select(Contact.id).where(Contact.email_key == key)).scalars())
    submission_ids = list(
        session.execute(
            select(Submission.id).where(or_(Submission.contact_id.in_(contact_ids), *_held(session, key)))
        ).scalars()
    )
    holds = list(
        session.execute(
            select(ParentalConsent).where(
                or_(
                    ParentalConsent.submission_id.in_(submission_ids),
                    func.lower(ParentalConsent.parent_email) == key,
                )
            )
        ).scalars()
    )
    for hold in holds:
        if hold.status == "pending":
            purge_hold(session, hold)
            count("held_minors_data", 1)
        else:
            submission_ids.append(hold.submission_id)
            table = ParentalConsent.__table__
            count("parental_consent", anonymize(session, table, table.c.id == hold.id))  # type: ignore[arg-type]
    session.flush()

    def wipe(model: Any, where: Any) -> None:
        table = model.__table__
        count(table.name, anonymize(session, table, (table.c.tenant_id == tenant_id) & where(table.c)))

    wipe(Contact, lambda c: c.id.in_(contact_ids))
    wipe(Submission, lambda c: c.id.in_(submission_ids))
    wipe(Activity, lambda c: or_(c.contact_id.in_(contact_ids), c.submission_id.in_(submission_ids)))
    wipe(ConsentRecord, lambda c: or_(c.contact_id.in_(contact_ids), c.submission_id.in_(submission_ids)))
    spam = session.execute(select(SpamSubmission.id, SpamSubmission.answers)).all()
    spam_ids = [row.id for row in spam if key in json.dumps(row.answers or {}, ensure_ascii=False).casefold()]
    wipe(SpamSubmission, lambda c: c.id.in_(spam_ids))
    message_ids = list(
        session.execute(
            select(EmailMessage.id).where(
                EmailMessage.tenant_id == tenant_id, func.lower(EmailMessage.recipient) == key
            )
        ).scalars()
    )
    wipe(EmailMessage, lambda c: c.id.in_(message_ids))
    jobs = OutboxJob.__table__
    count(
        "outbox_job",
        anonymize(session, jobs, jobs.c.subject_id.in_([*message_ids, *submission_ids])),  # type: ignore[arg-type]
    )
    request_ids = list(
        session.execute(
            select(PrivacyRequest.id).where(
                PrivacyRequest.tenant_id == tenant_id, PrivacyRequest.email_key == key
            )
        ).scalars()
    )
    exports = session.execute(delete(PrivacyExport).where(PrivacyExport.request_id.in_(request_ids)))
    count("privacy_export", int(exports.rowcount or 0))  # type: ignore[attr-defined]
    wipe(PrivacyRequest, lambda c: c.id.in_(request_ids))
    for eraser in hooks.erasers:
        count(getattr(eraser, "__name__", "other"), eraser(session, tenant_id, key, contact_ids))
    return counts


def erase(session: Session, request: PrivacyRequest, tenant: Tenant) -> None:
    """Erase, then tell the person in an e-mail that is itself emptied once it has gone out."""
    address, language, kind = request.email, request.language, request.kind
    counts = erase_person(session, tenant.id, request.email_key)
    session.expire(request)  # its personal fields were just emptied by a Core statement
    request.status = RequestStatus.DONE
    request.completed_at = utcnow()
    services.audit(session, request, "erased")
    queue_email(
        session,
        to=address,
        template="privacy_done",
        language=language,
        tenant_id=tenant.id,
        forget_after_sending=True,
        organisation=tenant.name,
        kind=kind.value,
        kind_label=services.kind_labels()[kind],
        outcome="",
    )
    log.info("privacy: erased a person's data for tenant %s: %s", tenant.id, counts)


# Periodic jobs --------------------------------------------------------------------------------------


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
        services.tell_privacy_contact(session, request, days=which)
    else:
        tenant = session.get_one(Tenant, request.tenant_id)
        tell_team(
            session,
            tenant.id,
            (Role.OWNER, Role.ADMIN),
            "privacy_reminder",
            organisation=tenant.name,
            kind_label=services.lazy_kind_label(request.kind),
            due_at=request.due_at,
            overdue=request.due_at < now,
            link=f"/app/privacy/{request.id}",
        )
    services.audit(session, request, f"reminder_{which}_days")
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
