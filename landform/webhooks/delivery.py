"""Delivering webhook events: signing, one attempt through landform/core/egress.py, its log, and backoff.

Delivery is at-least-once: every attempt is an outbox job (so a crash or a broker outage delays it, never
loses it), each attempt is logged, a failed attempt schedules the next one with exponential backoff and
jitter as an outbox row due later, and an endpoint failing for too long is switched off with a notice to
the tenant's owners. Receivers de-duplicate by the event id (`Landform-Event-Id`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from datetime import timedelta
from uuid import UUID

import httpx
from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.core import egress
from landform.core.db import utcnow
from landform.core.egress import TargetRefused
from landform.core.i18n import gettext as _
from landform.core.jobs.models import OutboxJob
from landform.core.jobs.registry import add_job
from landform.core.settings import WebhookSettings, get_settings
from landform.crm_sink.models import Contact
from landform.webhooks.endpoints import allowed, check_form, disable
from landform.webhooks.models import (
    NOTICE_TYPES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

SIGNATURE_HEADER = "Landform-Signature"
MAX_RETRY_DELAY = 6 * 3600.0
EXCERPT_CHARS = 500


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Landform-Signature` header: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


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
        check_form(endpoint.url, settings)
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
    if event.contact_id is not None and event.type not in NOTICE_TYPES:
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
        disable(
            session,
            endpoint,
            _(
                "%(count)d failed attempts in a row; the last: %(error)s",
                count=endpoint.consecutive_failures,
                error=attempt.error,
            ),
            settings,
        )


def resend(session: Session, delivery: WebhookDelivery) -> None:
    """Deliver again now, with a fresh set of attempts (the event and its id stay the same)."""
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = None
    add_job(session, "deliver_webhook", delivery.id, delivery.tenant_id)
