"""Billing rules: applying Stripe's events to a tenant's subscription, once and in order; the grace period.

Stripe delivers each event at least once and in no guaranteed order. Each applied event's id is
stored (`StripeEvent`, unique), so a second delivery changes nothing. Subscription and invoice events
carry Stripe's `created` time; one older than the newest already applied to the same thing is
recorded but ignored, and a cancelled subscription never comes back to life.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform import hooks
from landform.accounts.models import Role, Tenant
from landform.accounts.notices import tell_team
from landform.billing import stripe_gateway
from landform.billing.models import StripeEvent, Subscription
from landform.billing.plans import FREE, Plan, plan_for_price
from landform.billing.quotas import plan_of, release_held
from landform.core.db import scope_to_tenant, sync_session, utcnow
from landform.core.settings import Settings, StripeSettings

log = logging.getLogger(__name__)

GRACE = timedelta(days=7)
# Stripe's subscription statuses under which the paid plan is in force (past_due: during the grace).
PAYING = {"active", "trialing", "past_due"}
ENDED = {"canceled", "incomplete_expired"}
# A tenant in one of these states may start a new subscription, whose events then take over.
REPLACEABLE = ENDED | {"none", "unpaid", "incomplete"}


def subscription_row(session: Session, tenant_id: UUID) -> Subscription:
    """The tenant's subscription row, created (on Free) the first time it is needed."""
    scope_to_tenant(session, tenant_id)
    row = session.execute(select(Subscription)).scalar_one_or_none()
    if row is None:
        row = Subscription(tenant_id=tenant_id, plan=FREE.code, status="none")
        session.add(row)
        session.flush()
    return row


def _row_for_customer(session: Session, customer_id: str | None) -> Subscription | None:
    if not customer_id:
        return None
    row = session.execute(
        select(Subscription)
        .where(Subscription.stripe_customer_id == customer_id)
        .execution_options(all_tenants=True)
    ).scalar_one_or_none()
    if row is not None:
        scope_to_tenant(session, row.tenant_id)
    return row


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def _price_of(subscription: dict[str, Any]) -> str:
    items = (subscription.get("items") or {}).get("data") or []
    if not items:
        return ""
    item = items[0]
    # Current Stripe nests a price; older API versions (and localstripe) a plan, whose id Stripe
    # accepts as a price id.
    price = item.get("price") or item.get("plan") or {}
    return str(price.get("id", "")) if isinstance(price, dict) else str(price)


def _period_end(subscription: dict[str, Any]) -> datetime | None:
    if subscription.get("current_period_end"):
        return _timestamp(subscription["current_period_end"])
    items = (subscription.get("items") or {}).get("data") or []
    return _timestamp(items[0].get("current_period_end")) if items else None


def apply_subscription(
    session: Session,
    row: Subscription,
    subscription: dict[str, Any],
    stripe: StripeSettings,
    *,
    deleted: bool = False,
) -> bool:
    """Make the row say what Stripe's subscription object says; returns False when it does not apply."""
    if row.stripe_subscription_id and row.stripe_subscription_id != subscription["id"]:
        if row.status not in REPLACEABLE or deleted:
            log.info("billing: ignored an event of subscription %s, not the current one", subscription["id"])
            return False
    elif row.status in ENDED and not deleted:
        return False  # a cancelled subscription does not come back; a new one has a new id
    before = plan_of(row)
    status = "canceled" if deleted else str(subscription.get("status", ""))
    if status == "past_due" and row.status == "unpaid":
        status = "unpaid"  # the grace period already ran out: Stripe retrying does not bring it back
    plan: Plan | None = plan_for_price(_price_of(subscription), stripe) if status in PAYING else None
    if status == "past_due" and row.grace_until is None:
        # Normally invoice.payment_failed starts the grace; this covers it arriving late or never.
        row.grace_until = utcnow() + GRACE
    if status in PAYING and plan is None:
        log.error("billing: subscription %s has a price no plan uses", subscription["id"])
    row.stripe_subscription_id = str(subscription["id"])
    row.status = status
    row.plan = (plan or FREE).code
    row.current_period_end = _period_end(subscription)
    row.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    if row.plan == FREE.code:
        row.grace_until = None
    after = plan_of(row)
    if after != before:
        for hook in hooks.plan_changed:
            hook(session, row.tenant_id, before, after)
    if _more_leads(after, before):
        session.flush()
        release_held(session, row.tenant_id)
    return True


def _more_leads(after: Plan, before: Plan) -> bool:
    if after.leads_per_month is None:
        return before.leads_per_month is not None
    return before.leads_per_month is not None and after.leads_per_month > before.leads_per_month


