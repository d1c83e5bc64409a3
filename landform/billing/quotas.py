"""Quotas: what a tenant's plan allows, what it uses, and holding leads beyond the month's allowance.

Pages, forms and users over the limit are refused when created (`ensure_room`). Leads are never
refused: a submission over the month's allowance is stored like any other, but instead of its routing
job it gets a `HeldLead` row, and the dashboard says so. `release_held` writes the routing jobs once
there is room again: right after an upgrade, and every hour (so at the turn of the month, UTC).

A lead counts against the month it was routed in: the submissions that arrived this month, minus
those held this month, plus those released this month. A minor's lead waiting for a parent is held
the same way (reason "parent"); the parent's consent releases it through the same check
(`route_after_parent`), so it counts when routed and is held at the limit like any other.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform import hooks
from landform.accounts.models import User
from landform.billing.models import HeldLead, Subscription
from landform.billing.plans import FREE, PLANS, Plan, limit_label
from landform.core import memo
from landform.core.db import TenantScopeMissing, sync_session, utcnow
from landform.core.i18n import gettext as _
from landform.core.settings import Settings
from landform.crm_sink.models import Submission
from landform.crm_sink.routing_job import enqueue_routing

log = logging.getLogger(__name__)

# Why a lead is held: over the month's allowance, or (a minor's) waiting for a parent's consent.
OVER_QUOTA = "quota"
WAITING_FOR_PARENT = "parent"


def _counted() -> dict[str, Any]:
    """Models whose rows a plan limits, by the name of the limit: users here, pages and forms from
    `hooks.counted_rows` (billing does not import the domains that own them)."""
    return {"users": User, **dict(hooks.counted_rows)}


class QuotaExceeded(Exception):
    """Creating this would go over what the tenant's plan allows."""

    def __init__(self, kind: str, plan: Plan, limit: int) -> None:
        self.kind, self.plan, self.limit = kind, plan, limit
        super().__init__(
            _(
                "Your %(plan)s plan allows %(limit)d of these (%(what)s) and they are all in use. "
                "Upgrade on the Billing page, or remove one first.",
                plan=plan.name,
                limit=limit,
                what=limit_label(kind).lower(),
            )
        )


