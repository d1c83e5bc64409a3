"""Webhook rules: endpoints (checked against SSRF), signing, queuing events, and delivering them.

Delivery is at-least-once: every attempt is an outbox job (so a crash or a broker outage delays it, never
loses it), each attempt is logged, a failed attempt schedules the next one with exponential backoff and
jitter as an outbox row due later, and an endpoint failing for too long is switched off with a notice to
the tenant's owners. Receivers de-duplicate by the event id (`Landform-Event-Id`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx
from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landform.accounts.models import Role
from landform.accounts.notices import tell_team
from landform.billing import quotas
from landform.core import egress
from landform.core.db import scope_to_tenant, utcnow
from landform.core.egress import TargetRefused
from landform.core.i18n import gettext as _
from landform.core.jobs.models import OutboxJob
from landform.core.jobs.registry import add_job
from landform.core.personal_data import anonymize
from landform.core.settings import Settings, WebhookSettings, get_settings
from landform.crm_sink.models import Activity, Contact, ContactTag, Submission
from landform.hooks import PlanRef
from landform.webhooks.models import (
    EVENT_TYPES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

SIGNATURE_HEADER = "Landform-Signature"
TEST_EVENT = "webhook.test"
# The plan feature that lets a tenant's endpoints send (billing/plans.py).
FEATURE = "webhooks"
log = logging.getLogger(__name__)
MAX_RETRY_DELAY = 6 * 3600.0
EXCERPT_CHARS = 500


class WebhookInvalid(ValueError):
    """What the user typed cannot be an endpoint; `errors` by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


# --- signing ---------------------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Landform-Signature` header: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# --- where we may send -----------------------------------------------------------------------------


def check_target(url: str, settings: WebhookSettings) -> None:
    """Refuse URLs that are not https, or whose host resolves to an address outside the public internet.

    Checked when an endpoint is saved; at every request `egress.request` resolves the host again,
    checks, and connects to the address it checked. `LANDFORM_WEBHOOK_ALLOW_PRIVATE` (development and
    tests only) allows http and local receivers.
    """
    egress.vetted_address(_check_form(url, settings), allow_private=settings.allow_private_targets)


def _check_form(url: str, settings: WebhookSettings) -> httpx.URL:
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL:
        raise TargetRefused(_("This is not a valid address.")) from None
    if target.scheme not in ({"https", "http"} if settings.allow_private_targets else {"https"}):
        raise TargetRefused(_("The address must start with https://."))
    if not target.host or target.userinfo:
        raise TargetRefused(_("The address needs a host name and no user name or password."))
    return target


# --- endpoints -------------------------------------------------------------------------------------


def clean_endpoint(form: dict[str, Any], settings: WebhookSettings) -> tuple[str, str, list[str]]:
    """The URL, description and events of a submitted endpoint form, or WebhookInvalid."""
    url = str(form.get("url", "")).strip()
    description = str(form.get("description", "")).strip()[:200]
    events = [e for e in EVENT_TYPES if e in form.get("events", [])]
    errors: dict[str, str] = {}
    if not url:
        errors["url"] = _("Enter the address that receives the events.")
    elif len(url) > 2000:
        errors["url"] = _("The address is too long.")
    else:
        try:
            check_target(url, settings)
        except TargetRefused as refused:
            errors["url"] = str(refused)
    if not events:
        errors["events"] = _("Choose at least one event.")
    if errors:
        raise WebhookInvalid(errors)
    return url, description, events


# --- queuing events --------------------------------------------------------------------------------


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
        "tags": sorted(tags),
        "created_at": _iso(contact.created_at),
        "updated_at": _iso(contact.updated_at),
        "last_activity_at": _iso(contact.last_activity_at),
    }


def allowed(session: Session) -> bool:
    """Whether the scoped tenant's plan includes webhooks.

    On a plan without them endpoints are kept but send nothing: no new events are queued, and what was
    waiting stays waiting until an upgrade (`resume_after_upgrade`).
    """
    return quotas.plan_of(quotas.subscription_of(session)).has(FEATURE)


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


def resend(session: Session, delivery: WebhookDelivery) -> None:
    """Deliver again now, with a fresh set of attempts (the event and its id stay the same)."""
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = None
    add_job(session, "deliver_webhook", delivery.id, delivery.tenant_id)


def enable(session: Session, endpoint: WebhookEndpoint) -> int:
    """Switch an endpoint back on and send what waited for it; returns how many deliveries were queued."""
    endpoint.enabled = True
    endpoint.disabled_reason = ""
    endpoint.consecutive_failures = 0
    endpoint.failing_since = None
    return _send_waiting(session, WebhookDelivery.endpoint_id == endpoint.id)


def _send_waiting(session: Session, *where: Any) -> int:
    waiting = session.execute(
        select(WebhookDelivery).where(WebhookDelivery.status == "pending", *where)
    ).scalars()
    count = 0
    for delivery in waiting:
        add_job(session, "deliver_webhook", delivery.id, delivery.tenant_id)
        count += 1
    return count