def apply_event(session: Session, event: dict[str, Any], stripe: StripeSettings) -> bool:
    """Apply one verified Stripe event; False when it was applied before. The caller commits.

    Raises ValueError for an event not shaped like Stripe's (no id, type, created time or object).
    """
    if not (
        isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("created", 0), int)
        and isinstance((event.get("data") or {}).get("object"), dict)
    ):
        raise ValueError("not a Stripe event")
    event_id = str(event["id"])
    seen = session.execute(
        select(StripeEvent.id).where(StripeEvent.event_id == event_id).execution_options(all_tenants=True)
    ).first()
    if seen is not None:
        return False
    kind = str(event.get("type", ""))
    created = int(event.get("created") or 0)
    obj: dict[str, Any] = event.get("data", {}).get("object", {})
    row: Subscription | None = None
    if kind == "checkout.session.completed":
        row = _apply_checkout(session, obj)
    elif kind.startswith("customer.subscription."):
        row = _row_for_customer(session, obj.get("customer"))
        if (
            row is not None
            and created >= row.subscription_event_at
            and apply_subscription(session, row, obj, stripe, deleted=kind.endswith(".deleted"))
        ):
            row.subscription_event_at = created
    elif kind == "invoice.payment_failed":
        row = _row_for_customer(session, obj.get("customer"))
        if row is not None and created >= row.payment_event_at:
            row.payment_event_at = created
            if row.grace_until is None and row.plan != FREE.code:
                row.grace_until = datetime.fromtimestamp(created, UTC) + GRACE
                _tell_managers_payment_failed(session, row)
    elif kind in {"invoice.paid", "invoice.payment_succeeded"}:
        row = _row_for_customer(session, obj.get("customer"))
        if row is not None and created >= row.payment_event_at:
            row.payment_event_at = created
            row.grace_until = None
    tenant_id = row.tenant_id if row else None
    session.add(StripeEvent(event_id=event_id, event_type=kind[:64], tenant_id=tenant_id))
    return True


def _tell_managers_payment_failed(session: Session, row: Subscription) -> None:
    """E-mail the tenant's owners and admins: the card needs updating before the grace runs out."""
    tenant = session.get_one(Tenant, row.tenant_id)
    tell_team(
        session,
        row.tenant_id,
        (Role.OWNER, Role.ADMIN),
        "payment_failed",
        company=tenant.name,
        plan=plan_of(row).lazy_name,
        grace_until=row.grace_until,
    )


def _apply_checkout(session: Session, checkout: dict[str, Any]) -> Subscription | None:
    """Checkout finished: remember the subscription it made (its state arrives in its own events)."""
    row = _row_for_customer(session, checkout.get("customer"))
    if row is None:
        try:
            tenant_id = UUID(str(checkout.get("client_reference_id")))
        except ValueError:
            return None
        row = subscription_row(session, tenant_id)
        row.stripe_customer_id = row.stripe_customer_id or checkout.get("customer")
    subscription_id = checkout.get("subscription")
    if subscription_id and (row.stripe_subscription_id is None or row.status in REPLACEABLE):
        row.stripe_subscription_id = str(subscription_id)
        if row.status in ENDED:
            row.status = "incomplete"  # the new subscription's own events bring its state
    return row


def end_grace(session: Session, now: datetime | None = None) -> list[tuple[UUID, str | None]]:
    """Move every tenant whose grace period is over to Free; returns (tenant, subscription id) of each."""
    now = now or utcnow()
    rows = list(
        session.execute(
            select(Subscription)
            .where(Subscription.grace_until.is_not(None), Subscription.grace_until <= now)
            .execution_options(all_tenants=True)
            .with_for_update()
        ).scalars()
    )
    ended = []
    for row in rows:
        ended.append((row.tenant_id, row.stripe_subscription_id))
        log.info("billing: grace over for tenant %s, moved to Free", row.tenant_id)
        row.plan = FREE.code
        row.status = "unpaid"
        row.grace_until = None
    return ended


def end_grace_job(settings: Settings) -> int:
    """The hourly downgrade after an unpaid invoice's grace period, and the cancellation at Stripe."""
    with sync_session(settings.database.sync_url) as session:
        ended = end_grace(session)
        session.commit()
    for _tenant_id, subscription_id in ended:
        if subscription_id and settings.stripe.configured:
            try:
                stripe_gateway.cancel_now(settings.stripe, subscription_id)
            except stripe_gateway.BillingUnavailable as error:
                # Already moved to Free here; Stripe stops retrying on its own schedule.
                log.warning("billing: could not cancel %s at Stripe: %s", subscription_id, error)
    return len(ended)
