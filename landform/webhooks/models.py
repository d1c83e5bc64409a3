"""Webhook endpoints, the events queued for them, each delivery of an event to an endpoint, and its attempts.

The event's payload is a snapshot of the contact at the moment it happened; it is personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, DateTimeUTC, TenantScoped

# Privacy notices (notices.py): they carry no personal data beyond a keyed hash, go out about contacts who
# asked not to be contacted, and stay when the person is erased, as the record that systems were told.
NOTICE_TYPES = ("contact.erased", "consent.withdrawn", "contact.do_not_contact")
EVENT_TYPES = (
    "contact.created",
    "contact.updated",
    "submission.routed",
    "contact.stage_changed",
    *NOTICE_TYPES,
)
PERSONAL = {"personal": True}


class WebhookEndpoint(TenantScoped, Base):
    """A URL of the tenant's own system that receives the events it subscribed to."""

    __tablename__ = "webhook_endpoint"

    url: Mapped[str] = mapped_column(String(2000), info={"personal": False})
    description: Mapped[str] = mapped_column(String(200), default="", info={"personal": False})
    events: Mapped[list[str]] = mapped_column(JSON, default=list, info={"personal": False})
    # Kept readable because every payload is signed with it; shown to the user once, at creation or rotation.
    secret: Mapped[str] = mapped_column(String(100), info={"personal": False})
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str] = mapped_column(String(300), default="", info={"personal": False})
    # Failed attempts since the last success, and when that run of failures began.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)


class WebhookEvent(TenantScoped, Base):
    """Something that happened, with the payload every subscribed endpoint receives."""

    __tablename__ = "webhook_event"

    type: Mapped[str] = mapped_column(String(40), info={"personal": False})
    contact_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("contact.id", ondelete="CASCADE"), index=True, nullable=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, info=PERSONAL)
    # The privacy request a notice answers (privacy sits above webhooks, so no relationship to it).
    request_id: Mapped[UUID | None] = mapped_column(GUID, index=True, nullable=True)


class WebhookDelivery(TenantScoped, Base):
    """One event on its way to one endpoint: pending, delivered, failed (attempts used up) or skipped."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        Index("ix_webhook_delivery_endpoint_time", "endpoint_id", "created_at"),
    )

    event_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("webhook_event.id", ondelete="CASCADE"))
    endpoint_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending", info={"personal": False})
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # A privacy notice's receiver confirmed it acted, with a signed acknowledgement (notices.py).
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)


class WebhookAttempt(TenantScoped, Base):
    """One HTTP request of a delivery, as the delivery log shows it."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (Index("ix_webhook_attempt_delivery", "delivery_id", "created_at"),)

    delivery_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("webhook_delivery.id", ondelete="CASCADE"))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    # The start of the receiver's answer; it could echo the payload, so it counts as personal.
    response_excerpt: Mapped[str] = mapped_column(Text, default="", info=PERSONAL)
    error: Mapped[str] = mapped_column(String(500), default="", info={"personal": False})