def resume_after_upgrade(session: Session, tenant_id: UUID, before: PlanRef, after: PlanRef) -> None:
    """Billing's hook on a plan change: webhooks back in the plan send what waited meanwhile."""
    if after.has(FEATURE) and not before.has(FEATURE):
        enabled = select(WebhookEndpoint.id).where(WebhookEndpoint.enabled.is_(True))
        sent = _send_waiting(session, WebhookDelivery.endpoint_id.in_(enabled))
        log.info(
            "webhooks: plan of tenant %s includes webhooks again, %d deliveries resumed", tenant_id, sent
        )


# --- delivering ------------------------------------------------------------------------------------


def retry_delay(attempt: int, base: float) -> float:
    """Exponential backoff with "equal jitter": half the step fixed, half random, capped at 6 hours."""
    step = min(MAX_RETRY_DELAY, base * 2 ** max(attempt - 1, 0))
    return step / 2 + random.uniform(0, step / 2)


def _post(endpoint: WebhookEndpoint, event: WebhookEvent, settings: WebhookSettings) -> WebhookAttempt:
    body = json.dumps(event.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "content-type": "application/json",
        "user-agent": "Landform-Webhooks/1.0",
        SIGNATURE_HEADER: signature(endpoint.secret, int(time.time()), body),
        "Landform-Event": event.type,
        "Landform-Event-Id": str(event.id),
    }
    attempt = WebhookAttempt(id=uuid7(), tenant_id=endpoint.tenant_id)
    started = time.monotonic()
    try:
        _check_form(endpoint.url, settings)
        response = egress.request(
            "POST",
            endpoint.url,
            timeout=settings.timeout_seconds,
            allow_private=settings.allow_private_targets,
            headers=headers,
            content=body,
        )
        attempt.status_code = response.status_code
        attempt.response_excerpt = response.text[:EXCERPT_CHARS]
        if not 200 <= response.status_code < 300:
            attempt.error = f"HTTP {response.status_code}"
    except TargetRefused as refused:
        attempt.error = str(refused)[:500]
    except httpx.HTTPError as error:
        attempt.error = f"{type(error).__name__}: {error}"[:500] or type(error).__name__
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    return attempt


def _disable(session: Session, endpoint: WebhookEndpoint, reason: str, settings: Settings) -> None:
    endpoint.enabled = False
    endpoint.disabled_reason = reason[:300]
    host = urlsplit(endpoint.url).hostname or endpoint.url
    tell_team(
        session,
        endpoint.tenant_id,
        (Role.OWNER,),
        "webhook_disabled",
        url=endpoint.url,
        host=host,
        reason=reason,
        endpoint_id=endpoint.id,
    )


def deliver(session: Session, delivery_id: UUID) -> None:
    """One attempt to deliver one event to one endpoint; a failure schedules the next attempt."""
    settings = get_settings()
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "pending":
        return  # deleted with its endpoint, or already delivered, skipped or given up
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    event = session.get(WebhookEvent, delivery.event_id)
    if endpoint is None or event is None or not endpoint.enabled:
        return  # a switched-off endpoint gets its waiting deliveries when it is switched on again
    if not allowed(session):
        return  # the plan lost webhooks: it waits, and goes out after an upgrade
    if event.contact_id is not None:
        contact = session.get(Contact, event.contact_id)
        if contact is None or contact.do_not_contact:
            delivery.status = "skipped"
            return
    attempt = _post(endpoint, event, settings.webhooks)
    attempt.delivery_id = delivery.id
    session.add(attempt)
    now = utcnow()
    delivery.attempts += 1
    # Lock the endpoint only now, after the request, so parallel deliveries do not wait on each other.
    endpoint = session.execute(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if not attempt.error:
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        endpoint.consecutive_failures = 0
        endpoint.failing_since = None
        return
    endpoint.consecutive_failures += 1
    endpoint.failing_since = endpoint.failing_since or now
    if delivery.attempts >= settings.webhooks.max_attempts:
        delivery.status = "failed"
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + timedelta(
            seconds=retry_delay(delivery.attempts, settings.webhooks.retry_base_seconds)
        )
        # Due later: the outbox sweep sends it when its time comes, and it survives restarts meanwhile.
        session.add(
            OutboxJob(
                actor_name="deliver_webhook",
                subject_id=delivery.id,
                tenant_id=delivery.tenant_id,
                redispatch_at=delivery.next_attempt_at,
            )
        )
    failing_for = (now - endpoint.failing_since).total_seconds()
    if endpoint.enabled and (
        endpoint.consecutive_failures >= settings.webhooks.disable_after_failures
        or failing_for >= settings.webhooks.disable_after_seconds
    ):
        _disable(
            session,
            endpoint,
            _(
                "%(count)d failed attempts in a row; the last: %(error)s",
                count=endpoint.consecutive_failures,
                error=attempt.error,
            ),
            settings,
        )


def after_routing(session: Session, tenant_id: UUID, routed: list[tuple[UUID, UUID]]) -> None:
    """The router's hook: the events of a tenant's freshly routed submissions (the contact created or
    updated, and the routing), in a handful of statements for the whole batch.

    The router writes with Core statements in a session without a tenant; the events are made in a
    session on the same connection (so in the same transaction), scoped to the tenant.
    """
    with Session(bind=session.connection()) as scoped:
        scope_to_tenant(scoped, tenant_id)
        targets = {event_type: _subscribed(scoped, event_type) for event_type in EVENT_TYPES}
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
        (table.c.tenant_id == tenant_id) & table.c.contact_id.in_(contact_ids),
    )