def month_start(now: datetime) -> datetime:
    """The first moment of `now`'s month (UTC): the lead allowance is per calendar month."""
    now = now.astimezone(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(now: datetime) -> datetime:
    start = month_start(now)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def plan_of(subscription: Subscription | None) -> Plan:
    if subscription is None:
        return FREE
    return PLANS.get(subscription.plan, FREE)


def subscription_of(session: Session) -> Subscription | None:
    """The scoped tenant's subscription row (None: never subscribed, so Free)."""
    return session.execute(select(Subscription)).scalar_one_or_none()


def leads_routed_this_month(
    session: Session, now: datetime | None = None, leaving_out: UUID | None = None
) -> int:
    """How many leads of the scoped tenant count against this month's allowance (but `leaving_out`)."""
    start = month_start(now or utcnow())
    arrived_query = select(func.count(Submission.id)).where(Submission.created_at >= start)
    if leaving_out is not None:
        arrived_query = arrived_query.where(Submission.id != leaving_out)
    arrived = session.execute(arrived_query).scalar_one()
    held = session.execute(select(func.count(HeldLead.id)).where(HeldLead.created_at >= start)).scalar_one()
    released = session.execute(
        select(func.count(HeldLead.id)).where(HeldLead.released_at >= start)
    ).scalar_one()
    return int(arrived - held + released)


def leads_waiting(session: Session) -> int:
    """Leads held over the allowance (not those still waiting for a parent: they are not leads yet)."""
    return int(
        session.execute(
            select(func.count(HeldLead.id)).where(
                HeldLead.released_at.is_(None), HeldLead.reason == OVER_QUOTA
            )
        ).scalar_one()
    )


def _must_hold(session: Session, new: UUID | None = None) -> tuple[bool, Plan]:
    """Whether a new lead of the scoped tenant must be held, and its plan: one statement, exact.

    Four counts and the plan in one round trip (the intake's hot path on a limited plan); the same
    numbers as `leads_waiting` and `leads_routed_this_month`. The `new` lead may have been flushed by an
    earlier query of the caller, so it is left out of the count either way.
    """
    tenant_id = session.info.get("tenant_id")
    if tenant_id is None:
        raise TenantScopeMissing("a lead's quota without a tenant in scope")
    start = month_start(utcnow())

    def counted(model: Any, *where: Any) -> Any:
        return select(func.count(model.id)).where(model.tenant_id == tenant_id, *where).scalar_subquery()

    # Not flushed here (a duplicate must still fail at the caller's commit).
    arrived_since = [Submission.created_at >= start]
    if new is not None:
        arrived_since.append(Submission.id != new)
    with session.no_autoflush:
        plan_code, waiting, arrived, held, released = session.execute(
            select(
                select(Subscription.plan).where(Subscription.tenant_id == tenant_id).scalar_subquery(),
                counted(HeldLead, HeldLead.released_at.is_(None), HeldLead.reason == OVER_QUOTA),
                counted(Submission, *arrived_since),
                counted(HeldLead, HeldLead.created_at >= start),
                counted(HeldLead, HeldLead.released_at >= start),
            )
        ).one()
    plan = PLANS.get(plan_code, FREE) if plan_code else FREE
    if plan.leads_per_month is None:
        return False, plan
    if waiting:
        return True, plan  # first come, first routed: a new lead does not overtake the held ones
    return arrived - held + released >= plan.leads_per_month, plan


# Each tenant's plan as this process last read it, for at most `memo.lifetime()` seconds (see
# landform/core/memo.py): every hosted page, form view and submission asks whether the plan shows the
# "Made with Landform" link or limits the month's leads. A plan change made in this process is seen at
# once; one made elsewhere (a Stripe webhook on another app server, the worker ending a grace period)
# within that time. A limited plan's hold decision is still counted exactly for every lead.
_plans: memo.Memo[str] = memo.Memo(seconds=memo.lifetime(), watch={Subscription: lambda row: row.tenant_id})


async def must_hold(db: AsyncSession, submission: Submission) -> bool:
    """Whether a new lead must be held because the month's leads are used up (decided, not written).

    Exact for every lead on a limited plan; a plan without a limit is taken from memory (see `_plans`).
    """
    tenant_id = submission.tenant_id
    remembered = _plans.get(tenant_id)
    if remembered is not None and PLANS.get(remembered, FREE).leads_per_month is None:
        return False
    held, plan = await db.run_sync(lambda session: _must_hold(session, submission.id))
    _plans.keep(tenant_id, plan.code, depends_on=(tenant_id,))
    return held


def hold(db: AsyncSession, submission: Submission, reason: str = OVER_QUOTA) -> None:
    """Hold a stored lead: over the month's allowance (routed once there is room), or waiting for a parent.

    A minor's lead waiting for a parent does not count against the month meanwhile.
    """
    db.add(HeldLead(tenant_id=submission.tenant_id, submission_id=submission.id, reason=reason))
    if reason == OVER_QUOTA:
        log.info("billing: lead %s held, the month's allowance is used", submission.id)


def route_after_parent(session: Session, submission: Submission, now: datetime | None = None) -> bool:
    """A parent consented: route the lead, or hold it over the allowance like any new lead. True if held.

    Runs in the caller's (tenant-scoped) transaction.
    """
    now = now or utcnow()
    waiting = session.execute(
        select(HeldLead).where(
            HeldLead.submission_id == submission.id,
            HeldLead.reason == WAITING_FOR_PARENT,
            HeldLead.released_at.is_(None),
        )
    ).scalar_one_or_none()
    # Its parent's hold balances its arrival in the count (or it counted when it arrived, if none).
    held, _plan = _must_hold(session)
    if waiting is None:
        # Held for a parent before minors' leads were counted: it joins the queue as a new lead would.
        if held:
            session.add(HeldLead(tenant_id=submission.tenant_id, submission_id=submission.id))
    elif held:
        waiting.reason = OVER_QUOTA  # from now on it waits for room, in the order it arrived
    else:
        waiting.released_at = now
    if held:
        log.info(
            "billing: lead %s held after a parent's consent, the month's allowance is used", submission.id
        )
    else:
        enqueue_routing(session, submission.id, submission.tenant_id)
    return held


def release_held(session: Session, tenant_id: UUID, now: datetime | None = None) -> int:
    """Route as many held leads (oldest first) as the plan has room for this month; returns how many."""
    now = now or utcnow()
    plan = plan_of(subscription_of(session))
    query = (
        select(HeldLead)
        .where(HeldLead.released_at.is_(None), HeldLead.reason == OVER_QUOTA)
        .order_by(HeldLead.created_at, HeldLead.id)
    )
    if plan.leads_per_month is not None:
        room = plan.leads_per_month - leads_routed_this_month(session, now)
        if room <= 0:
            return 0
        query = query.limit(room)
    held = list(session.execute(query.with_for_update()).scalars())
    for lead in held:
        lead.released_at = now
        enqueue_routing(session, lead.submission_id, tenant_id)
    if held:
        log.info("billing: released %d held leads of tenant %s", len(held), tenant_id)
    return len(held)


def release_held_job(settings: Settings) -> int:
    """The hourly release: every tenant with held leads gets them routed as far as its plan allows."""
    with sync_session(settings.database.sync_url) as session:
        tenants = list(
            session.execute(
                select(HeldLead.tenant_id)
                .where(HeldLead.released_at.is_(None), HeldLead.reason == OVER_QUOTA)
                .distinct()
                .execution_options(all_tenants=True)
            ).scalars()
        )
    released = 0
    for tenant_id in tenants:
        with sync_session(settings.database.sync_url, tenant_id) as session:
            released += release_held(session, tenant_id)
            session.commit()
    return released


def count(session: Session, kind: str) -> int:
    """How many rows of a limited kind the scoped tenant has (leads: routed this month)."""
    if kind == "leads_per_month":
        return leads_routed_this_month(session)
    model = _counted()[kind]
    return int(session.execute(select(func.count(model.id))).scalar_one())


def usage(session: Session) -> dict[str, int]:
    return {kind: count(session, kind) for kind in ("leads_per_month", *_counted())}


def check_room(session: Session, kind: str) -> None:
    """Raise QuotaExceeded when the scoped tenant cannot add one more `kind` (pages, forms, users)."""
    plan = plan_of(subscription_of(session))
    limit = plan.limit(kind)
    if limit is not None and count(session, kind) >= limit:
        raise QuotaExceeded(kind, plan, limit)


async def has_feature(db: AsyncSession, feature: str) -> bool:
    """Whether the scoped tenant's plan includes `feature` (plans.FEATURES)."""
    tenant_id = db.info.get("tenant_id")
    code = _plans.get(tenant_id) if tenant_id is not None else None
    if code is None:
        code = await db.run_sync(lambda session: plan_of(subscription_of(session)).code)
        if tenant_id is not None:
            _plans.keep(tenant_id, code, depends_on=(tenant_id,))
    return PLANS.get(code, FREE).has(feature)


async def shows_branding(db: AsyncSession) -> bool:
    """Whether the scoped tenant's pages and forms carry the small "Made with Landform" link."""
    return not await has_feature(db, "remove_branding")


async def ensure_room(db: AsyncSession, kind: str) -> None:
    """`check_room` for a request's session: call it before creating a page, a form or a user."""
    await db.run_sync(lambda session: check_room(session, kind))


async def storage_allowance(db: AsyncSession) -> int:
    """How many bytes of visitors' files the scoped tenant's plan keeps at once."""
    return await db.run_sync(lambda session: plan_of(subscription_of(session)).storage_bytes)
