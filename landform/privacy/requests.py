"""Data-subject requests: the request itself, its kinds and states, the audit trail, and what the team does.

A request belongs to a tenant (its portal at /privacy/{slug}) or, with tenant_id NULL, to the platform
operator (/privacy). Requests are not `TenantScoped` (the platform's have no tenant), so every query
here names the tenant itself: `of_tenant(tenant_id)`.

Identity is proven by the address alone: a signed link (valid a day, used once) or the six-digit code
in the same e-mail (portal/verification.py checks them). Nothing tells a requester whether the address
is known: every request gets the same answer and the same e-mail, and an unknown address simply finds
nothing to export or erase.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import pendulum
from advanced_alchemy.mixins.uuid import uuid7
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.consent import services as consent
from landform.core import security
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.core.jobs.registry import add_job
from landform.core.mail import queue_email
from landform.core.settings import get_settings
from landform.core.text import normalize_text
from landform.crm_sink.models import Contact
from landform.crm_sink.services import email_key
from landform.privacy.labels import kind_labels
from landform.privacy.models import (
    PrivacyAuditEntry,
    PrivacyRequest,
    PrivacySettings,
    RequestKind,
    RequestStatus,
)
from landform.webhooks import notices

PLATFORM = "_"  # the "slug" of the platform operator's own portal in links
VERIFY_PURPOSE = "privacy-verify"
VERIFY_HOURS = 24
DETAILS_LIMIT = 4000
# Fulfilled by the software once the address is verified (unless the tenant wants to approve them).
AUTOMATIC = {
    RequestKind.ACCESS,
    RequestKind.PORTABILITY,
    RequestKind.ERASURE,
    RequestKind.WITHDRAWAL,
    RequestKind.OBJECTION,
    RequestKind.MINOR,
}
# Done by the worker (an export or an erasure); the others are done in the request that starts them.
BY_WORKER = {RequestKind.ACCESS, RequestKind.PORTABILITY, RequestKind.ERASURE, RequestKind.MINOR}
# The platform's own requests are about tenant users' accounts: only the copy is automatic there.
PLATFORM_AUTOMATIC = {RequestKind.ACCESS, RequestKind.PORTABILITY}
CORRECTABLE = ("first_name", "last_name", "phone", "company_name", "job_title", "email")


class RequestInvalid(Exception):
    """A request form with errors, by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


class LinkInvalid(Exception):
    """A verification or download link that is forged, expired, used, or for another portal."""


class ActionRefused(Exception):
    """A dashboard action that does not fit the request's state; the message says why."""


def of_tenant(tenant_id: UUID | None) -> ColumnElement[bool]:
    return PrivacyRequest.tenant_id.is_(None) if tenant_id is None else PrivacyRequest.tenant_id == tenant_id


def slug_of(tenant: Tenant | None) -> str:
    return tenant.slug if tenant else PLATFORM


def audit(session: Session, request: PrivacyRequest, action: str, actor: str = "system") -> None:
    session.add(
        PrivacyAuditEntry(
            id=uuid7(),
            tenant_id=request.tenant_id,
            request_id=request.id,
            occurred_at=utcnow(),
            actor=actor,
            action=action,
        )
    )


def code_hash(request_id: UUID, code: str) -> str:
    key = get_settings().security.secret_keys[0].encode()
    return hmac.new(key, f"privacy-code:{request_id}:{code}".encode(), hashlib.sha256).hexdigest()


def one_month_after(moment: datetime, months: int = 1) -> datetime:
    """Art. 12(3): "within one month", a calendar month (31 January gives 28 or 29 February)."""
    return datetime.fromtimestamp(pendulum.instance(moment).add(months=months).timestamp(), moment.tzinfo)


# The answer time a portal promises: "within four weeks" (28 days, the platform's own privacy statement and
# every tenant's default) or "within one month" (the legal maximum, a calendar month). Never more than the
# law's month, so four weeks is always within it.
FOUR_WEEKS = "four_weeks"
ONE_MONTH = "one_month"
DEADLINES = (FOUR_WEEKS, ONE_MONTH)


def deadline_of(settings: PrivacySettings | None) -> str:
    """The promise a portal keeps: the tenant's choice; the platform's own requests, four weeks."""
    return settings.deadline if settings and settings.deadline in DEADLINES else FOUR_WEEKS


def due_after(moment: datetime, deadline: str) -> datetime:
    """When a request confirmed at `moment` is due under the portal's promise."""
    return one_month_after(moment) if deadline == ONE_MONTH else moment + timedelta(days=28)


