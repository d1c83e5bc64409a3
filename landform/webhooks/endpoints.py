"""Webhook endpoints: saving one (its address checked against SSRF), the plan's say, switching off and on."""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import Role
from landform.accounts.notices import tell_team
from landform.billing import quotas
from landform.core import egress
from landform.core.egress import TargetRefused
from landform.core.i18n import gettext as _
from landform.core.jobs.registry import add_job
from landform.core.settings import Settings, WebhookSettings
from landform.hooks import PlanRef
from landform.webhooks.models import EVENT_TYPES, WebhookDelivery, WebhookEndpoint

# The plan feature that lets a tenant's endpoints send (billing/plans.py).
FEATURE = "webhooks"
log = logging.getLogger(__name__)


class WebhookInvalid(ValueError):
    """What the user typed cannot be an endpoint; `errors` by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def check_target(url: str, settings: WebhookSettings) -> None:
    """Refuse URLs that are not https, or whose host resolves to an address outside the public internet.

    Checked when an endpoint is saved; at every request `egress.request` resolves the host again,
    checks, and connects to the address it checked. `LANDFORM_WEBHOOK_ALLOW_PRIVATE` (development and
    tests only) allows http and local receivers.
    """
    egress.vetted_address(check_form(url, settings), allow_private=settings.allow_private_targets)


def check_form(url: str, settings: WebhookSettings) -> httpx.URL:
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL:
        raise TargetRefused(_("This is not a valid address.")) from None
    if target.scheme not in ({"https", "http"} if settings.allow_private_targets else {"https"}):
        raise TargetRefused(_("The address must start with https://."))
    if not target.host or target.userinfo:
        raise TargetRefused(_("The address needs a host name and no user name or password."))
    return target


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


def allowed(session: Session) -> bool:
    """Whether the scoped tenant's plan includes webhooks.

    On a plan without them endpoints are kept but send nothing: no new events are queued, and what was
    waiting stays waiting until an upgrade (`resume_after_upgrade`).
    """
    return quotas.plan_of(quotas.subscription_of(session)).has(FEATURE)


def disable(session: Session, endpoint: WebhookEndpoint, reason: str, settings: Settings) -> None:
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
