"""Webhook events: queued on routing, contact changes and tests; their part in a person's copy and erasure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landform.core.db import scope_to_tenant, utcnow
from landform.core.jobs.registry import add_job
from landform.core.personal_data import anonymize
from landform.crm_sink.models import Activity, Contact, ContactTag, Submission
from landform.webhooks.endpoints import allowed
from landform.webhooks.models import NOTICE_TYPES, WebhookDelivery, WebhookEndpoint, WebhookEvent

TEST_EVENT = "webhook.test"
# The events routing a submission can raise.
ROUTING_TYPES = ("contact.created", "contact.updated", "submission.routed")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def contact_payload(session: Session, contact: Contact) -> dict[str, Any]:
    tags = session.execute(select(ContactTag.tag).where(ContactTag.contact_id == contact.id)).scalars()
    return _contact_data(contact, tags)


def _contact_data(contact: Contact, tags: Iterable[str]) -> dict[str, Any]:
    return {
        "id": str(contact.id),
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "phone": contact.phone,
        "job_title": contact.job_title,
        "company_name": contact.company_name,
        "company_id": str(contact.company_id) if contact.company_id else None,
        "language": contact.language,
        "source": contact.source,
        "owner_id": str(contact.owner_id) if contact.owner_id else None,
        "stage": contact.stage,
        "tags": sorted(tags),
        "created_at": _iso(contact.created_at),
        "updated_at": _iso(contact.updated_at),
        "last_activity_at": _iso(contact.last_activity_at),
    }


def _subscribed(session: Session, event_type: str) -> list[WebhookEndpoint]:
    # Asked once per session: routing a batch of submissions does not ask again for each.
    cache = session.info.setdefault("webhook_endpoints", {})
    tenant_id = session.info.get("tenant_id")
    if tenant_id not in cache:
        cache[tenant_id] = (
            list(session.execute(select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True))).scalars())
            if allowed(session)
            else []
        )
    return [endpoint for endpoint in cache[tenant_id] if event_type in endpoint.events]


def queue_event(
    session: Session,
    event_type: str,
    data: dict[str, Any],
    *,
    contact: Contact | None = None,
    endpoints: list[WebhookEndpoint] | None = None,
) -> WebhookEvent | None:
    """Queue an event for every endpoint subscribed to it, in the caller's transaction.

    Nothing is queued about a contact who asked not to be contacted: their data does not leave.
    """
    targets = endpoints if endpoints is not None else _subscribed(session, event_type)
    events = _queue_events(session, [(event_type, data, contact, targets)])
    return events[0] if events else None


# What one event is made of: its type, its data, the contact it is about (if any), where it goes.
_EventSpec = tuple[str, dict[str, Any], Contact | None, list[WebhookEndpoint]]


def _queue_events(session: Session, specs: list[_EventSpec]) -> list[WebhookEvent]:
    """The events and their deliveries, in two flushes however many there are."""
    events: list[WebhookEvent] = []
    deliveries: list[tuple[UUID, WebhookEndpoint]] = []
    for event_type, data, contact, targets in specs:
        if not targets or (contact is not None and contact.do_not_contact):
            continue
        event_id = uuid7()
        payload = {"id": str(event_id), "type": event_type, "created_at": _iso(utcnow()), "data": data}
        events.append(
            WebhookEvent(
                id=event_id,
                type=event_type,
                contact_id=contact.id if contact else None,
                payload=payload,
                tenant_id=targets[0].tenant_id,
            )
        )
        deliveries += [(event_id, endpoint) for endpoint in targets]
    if not events:
        return []
    session.add_all(events)
    session.flush()  # the deliveries refer to them; without relationships the flush would not order them
    for event_id, endpoint in deliveries:
        delivery = WebhookDelivery(
            id=uuid7(), event_id=event_id, endpoint_id=endpoint.id, tenant_id=endpoint.tenant_id
        )
        session.add(delivery)
        add_job(session, "deliver_webhook", delivery.id, endpoint.tenant_id)
    return events


def contact_changed(session: Session, contact: Contact, *, created: bool = False) -> None:
    """contact.created or contact.updated, with the contact as it is now."""
    event_type = "contact.created" if created else "contact.updated"
    if _subscribed(session, event_type):
        queue_event(session, event_type, {"contact": contact_payload(session, contact)}, contact=contact)


def stage_changed(session: Session, contact: Contact, change: dict[str, Any]) -> None:
    """contact.stage_changed: the contact as it is now, and the stage it left and why."""
    if _subscribed(session, "contact.stage_changed"):
        data = {
            "contact": contact_payload(session, contact),
            "stage": {"from": change["from"], "to": change["to"], "reason": change["reason"]},
            "changed_by": change.get("by_id"),
        }
        queue_event(session, "contact.stage_changed", data, contact=contact)


def _routed_event(submission: Submission, contact_data: dict[str, Any]) -> dict[str, Any]:
    return {
        "contact": contact_data,
        "submission": {
            "id": str(submission.id),
            "form_id": str(submission.form_id) if submission.form_id else None,
            "created_at": _iso(submission.created_at),
            "answers": submission.data,
            "context": submission.context,
        },
    }


def queue_test_event(session: Session, endpoint: WebhookEndpoint) -> WebhookEvent | None:
    return queue_event(
        session,
        TEST_EVENT,
        {"message": "A test event from Landform. Answer with a 2xx status code."},
        endpoints=[endpoint],
    )


def after_routing(session: Session, tenant_id: UUID, routed: list[tuple[UUID, UUID]]) -> None:
    """The router's hook: the events of a tenant's freshly routed submissions (the contact created or
    updated, and the routing), in a handful of statements for the whole batch.

    The router writes with Core statements in a session without a tenant; the events are made in a
    session on the same connection (so in the same transaction), scoped to the tenant.
    """
    with Session(bind=session.connection()) as scoped:
        scope_to_tenant(scoped, tenant_id)
        targets = {event_type: _subscribed(scoped, event_type) for event_type in ROUTING_TYPES}
        if not any(targets.values()):
            return
        pairs = dict(routed)
        submissions = {
            row.id: row for row in scoped.scalars(select(Submission).where(Submission.id.in_(pairs)))
        }
        contacts = {
            row.id: row for row in scoped.scalars(select(Contact).where(Contact.id.in_(set(pairs.values()))))
        }
        activities = dict(
            scoped.execute(
                select(Activity.contact_id, func.count())
                .where(Activity.contact_id.in_(contacts))
                .group_by(Activity.contact_id)
            ).all()
        )
        tags: dict[UUID, list[str]] = defaultdict(list)
        for contact_id, tag in scoped.execute(
            select(ContactTag.contact_id, ContactTag.tag).where(ContactTag.contact_id.in_(contacts))
        ).tuples():
            tags[contact_id].append(tag)
        specs: list[_EventSpec] = []
        for submission_id, contact_id in routed:
            submission, contact = submissions.get(submission_id), contacts.get(contact_id)
            if submission is None or contact is None:
                continue
            data = _contact_data(contact, tags[contact.id])
            # A contact's first activity is the one just routed: it was created by this submission.
            changed = "contact.created" if activities.get(contact.id, 0) <= 1 else "contact.updated"
            specs.append((changed, {"contact": data}, contact, targets[changed]))
            routed_event = _routed_event(submission, data)
            specs.append(("submission.routed", routed_event, contact, targets["submission.routed"]))
        _queue_events(scoped, specs)
        scoped.flush()
        # Its delivery jobs go to the broker when the router's transaction commits, like its own.
        session.info.setdefault("outbox_to_send", []).extend(scoped.info.pop("outbox_to_send", []))


def privacy_export(session: Session, tenant_id: UUID, key: str) -> tuple[str, list[dict[str, Any]]]:
    """For a person's copy of their data: every webhook event that carried it, and where it went."""
    events = session.execute(
        select(WebhookEvent)
        .join(Contact, Contact.id == WebhookEvent.contact_id)
        .where(WebhookEvent.tenant_id == tenant_id, Contact.email_key == key)
        .order_by(WebhookEvent.created_at)
        .execution_options(all_tenants=True)
    ).scalars()
    rows = []
    for event in events:
        deliveries = session.execute(
            select(WebhookDelivery, WebhookEndpoint.url)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.event_id == event.id)
            .execution_options(all_tenants=True)
        ).all()
        rows.append(
            {
                "event_id": str(event.id),
                "type": event.type,
                "created_at": _iso(event.created_at),
                "sent_to": [
                    {"url": url, "status": delivery.status, "delivered_at": _iso(delivery.delivered_at)}
                    for delivery, url in deliveries
                ],
                "data": event.payload,
            }
        )
    return "webhook_deliveries", rows


def webhook_events(session: Session, tenant_id: UUID, key: str, contact_ids: list[UUID]) -> int:
    """For an erasure: the person's data in the events kept for the delivery log is emptied."""
    if not contact_ids:
        return 0
    table = WebhookEvent.__table__
    return anonymize(
        session,
        table,  # type: ignore[arg-type]
        # A privacy notice holds no personal data: it stays as the record that the systems were told.
        (table.c.tenant_id == tenant_id)
        & table.c.contact_id.in_(contact_ids)
        & table.c.type.not_in(NOTICE_TYPES),
    )