async def settings_for(db: AsyncSession, tenant_id: UUID | None) -> PrivacySettings | None:
    if tenant_id is None:
        return None
    return (
        await db.execute(select(PrivacySettings).where(PrivacySettings.tenant_id == tenant_id))
    ).scalar_one_or_none()


def _email(value: str, field: str, errors: dict[str, str]) -> str:
    try:
        return validate_email(value.strip()[:254], check_deliverability=False).normalized
    except EmailNotValidError:
        errors[field] = _("Please enter a valid e-mail address, like name@example.com.")
        return ""


@dataclass(frozen=True)
class RequestForm:
    """The portal's request form, checked."""

    email: str
    kind: RequestKind
    details: str
    target_organisation: str
    target_email: str
    corrections: dict[str, str]


def check_request(data: dict[str, str]) -> RequestForm:
    """The portal's form read and checked; RequestInvalid, by field, when incomplete."""
    errors: dict[str, str] = {}
    address = _email(data.get("email", ""), "email", errors)
    try:
        kind = RequestKind(data.get("kind", ""))
    except ValueError:
        errors["kind"] = _("Choose what you would like us to do.")
        kind = RequestKind.ACCESS
    details = normalize_text(data.get("details", ""))[:DETAILS_LIMIT]
    target_organisation = normalize_text(data.get("target_organisation", ""))[:200]
    target_email = ""
    if kind == RequestKind.PORTABILITY and data.get("target_email", "").strip():
        target_email = _email(data["target_email"], "target_email", errors)
        if not target_organisation:
            errors["target_organisation"] = _("Name the organisation the file should go to.")
    corrections = {}
    if kind == RequestKind.RECTIFICATION:
        corrections = {
            name: normalize_text(data.get(f"correct_{name}", ""))[:200]
            for name in CORRECTABLE
            if normalize_text(data.get(f"correct_{name}", ""))
        }
        if not corrections and not details:
            errors["details"] = _("Tell us what is wrong and what it should be.")
    if kind in (RequestKind.MINOR, RequestKind.RESTRICTION) and not details:
        errors["details"] = _("Tell us briefly what this is about, so it can be handled quickly.")
    if errors:
        raise RequestInvalid(errors)
    return RequestForm(
        email=address,
        kind=kind,
        details=details,
        target_organisation=target_organisation if kind == RequestKind.PORTABILITY else "",
        target_email=target_email,
        corrections=corrections,
    )


