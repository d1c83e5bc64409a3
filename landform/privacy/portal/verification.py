"""Confirming a request: the portal's address, the verification link, the six-digit code, and what follows."""

from __future__ import annotations

import hmac
import re
from datetime import timedelta
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import Tenant
from landform.core import security
from landform.core.db import utcnow
from landform.crm_sink.services import email_key
from landform.privacy.models import PrivacyRequest, RequestStatus
from landform.privacy.operator_contact import tell_privacy_contact
from landform.privacy.requests import (
    AUTOMATIC,
    PLATFORM,
    PLATFORM_AUTOMATIC,
    VERIFY_HOURS,
    VERIFY_PURPOSE,
    LinkInvalid,
    audit,
    code_hash,
    deadline_of,
    due_after,
    fulfil,
    of_tenant,
    settings_for,
)

CODE_ATTEMPTS = 5


async def tenant_by_slug(db: AsyncSession, slug: str) -> Tenant | None:
    """The tenant of a portal address, None for the platform's own; LookupError when there is none."""
    if slug == PLATFORM:
        return None
    if not re.fullmatch(r"[a-z0-9-]{1,63}", slug):
        raise LookupError(slug)  # no tenant has such an address; and never send it to the database
    tenant = (await db.execute(select(Tenant).where(Tenant.slug == slug))).scalar_one_or_none()
    if tenant is None:
        raise LookupError(slug)
    return tenant


def read_verify_token(token: str, slug: str) -> UUID:
    """The request a verification link is for; LinkInvalid if forged, a day old, or for another portal."""
    try:
        token_slug, request_id = security.unsign(VERIFY_PURPOSE, token, max_age=VERIFY_HOURS * 3600)
        if token_slug != slug:
            raise LinkInvalid("link of another portal")
        return UUID(str(request_id))
    except (security.TokenInvalid, ValueError, TypeError) as error:
        raise LinkInvalid(str(error)) from error


async def unverified(db: AsyncSession, tenant_id: UUID | None, request_id: UUID) -> PrivacyRequest:
    request = (
        await db.execute(select(PrivacyRequest).where(of_tenant(tenant_id), PrivacyRequest.id == request_id))
    ).scalar_one_or_none()
    if request is None or request.status != RequestStatus.UNVERIFIED:
        raise LinkInvalid("used or unknown")
    if request.created_at < utcnow() - timedelta(hours=VERIFY_HOURS):
        raise LinkInvalid("expired")
    return request


async def by_code(db: AsyncSession, tenant_id: UUID | None, address: str, code: str) -> PrivacyRequest:
    """The unverified request this address and code confirm; LinkInvalid for a wrong or used-up code.

    Each wrong code counts against every waiting request of the address; after five, only a new request
    (a new code) helps. Portal routes are also rate-limited per visitor address.
    """
    try:
        wanted = email_key(validate_email(address.strip()[:254], check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise LinkInvalid("not an address") from error
    requests = list(
        (
            await db.execute(
                select(PrivacyRequest)
                .where(
                    of_tenant(tenant_id),
                    PrivacyRequest.email_key == wanted,
                    PrivacyRequest.status == RequestStatus.UNVERIFIED,
                    PrivacyRequest.created_at >= utcnow() - timedelta(hours=VERIFY_HOURS),
                )
                .order_by(PrivacyRequest.created_at.desc())
            )
        ).scalars()
    )
    code = "".join(ch for ch in code if ch.isdigit())
    for request in requests:
        if request.code_attempts < CODE_ATTEMPTS and hmac.compare_digest(
            request.code_hash, code_hash(request.id, code)
        ):
            return request
    for request in requests:
        request.code_attempts += 1
    raise LinkInvalid("wrong code")


async def confirm(db: AsyncSession, request: PrivacyRequest, tenant: Tenant | None) -> None:
    """The person proved the address: the clock starts, and safe requests are fulfilled."""
    now = utcnow()
    request.verified_at = now
    request.code_hash = ""
    await db.run_sync(audit, request, "verified", "person")
    manual = await settings_for(db, request.tenant_id)
    request.due_at = due_after(now, deadline_of(manual))
    automatic = PLATFORM_AUTOMATIC if tenant is None else AUTOMATIC
    if request.kind in automatic and not (manual and request.kind.value in manual.manual_kinds):
        request.status = RequestStatus.IN_PROGRESS
        await fulfil(db, request, tenant, actor="system")
    elif request.kind in automatic:
        request.status = RequestStatus.AWAITING_APPROVAL
        await db.run_sync(audit, request, "awaiting_approval")
    else:
        request.status = RequestStatus.IN_PROGRESS
        await db.run_sync(audit, request, "queued_for_tenant")
        if tenant is None:
            await db.run_sync(tell_privacy_contact, request)
