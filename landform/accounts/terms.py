"""Which version of the platform's terms and data processing agreement a tenant accepted, when, by whom.

The seed: processing agreements are concluded by accepting the terms and privacy statement. Accepted at
sign-up; when TERMS_VERSION changes, the owners and admins of every tenant are asked again on their next
visit to the dashboard (privacy/terms.py shows the texts and the question).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import Role, TermsAcceptance, User
from landform.core.db import utcnow

# Raise this (the date the new texts take effect) when the terms or the processing agreement change.
TERMS_VERSION = "2026-12-07"
TERMS_DATE = date(2026, 12, 7)
# Only they may bind the company to an agreement.
MAY_ACCEPT = (Role.OWNER, Role.ADMIN)


def accept(session: Session, tenant_id: UUID, user: User) -> TermsAcceptance:
    """Record that `user` accepted the current version for their company (in the caller's transaction)."""
    acceptance = TermsAcceptance(
        tenant_id=tenant_id,
        version=TERMS_VERSION,
        accepted_at=utcnow(),
        accepted_by_id=user.id,
        accepted_by_name=f"{user.first_name} {user.last_name}".strip() or user.email,
    )
    session.add(acceptance)
    return acceptance


async def acceptances(db: AsyncSession, tenant_id: UUID) -> list[TermsAcceptance]:
    """Every version the tenant accepted, the newest first."""
    rows = await db.execute(
        select(TermsAcceptance)
        .where(TermsAcceptance.tenant_id == tenant_id)
        .order_by(TermsAcceptance.accepted_at.desc())
    )
    return list(rows.scalars())


async def current_acceptance(db: AsyncSession, tenant_id: UUID) -> TermsAcceptance | None:
    rows = await db.execute(
        select(TermsAcceptance)
        .where(TermsAcceptance.tenant_id == tenant_id, TermsAcceptance.version == TERMS_VERSION)
        .limit(1)
    )
    return rows.scalar_one_or_none()


async def must_ask(db: AsyncSession, user: User) -> bool:
    """An owner or admin of a tenant that has not accepted the current version yet."""
    return user.role in MAY_ACCEPT and await current_acceptance(db, user.tenant_id) is None