def new_request(db: Session, tenant: Tenant | None, form: RequestForm, language: str) -> PrivacyRequest:
    """Store a checked request and send its verification e-mail (a link and a code)."""
    kind = form.kind
    request = PrivacyRequest(
        id=uuid7(),
        tenant_id=tenant.id if tenant else None,
        kind=kind,
        status=RequestStatus.UNVERIFIED,
        email=form.email,
        email_key=email_key(form.email),
        language=language,
        details=form.details,
        target_organisation=form.target_organisation,
        target_email=form.target_email,
        corrections=form.corrections,
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    request.code_hash = code_hash(request.id, code)
    db.add(request)
    audit(db, request, "requested", "person")
    slug = slug_of(tenant)
    token = security.sign(VERIFY_PURPOSE, [slug, str(request.id)])
    queue_email(
        db,
        to=form.email,
        template="privacy_verify",
        language=language,
        tenant_id=request.tenant_id,
        organisation=tenant.name if tenant else "Landform",
        kind_label=kind_labels()[kind],
        link=f"/privacy/{slug}/verify?token={token}&lang={language}",
        code_link=f"/privacy/{slug}/code?lang={language}",
        code=code,
        hours=VERIFY_HOURS,
    )
    return request


async def fulfil(db: AsyncSession, request: PrivacyRequest, tenant: Tenant | None, actor: str) -> None:
    """Do what was asked: the worker builds exports and erases; consent is withdrawn right here."""
    request.status = RequestStatus.IN_PROGRESS
    if request.kind in BY_WORKER:
        await db.run_sync(add_job, "privacy_fulfil", request.id, request.tenant_id)
        await db.run_sync(audit, request, "fulfilment_started", actor)
        return
    if request.kind in (RequestKind.WITHDRAWAL, RequestKind.OBJECTION) and tenant is not None:
        contacts = (await db.execute(select(Contact).where(Contact.email_key == request.email_key))).scalars()
        for contact in list(contacts):
            await consent.withdraw_all(
                db, contact, consent.ConsentHow(method="portal"), request_id=request.id
            )
        await db.run_sync(complete, request, tenant, actor=actor, action="consent_withdrawn")
        if await db.run_sync(lambda s: bool(notices.notices(s, request_id=request.id))):
            await db.run_sync(audit, request, "downstream_told")
        return
    await db.run_sync(audit, request, "queued_for_tenant", actor)


def complete(
    db: Session, request: PrivacyRequest, tenant: Tenant | None, *, actor: str, action: str = "completed"
) -> None:
    """Mark done and tell the person."""
    request.status = RequestStatus.DONE
    request.completed_at = utcnow()
    audit(db, request, action, actor)
    queue_email(
        db,
        to=request.email,
        template="privacy_done",
        language=request.language,
        tenant_id=request.tenant_id,
        organisation=tenant.name if tenant else "Landform",
        kind=request.kind.value,
        kind_label=kind_labels()[request.kind],
        outcome=request.outcome,
    )


def extend(db: Session, request: PrivacyRequest, tenant: Tenant | None, reason: str, actor: str) -> None:
    """Art. 12(3): once, by two more months, telling the person why."""
    reason = normalize_text(reason)[:2000]
    if not request.is_open or request.due_at is None:
        raise ActionRefused(_("Only an open request can be extended."))
    if request.extended_at is not None:
        raise ActionRefused(_("A request can be extended only once."))
    if not reason:
        raise ActionRefused(_("Give the reason: the person receives it."))
    request.extended_at = utcnow()
    request.extension_reason = reason
    request.due_at = one_month_after(request.due_at, months=2)
    request.reminded_7_at = request.reminded_2_at = None
    audit(db, request, "extended", actor)
    queue_email(
        db,
        to=request.email,
        template="privacy_extended",
        language=request.language,
        tenant_id=request.tenant_id,
        organisation=tenant.name if tenant else "Landform",
        kind_label=kind_labels()[request.kind],
        reason=reason,
        due_at=request.due_at,
    )


def reject(db: Session, request: PrivacyRequest, tenant: Tenant | None, reason: str, actor: str) -> None:
    reason = normalize_text(reason)[:2000]
    if not request.is_open:
        raise ActionRefused(_("Only an open request can be refused."))
    if not reason:
        raise ActionRefused(_("Give the reason: the person receives it, with how to complain."))
    request.outcome = reason
    request.status = RequestStatus.REJECTED
    request.completed_at = utcnow()
    audit(db, request, "rejected", actor)
    queue_email(
        db,
        to=request.email,
        template="privacy_rejected",
        language=request.language,
        tenant_id=request.tenant_id,
        organisation=tenant.name if tenant else "Landform",
        kind_label=kind_labels()[request.kind],
        reason=reason,
    )


async def accept_corrections(db: AsyncSession, request: PrivacyRequest, tenant: Tenant, actor: str) -> int:
    """The tenant takes the person's corrections over with one click; how many contacts changed."""
    if request.kind != RequestKind.RECTIFICATION or not request.is_open:
        raise ActionRefused(_("Only an open rectification request has corrections to accept."))
    contacts = list(
        (await db.execute(select(Contact).where(Contact.email_key == request.email_key))).scalars()
    )
    for contact in contacts:
        for name, value in request.corrections.items():
            if name in CORRECTABLE and name != "email":
                setattr(contact, name, value)
            elif name == "email":
                contact.email = value
                contact.email_key = email_key(value)
    await db.run_sync(complete, request, tenant, actor=actor, action="corrections_accepted")
    return len(contacts)


async def queue(db: AsyncSession, tenant_id: UUID) -> list[PrivacyRequest]:
    """The tenant's verified requests: open ones by due date first, then the finished ones, newest first."""
    rows = list(
        (
            await db.execute(
                select(PrivacyRequest)
                .where(of_tenant(tenant_id), PrivacyRequest.status != RequestStatus.UNVERIFIED)
                .order_by(PrivacyRequest.due_at)
                .limit(500)
            )
        ).scalars()
    )
    open_ = [r for r in rows if r.is_open]
    closed = sorted((r for r in rows if not r.is_open), key=lambda r: r.completed_at or r.created_at)
    return open_ + closed[::-1]


async def request_of(db: AsyncSession, tenant_id: UUID, request_id: UUID) -> PrivacyRequest | None:
    return (
        await db.execute(
            select(PrivacyRequest).where(
                of_tenant(tenant_id),
                PrivacyRequest.id == request_id,
                PrivacyRequest.status != RequestStatus.UNVERIFIED,
            )
        )
    ).scalar_one_or_none()


async def audit_trail(db: AsyncSession, request: PrivacyRequest) -> list[PrivacyAuditEntry]:
    return list(
        (
            await db.execute(
                select(PrivacyAuditEntry)
                .where(PrivacyAuditEntry.request_id == request.id)
                .order_by(PrivacyAuditEntry.occurred_at, PrivacyAuditEntry.id)
            )
        ).scalars()
    )
