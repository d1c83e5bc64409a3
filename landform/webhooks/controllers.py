"""Webhooks in the dashboard (owners and admins): endpoints, their secret, the delivery log, re-send, test."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio
from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import MANAGERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.core.i18n import gettext as _
from landform.webhooks import endpoints, events, notices
from landform.webhooks.delivery import SIGNATURE_HEADER, resend
from landform.webhooks.models import (
    EVENT_TYPES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

LOG_SIZE = 50
UserRequest = Request[User, Any, Any]


async def _endpoint_or_404(db: AsyncSession, endpoint_id: UUID) -> WebhookEndpoint:
    endpoint = (
        await db.execute(select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id))
    ).scalar_one_or_none()
    if endpoint is None:
        raise NotFoundException()
    return endpoint


async def _cleaned(request: UserRequest) -> tuple[dict[str, Any], tuple[str, str, list[str]]]:
    form = await request.form()
    values = {
        "url": str(form.get("url", "")),
        "description": str(form.get("description", "")),
        "events": form.getall("events") if "events" in form else [],
    }
    settings = request.app.state.settings.webhooks
    # Resolving the host name blocks: off the event loop.
    return values, await anyio.to_thread.run_sync(endpoints.clean_endpoint, values, settings)


class WebhooksController(Controller):
    """Endpoints of the tenant's own systems that receive signed events."""

    path = "/app/webhooks"
    include_in_schema = False
    guards = [requires_role(*MANAGERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    async def _endpoints(self, db: AsyncSession) -> list[WebhookEndpoint]:
        return list(
            (await db.execute(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at))).scalars()
        )

    def _list(self, endpoints: list[WebhookEndpoint], allowed: bool, **context: Any) -> dict[str, Any]:
        return {
            "endpoints": endpoints,
            "allowed": allowed,
            "event_types": EVENT_TYPES,
            "values": {"events": list(EVENT_TYPES)},
            "errors": {},
            **context,
        }

    @get("/")
    async def index(self, db: AsyncSession) -> Template:
        """The endpoints and a form to add one (or, on a plan without webhooks, what to do about it)."""
        allowed = await db.run_sync(endpoints.allowed)
        return Template("webhooks/index.html", context=self._list(await self._endpoints(db), allowed))

    @post("/")
    async def create(self, request: UserRequest, db: AsyncSession) -> Template:
        """Add an endpoint and show its signing secret this once."""
        if not await db.run_sync(endpoints.allowed):
            return Template(
                "webhooks/index.html", status_code=403, context=self._list(await self._endpoints(db), False)
            )
        try:
            values, (url, description, events) = await _cleaned(request)
        except endpoints.WebhookInvalid as invalid:
            form = await request.form()
            values = {**dict(form), "events": form.getall("events") if "events" in form else []}
            return Template(
                "webhooks/index.html",
                status_code=422,
                context=self._list(await self._endpoints(db), True, values=values, errors=invalid.errors),
            )
        endpoint = WebhookEndpoint(
            url=url, description=description, events=events, secret=endpoints.new_secret()
        )
        db.add(endpoint)
        await db.commit()
        return Template(
            "webhooks/index.html",
            context=self._list(
                await self._endpoints(db), True, new_endpoint=endpoint, secret=endpoint.secret
            ),
        )

    @get("/{endpoint_id:uuid}")
    async def show(self, db: AsyncSession, endpoint_id: UUID) -> Template:
        """An endpoint: edit it, and its delivery log (newest first) with every attempt."""
        endpoint = await _endpoint_or_404(db, endpoint_id)
        return Template("webhooks/endpoint.html", context=await self._detail(db, endpoint))

    async def _detail(self, db: AsyncSession, endpoint: WebhookEndpoint, **context: Any) -> dict[str, Any]:
        rows = (
            await db.execute(
                select(WebhookDelivery, WebhookEvent.type)
                .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
                .where(WebhookDelivery.endpoint_id == endpoint.id)
                .order_by(WebhookDelivery.created_at.desc())
                .limit(LOG_SIZE)
            )
        ).all()
        attempts: dict[UUID, list[WebhookAttempt]] = {}
        if rows:
            found = await db.execute(
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id.in_([delivery.id for delivery, _type in rows]))
                .order_by(WebhookAttempt.created_at.desc())
            )
            for attempt in found.scalars():
                attempts.setdefault(attempt.delivery_id, []).append(attempt)
        return {
            "endpoint": endpoint,
            "allowed": await db.run_sync(endpoints.allowed),
            "event_types": EVENT_TYPES,
            "values": {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events},
            "errors": {},
            "deliveries": rows,
            "attempts": attempts,
            **context,
        }

    @post("/{endpoint_id:uuid}")
    async def update(self, request: UserRequest, db: AsyncSession, endpoint_id: UUID) -> Any:
        """Change the address, description or events."""
        endpoint = await _endpoint_or_404(db, endpoint_id)
        try:
            _values, (url, description, events) = await _cleaned(request)
        except endpoints.WebhookInvalid as invalid:
            form = await request.form()
            values = {**dict(form), "events": form.getall("events") if "events" in form else []}
            context = await self._detail(db, endpoint, values=values, errors=invalid.errors)
            return Template("webhooks/endpoint.html", status_code=422, context=context)
        endpoint.url, endpoint.description, endpoint.events = url, description, events
        await db.commit()
        flash(request, _("Saved."), category="success")
        return Redirect(f"/app/webhooks/{endpoint.id}")

    @post("/{endpoint_id:uuid}/delete")
    async def delete(self, request: UserRequest, db: AsyncSession, endpoint_id: UUID) -> Redirect:
        """Remove an endpoint with its delivery log."""
        endpoint = await _endpoint_or_404(db, endpoint_id)
        await db.delete(endpoint)
        await db.commit()
        flash(request, _("The webhook to %(url)s is deleted.", url=endpoint.url), category="success")
        return Redirect("/app/webhooks")

    @post("/{endpoint_id:uuid}/rotate")
    async def rotate(self, db: AsyncSession, endpoint_id: UUID) -> Template:
        """A new signing secret, shown once; the old one stops working at once."""
        endpoint = await _endpoint_or_404(db, endpoint_id)
        endpoint.secret = endpoints.new_secret()
        await db.commit()
        context = await self._detail(db, endpoint, secret=endpoint.secret)
        return Template("webhooks/endpoint.html", context=context)

    @post("/{endpoint_id:uuid}/test")
    async def send_test(self, request: UserRequest, db: AsyncSession, endpoint_id: UUID) -> Redirect:
        """Queue a `webhook.test` event for this endpoint only."""
        endpoint = await _endpoint_or_404(db, endpoint_id)
        if not await db.run_sync(endpoints.allowed):
            return self._not_in_plan(request, f"/app/webhooks/{endpoint.id}")
        await db.run_sync(events.queue_test_event, endpoint)
        await db.commit()
        flash(request, _("A test event is on its way. Its delivery appears below."), category="success")
        return Redirect(f"/app/webhooks/{endpoint.id}")

    @post("/{endpoint_id:uuid}/enable")
    async def enable(self, request: UserRequest, db: AsyncSession, endpoint_id: UUID) -> Redirect:
        """Switch an endpoint back on; events that waited for it are sent."""
        endpoint = await _endpoint_or_404(db, endpoint_id)
        await db.run_sync(endpoints.enable, endpoint)
        await db.commit()
        flash(request, _("The webhook is on again."), category="success")
        return Redirect(f"/app/webhooks/{endpoint.id}")

    @post("/{endpoint_id:uuid}/disable")
    async def disable(self, request: UserRequest, db: AsyncSession, endpoint_id: UUID) -> Redirect:
        """Pause an endpoint: events wait until it is switched on again."""
        endpoint = await _endpoint_or_404(db, endpoint_id)
        endpoint.enabled = False
        endpoint.disabled_reason = _("Switched off by %(name)s.", name=request.user.full_name)
        await db.commit()
        flash(request, _("The webhook is off. Events wait for it."), category="success")
        return Redirect(f"/app/webhooks/{endpoint.id}")

    @post("/deliveries/{delivery_id:uuid}/resend")
    async def resend(self, request: UserRequest, db: AsyncSession, delivery_id: UUID) -> Redirect:
        """Deliver an event again (the receiver sees the same event id)."""
        delivery = (
            await db.execute(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id))
        ).scalar_one_or_none()
        if delivery is None:
            raise NotFoundException()
        if not await db.run_sync(endpoints.allowed):
            return self._not_in_plan(request, f"/app/webhooks/{delivery.endpoint_id}")
        await db.run_sync(resend, delivery)
        await db.commit()
        flash(request, _("The event is sent again."), category="success")
        return Redirect(f"/app/webhooks/{delivery.endpoint_id}")

    def _not_in_plan(self, request: UserRequest, back: str) -> Redirect:
        flash(
            request,
            _("Your plan does not include webhooks: nothing is sent. Upgrade on the Billing page."),
            category="error",
        )
        return Redirect(back)


@post("/webhooks/ack/{event_id:uuid}", include_in_schema=False, media_type=MediaType.JSON, status_code=200)
async def acknowledge(request: Request[Any, Any, Any], db_session: AsyncSession, event_id: UUID) -> Any:
    """A receiver confirms it acted on a privacy notice, signed with its endpoint's secret."""
    body = await request.body()
    header = request.headers.get(SIGNATURE_HEADER, "")
    try:
        when = await db_session.run_sync(notices.acknowledge, event_id, header, body)
    except LookupError:
        raise NotFoundException("No privacy notice with this id.") from None
    except notices.AckRefused as refused:
        return Response({"error": str(refused)}, status_code=refused.status)
    await db_session.commit()
    return {"event_id": str(event_id), "acknowledged_at": when.isoformat()}
