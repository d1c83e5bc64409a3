"""The dashboard's privacy queue: the tenant's requests by due date with one-click actions; its breaches."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.privacy import breaches, requests
from landform.privacy.labels import action_labels, field_labels, kind_labels, status_labels
from landform.privacy.models import PrivacySettings, RequestKind, RequestStatus
from landform.webhooks import notices


class PrivacyQueueController(Controller):
    """The tenant's privacy requests by due date, each with its audit trail and one-click actions."""

    path = "/app/privacy"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        """Open requests first, soonest due at the top; overdue ones flagged."""
        tenant_id = request.user.tenant_id
        settings = await requests.settings_for(db, tenant_id)
        found, now = await requests.queue(db, tenant_id), utcnow()
        ids = [item.id for item in found]
        return Template(
            "privacy/queue.html",
            context={
                "requests": found,
                "unconfirmed": await db.run_sync(notices.unconfirmed_by_request, ids, now),
                "ack_days": notices.ACK_DAYS,
                "incidents": await breaches.incidents(db, tenant_id),
                "kinds": kind_labels(),
                "statuses": status_labels(),
                "now": now,
                "settings": settings,
                "manual_kinds": settings.manual_kinds if settings else [],
                "deadline": requests.deadline_of(settings),
                "automatic": [k.value for k in RequestKind if k in requests.AUTOMATIC],
            },
        )

    @post("/settings", media_type=MediaType.HTML)
    async def save_settings(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Which request kinds wait for approval, and the privacy contact shown on the portal."""
        data = await request.form()
        deadline = str(data.get("deadline", requests.FOUR_WEEKS))
        if deadline not in requests.DEADLINES:
            flash(request, _("Choose four weeks or one month as your answer time."), category="error")
            return Redirect("/app/privacy")
        settings = await requests.settings_for(db, request.user.tenant_id)
        if settings is None:
            settings = PrivacySettings(tenant_id=request.user.tenant_id, manual_kinds=[])
            db.add(settings)
        settings.manual_kinds = sorted(
            k
            for k in (str(v) for v in data.getall("manual", []))
            if k in {x.value for x in requests.AUTOMATIC}
        )
        settings.dpo_name = str(data.get("dpo_name", "")).strip()[:200]
        settings.dpo_email = str(data.get("dpo_email", "")).strip()[:320]
        settings.deadline = deadline
        await db.commit()
        flash(request, _("Privacy settings saved."), category="success")
        return Redirect("/app/privacy")

    @get("/breaches/{incident_id:uuid}")
    async def incident(
        self, request: Request[User, Any, Any], db: AsyncSession, incident_id: UUID
    ) -> Template:
        """An incident: its 72-hour clock, the checklist and the log."""
        found = await breaches.incident_of(db, request.user.tenant_id, incident_id)
        if found is None:
            raise NotFoundException()
        return Template(
            "privacy/incident.html",
            context={
                "incident": found,
                "log": await breaches.log_of(db, found),
                "checklist": breaches.CHECKLIST,
                "now": utcnow(),
            },
        )

    @post("/breaches", media_type=MediaType.HTML)
    async def report_breach(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """A breach noticed by the team: the incident starts with the reporter named."""
        data = {k: str(v) for k, v in (await request.form()).items()}
        try:
            incident = await db.run_sync(
                breaches.report, request.user.tenant, data, source="dashboard", reporter=request.user.email
            )
        except breaches.BreachInvalid as error:
            flash(request, next(iter(error.errors.values())), category="error")
            return Redirect("/app/privacy")
        await breaches.notify_managers(db, request.user.tenant, incident)
        await db.commit()
        return Redirect(f"/app/privacy/breaches/{incident.id}")

    @post("/breaches/{incident_id:uuid}", media_type=MediaType.HTML)
    async def update_incident(
        self, request: Request[User, Any, Any], db: AsyncSession, incident_id: UUID
    ) -> Any:
        found = await breaches.incident_of(db, request.user.tenant_id, incident_id)
        if found is None:
            raise NotFoundException()
        data = await request.form()
        await db.run_sync(
            breaches.update,
            found,
            request.user.full_name,
            dict(data),
            [str(v) for v in data.getall("step", [])],
        )
        await db.commit()
        flash(request, _("Incident updated."), category="success")
        return Redirect(f"/app/privacy/breaches/{found.id}")

    @get("/{request_id:uuid}")
    async def show(self, request: Request[User, Any, Any], db: AsyncSession, request_id: UUID) -> Template:
        """One request with everything done on it."""
        found = await requests.request_of(db, request.user.tenant_id, request_id)
        if found is None:
            raise NotFoundException()
        return Template(
            "privacy/request.html",
            context={
                "item": found,
                "trail": await requests.audit_trail(db, found),
                "notices": await db.run_sync(lambda s: notices.notices(s, request_id=found.id)),
                "ack_days": notices.ACK_DAYS,
                "actions": action_labels(),
                "kinds": kind_labels(),
                "statuses": status_labels(),
                "fields": field_labels(),
                "now": utcnow(),
                "can_approve": found.status == RequestStatus.AWAITING_APPROVAL,
            },
        )

    @post("/{request_id:uuid}/{action:str}", media_type=MediaType.HTML)
    async def act(
        self, request: Request[User, Any, Any], db: AsyncSession, request_id: UUID, action: str
    ) -> Any:
        """approve, extend, complete, reject, or accept-corrections."""
        found = await requests.request_of(db, request.user.tenant_id, request_id)
        if found is None:
            raise NotFoundException()
        tenant = request.user.tenant
        actor = str(request.user.id)
        data = await request.form()
        text = str(data.get("reason", ""))
        try:
            if action == "approve":
                if found.status != RequestStatus.AWAITING_APPROVAL:
                    raise requests.ActionRefused(_("This request is not waiting for approval."))
                await db.run_sync(requests.audit, found, "approved", actor)
                await requests.fulfil(db, found, tenant, actor)
                message = _("Approved: it is being carried out now.")
            elif action == "extend":
                await db.run_sync(requests.extend, found, tenant, text, actor)
                message = _("Extended by two months; the person has been told why.")
            elif action == "complete":
                if not found.is_open:
                    raise requests.ActionRefused(_("This request is finished already."))
                found.outcome = text.strip()[:2000]
                await db.run_sync(requests.complete, found, tenant, actor=actor)
                message = _("Marked as done; the person has been told.")
            elif action == "reject":
                await db.run_sync(requests.reject, found, tenant, text, actor)
                message = _("Refused; the person has been told why and how to complain.")
            elif action == "accept-corrections":
                await requests.accept_corrections(db, found, tenant, actor)
                message = _("Corrections applied to the contact; the person has been told.")
            else:
                raise NotFoundException()
        except requests.ActionRefused as error:
            flash(request, str(error), category="error")
            return Redirect(f"/app/privacy/{found.id}")
        await db.commit()
        flash(request, message, category="success")
        return Redirect(f"/app/privacy/{found.id}")
