"""Privacy notices to the tenant's other systems: erasure, withdrawal, do-not-contact; and their receipts.

A notice carries only what a receiver needs to find its own copy: the contact id it was sent before and
`email_hash`, the HMAC-SHA256 of the normalized address (trimmed, case-folded) keyed with the endpoint's
signing secret. Keyed, so the hash means nothing to anyone without that endpoint's secret; per endpoint, so
each endpoint gets its own event (and its own acknowledgement URL). The notice never holds the erased data,
so an erasure leaves it in place as the record that the other systems were told.

A receiver may confirm with a signed acknowledgement: a POST to the event's `ack_url`, body
`{"event_id": "<the event's id>"}`, signed like our deliveries with the same secret (docs/webhooks.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landform.core.db import scope_to_tenant, utcnow
from landform.core.settings import get_settings
from landform.webhooks.events import _EventSpec, _queue_events, _subscribed
from landform.webhooks.models import NOTICE_TYPES, WebhookDelivery, WebhookEndpoint, WebhookEvent

# A notice nobody confirmed within this time is flagged in the privacy queue.
ACK_DAYS = 7
# How old an acknowledgement's signature may be.
ACK_TOLERANCE_SECONDS = 300


class AckRefused(ValueError):
    """An acknowledgement that does not name this event (400) or is not signed with its secret (401)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def email_hash(secret: str, key: str) -> str:
    """The documented key for an address: hex HMAC-SHA256 of the trimmed, case-folded address."""
    return hmac.new(secret.encode(), key.strip().casefold().encode(), hashlib.sha256).hexdigest()


def ack_url(event_id: UUID) -> str:
    return f"{get_settings().server.base_url}/webhooks/ack/{event_id}"


def tell(
    session: Session,
    event_type: str,
    contact_ids: list[UUID],
    key: str,
    *,
    request_id: UUID | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    """Queue a notice about each contact to each subscribed endpoint; how many events were queued.

    `key` is the person's e-mail key, read before an erasure empties it. Unlike other events, a notice
    goes out about a contact who asked not to be contacted: it is what that wish asks for.
    """
    assert event_type in NOTICE_TYPES
    targets = _subscribed(session, event_type)
    specs: list[_EventSpec] = []
    for endpoint in targets:
        for contact_id in contact_ids:
            data = {
                "contact": {"id": str(contact_id), "email_hash": email_hash(endpoint.secret, key)},
                **(extra or {}),
            }
            specs.append((event_type, data, None, [endpoint]))
    events = _queue_events(session, specs)
    # Queued without a contact, so the do-not-contact rule of other events does not hold them back.
    for event in events:
        event.contact_id = UUID(event.payload["data"]["contact"]["id"])
        event.request_id = request_id
        # The id exists only now: the receiver's address for its acknowledgement names it.
        event.payload = {**event.payload, "data": {**event.payload["data"], "ack_url": ack_url(event.id)}}
    session.flush()
    return len(events)


def _verify(secret: str, header: str, body: bytes, now: float) -> bool:
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > ACK_TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


def acknowledge(session: Session, event_id: UUID, header: str, body: bytes) -> datetime:
    """Record a receiver's signed confirmation of a notice; when it was first confirmed.

    The body names the event, so an acknowledgement cannot be replayed for another one.
    """
    try:
        named = json.loads(body or b"{}").get("event_id")
    except (ValueError, AttributeError, RecursionError):
        # Not JSON, not an object, or nested deeper than the parser's recursion limit: all the sender's
        # fault, so the same 400 as any body that does not name the event.
        named = None
    if named != str(event_id):
        raise AckRefused('the body must be JSON naming this event: {"event_id": "..."}', 400)
    # The receiver is not logged in: the event names its tenant, and the session is scoped to that.
    tenant_id = session.execute(
        select(WebhookEvent.tenant_id).where(WebhookEvent.id == event_id).execution_options(all_tenants=True)
    ).scalar_one_or_none()
    if tenant_id is None:
        raise LookupError(event_id)
    scope_to_tenant(session, tenant_id)
    row = session.execute(
        select(WebhookDelivery, WebhookEndpoint.secret)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.event_id == event_id, WebhookEvent.type.in_(NOTICE_TYPES))
    ).first()
    if row is None:
        raise LookupError(event_id)
    delivery, secret = row
    if not _verify(secret, header, body, time.time()):
        raise AckRefused("the Landform-Signature header does not match this endpoint's secret", 401)
    if delivery.acknowledged_at is None:
        delivery.acknowledged_at = utcnow()
    return delivery.acknowledged_at


@dataclass(frozen=True)
class Notice:
    """One notice to one endpoint, as the audit trail and the evidence bundle list it."""

    event_id: UUID
    type: str
    contact_id: UUID | None
    endpoint_url: str
    queued_at: datetime
    status: str
    delivered_at: datetime | None
    acknowledged_at: datetime | None

    def unconfirmed_after(self, now: datetime) -> bool:
        """Still not confirmed ACK_DAYS after it was queued."""
        return self.acknowledged_at is None and self.queued_at < now - timedelta(days=ACK_DAYS)

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": str(self.event_id),
            "type": self.type,
            "contact_id": str(self.contact_id) if self.contact_id else None,
            "endpoint": self.endpoint_url,
            "queued_at": self.queued_at.isoformat(),
            "status": self.status,
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
        }


def notices(
    session: Session, *, request_id: UUID | None = None, contact_id: UUID | None = None
) -> list[Notice]:
    """The notices about a privacy request or a contact, oldest first."""
    query = (
        select(WebhookEvent, WebhookDelivery, WebhookEndpoint.url)
        .join(WebhookDelivery, WebhookDelivery.event_id == WebhookEvent.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookEvent.type.in_(NOTICE_TYPES))
        .order_by(WebhookEvent.created_at, WebhookEvent.id)
    )
    if request_id is not None:
        query = query.where(WebhookEvent.request_id == request_id)
    if contact_id is not None:
        query = query.where(WebhookEvent.contact_id == contact_id)
    return [
        Notice(
            event_id=event.id,
            type=event.type,
            contact_id=event.contact_id,
            endpoint_url=url,
            queued_at=event.created_at,
            status=delivery.status,
            delivered_at=delivery.delivered_at,
            acknowledged_at=delivery.acknowledged_at,
        )
        for event, delivery, url in session.execute(query).tuples()
    ]


def unconfirmed_by_request(session: Session, request_ids: list[UUID], now: datetime) -> dict[UUID, int]:
    """For the privacy queue: per request, how many notices are still unconfirmed after ACK_DAYS."""
    if not request_ids:
        return {}
    rows = session.execute(
        select(WebhookEvent.request_id, func.count())
        .join(WebhookDelivery, WebhookDelivery.event_id == WebhookEvent.id)
        .where(
            WebhookEvent.request_id.in_(request_ids),
            WebhookDelivery.acknowledged_at.is_(None),
            WebhookEvent.created_at < now - timedelta(days=ACK_DAYS),
        )
        .group_by(WebhookEvent.request_id)
    ).tuples()
    return {request_id: count for request_id, count in rows if request_id is not None}
