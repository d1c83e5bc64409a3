"""A tenant's subscription, the Stripe events applied to it, and the leads held over the plan's quota."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, DateTimeUTC, TenantScoped


class Subscription(TenantScoped, Base):
    """What a tenant pays for; a tenant without a row is on Free.

    `plan` is the plan in force (what the limits are read from); `status` is Stripe's word for the
    subscription (active, trialing, past_due, unpaid, canceled, ...), kept to explain the page.
    """

    __tablename__ = "billing_subscription"
    __table_args__ = (Index("uq_billing_subscription_tenant", "tenant_id", unique=True),)

    plan: Mapped[str] = mapped_column(String(16), default="free", info={"personal": False})
    status: Mapped[str] = mapped_column(String(24), default="none", info={"personal": False})
    stripe_customer_id: Mapped[str | None] = mapped_column(
        String(64), unique=True, nullable=True, info={"personal": False}
    )
    stripe_subscription_id: Mapped[str | None] = mapped_column(
        String(64), nullable=True, info={"personal": False}
    )
    current_period_end: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    # A payment failed: the plan stays until then, after which the tenant is moved to Free.
    grace_until: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # Stripe's `created` (Unix seconds) of the newest event applied to the subscription and to its
    # payments: an older event arriving late is ignored instead of undoing a newer one.
    subscription_event_at: Mapped[int] = mapped_column(Integer, default=0)
    payment_event_at: Mapped[int] = mapped_column(Integer, default=0)


class StripeEvent(Base):
    """A Stripe event that was applied: Stripe delivers at least once, we apply exactly once."""

    __tablename__ = "billing_stripe_event"

    event_id: Mapped[str] = mapped_column(String(255), unique=True, info={"personal": False})
    event_type: Mapped[str] = mapped_column(String(64), info={"personal": False})
    tenant_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("tenant.id", ondelete="CASCADE"), index=True, nullable=True
    )


class HeldLead(TenantScoped, Base):
    """A submission stored but not routed because the month's leads were used up.

    It is released (its routing job written) when the tenant upgrades or a new month starts; a released
    lead counts against the month it was released in. A minor's lead waits here too (`reason` "parent")
    until a parent consents, so that it counts when it is routed, like any other: never while it waits,
    never if the parent refuses (the submission and this row are purged).
    """

    __tablename__ = "billing_held_lead"
    __table_args__ = (Index("ix_billing_held_lead_tenant_released", "tenant_id", "released_at"),)

    submission_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("submission.id", ondelete="CASCADE"), unique=True
    )
    released_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # "quota": over the month's allowance; "parent": a minor's lead waiting for a parent's consent.
    reason: Mapped[str] = mapped_column(
        String(8), default="quota", server_default="quota", info={"personal": False}
    )
