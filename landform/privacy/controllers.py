"""The privacy portal (public, no cookies) and the privacy queue in the dashboard."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, Router, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import Role, Tenant, User
from landform.billing import quotas
from landform.core import i18n
from landform.core.db import scope_to_tenant, utcnow
from landform.core.http import client_ip
from landform.core.i18n import gettext as _
from landform.core.mail_limits import mail_limiter
from landform.core.ratelimit import FailOpenRateLimit
from landform.core.settings import Settings
from landform.privacy import breaches, deletion, registry, services
from landform.privacy.models import PrivacySettings, RequestKind, RequestStatus

PORTAL_POSTS_PER_MINUTE = 20


def _link_invalid(message: str | None = None) -> Template:
    return Template(
        "consent/link_invalid.html",
        status_code=400,
        context={
            "message": message
            or _(
                "This link has expired (links work for 24 hours), has been used already, or is not "
                "complete. Ask again on the privacy page: it only takes a minute."
            )
        },
    )


async def _tenant(db: AsyncSession, slug: str) -> Tenant | None:
    """The portal's tenant (None: the platform's own); the session works for that tenant from here on."""
    try:
        tenant = await services.tenant_by_slug(db, slug)
    except LookupError:
        raise NotFoundException() from None
    if tenant is not None:
        scope_to_tenant(db.sync_session, tenant.id)
    return tenant


async def _portal_context(db: AsyncSession, tenant: Tenant | None) -> dict[str, Any]:
    settings = await services.settings_for(db, tenant.id if tenant else None)
    return {
        "tenant": tenant,
        "organisation": tenant.name if tenant else "Landform",
        "slug": services.slug_of(tenant),
        "kinds": services.kind_labels(),
        "fields": services.field_labels(),
        "subprocessors": registry.subprocessors(platform=tenant is None),
        "retention": registry.retention_periods(),
        "security": registry.SECURITY_MEASURES,
        "authority_url": registry.AUTHORITY_URL,
        "dpo": settings,
        "values": {},
        "errors": {},
    }


class PortalController(Controller):
    """`/privacy/{tenant}`: rights, sub-processors, retention, the request and breach forms."""

    path = "/privacy"
    include_in_schema = False

    @get("/", media_type=MediaType.HTML)
    async def platform_page(self, db_session: AsyncSession) -> Template:
        """The platform operator's own portal (tenant users' account data and billing data)."""
        return Template("privacy/portal.html", context=await _portal_context(db_session, None))

    @get("/{slug:str}", media_type=MediaType.HTML)
    async def page(self, db_session: AsyncSession, slug: str) -> Template:
        """A tenant's portal."""
        tenant = await _tenant(db_session, slug)
        return Template("privacy/portal.html", context=await _portal_context(db_session, tenant))

    @post("/{slug:str}/requests", media_type=MediaType.HTML, status_code=200)
    async def ask(self, request: Request[Any, Any, Any], db_session: AsyncSession, slug: str) -> Template:
        """Store the request and e-mail a link and code; the same answer whether the address is known.

        The same answer too when the address was mailed for this kind of request within minutes (the first
        link still works) or too often today: nothing is stored or sent then, so no one floods a mailbox.
        """
        tenant = await _tenant(db_session, slug)
        data = {k: str(v) for k, v in (await request.form()).items()}
        try:
            checked = services.check_request(data)
        except services.RequestInvalid as error:
            context = await _portal_context(db_session, tenant)
            context.update(values=data, errors=error.errors)
            return Template("privacy/portal.html", status_code=422, context=context)
        purpose = f"privacy:{services.slug_of(tenant)}:{checked.kind.value}"
        if await mail_limiter(request).allows(checked.email, purpose):
            services.new_request(db_session, tenant, checked, i18n.get_language())
            await db_session.commit()
        return Template(
            "privacy/check_mail.html",
            context={"slug": slug, "organisation": tenant.name if tenant else "Landform"},
        )

    @get("/{slug:str}/verify", media_type=MediaType.HTML)
    async def verify_page(self, db_session: AsyncSession, slug: str, token: str = "") -> Template:
        """A confirm button: opening the link changes nothing (mail scanners open links)."""
        tenant = await _tenant(db_session, slug)
        try:
            request_id = services.read_verify_token(token, slug)
            found = await services.unverified(db_session, tenant.id if tenant else None, request_id)
        except services.LinkInvalid:
            return _link_invalid()
        return Template(
            "privacy/verify.html",
            context={
                "slug": slug,
                "organisation": tenant.name if tenant else "Landform",
                "token": token,
                "kind_label": services.kind_labels()[found.kind],
                "keep_query": f"token={token}&",
            },
        )

    @post("/{slug:str}/verify", media_type=MediaType.HTML, status_code=200)
    async def verify(self, request: Request[Any, Any, Any], db_session: AsyncSession, slug: str) -> Template:
        """Confirm the address: the request is queued with its due date, or fulfilled at once."""
        tenant = await _tenant(db_session, slug)
        token = str((await request.form()).get("token", ""))
        try:
            request_id = services.read_verify_token(token, slug)
            found = await services.unverified(db_session, tenant.id if tenant else None, request_id)
        except services.LinkInvalid:
            return _link_invalid()
        return await self._confirmed(db_session, found, tenant, slug)

    @get("/{slug:str}/code", media_type=MediaType.HTML)
    async def code_page(self, db_session: AsyncSession, slug: str) -> Template:
        """The alternative to the link: the address and the six-digit code from the e-mail."""
        tenant = await _tenant(db_session, slug)
        return Template(
            "privacy/code.html",
            context={"slug": slug, "organisation": tenant.name if tenant else "Landform", "error": ""},
        )

    @post("/{slug:str}/code", media_type=MediaType.HTML, status_code=200)
    async def code(self, request: Request[Any, Any, Any], db_session: AsyncSession, slug: str) -> Template:
        tenant = await _tenant(db_session, slug)
        data = await request.form()
        try:
            found = await services.by_code(
                db_session,
                tenant.id if tenant else None,
                str(data.get("email", ""))[:320],
                str(data.get("code", ""))[:20],
            )
        except services.LinkInvalid:
            await db_session.commit()  # the wrong attempt counts
            return Template(
                "privacy/code.html",
                status_code=400,
                context={
                    "slug": slug,
                    "organisation": tenant.name if tenant else "Landform",
                    "email": str(data.get("email", ""))[:320],
                    "error": _(
                        "That code does not match, has expired, or was tried too often. Check the e-mail, "
                        "or ask again on the privacy page."
                    ),
                },
            )
        return await self._confirmed(db_session, found, tenant, slug)

    async def _confirmed(self, db: AsyncSession, found: Any, tenant: Tenant | None, slug: str) -> Template:
        await services.confirm(db, found, tenant)
        await db.commit()
        return Template(
            "privacy/confirmed.html",
            context={
                "slug": slug,
                "organisation": tenant.name if tenant else "Landform",
                "kind": found.kind.value,
                "status": found.status.value,
                "due_at": found.due_at,
            },
        )

    @get("/{slug:str}/download", media_type=MediaType.HTML)
    async def download(self, db_session: AsyncSession, slug: str, token: str = "") -> Any:
        """The export zip, while its link has not expired."""
        tenant = await _tenant(db_session, slug)
        try:
            export = await services.export_for_download(
                db_session, slug, tenant.id if tenant else None, token
            )
        except services.LinkInvalid:
            return _link_invalid(
                _("This download has expired (after %(days)d days) or the link is not complete.")
                % {"days": registry.EXPORT_DAYS}
            )
        export.downloads += 1
        await db_session.commit()
        return Response(
            export.data,
            media_type="application/zip",
            headers={
                "content-disposition": f'attachment; filename="my-data-{slug}.zip"',
                "cache-control": "no-store",
            },
        )

    @get("/{slug:str}/keep-account", media_type=MediaType.HTML)
    async def keep_account_page(self, db_session: AsyncSession, slug: str, token: str = "") -> Template:
        """The cancel link in the deletion e-mail: a button, since opening a link must change nothing."""
        tenant = await _tenant(db_session, slug)
        try:
            deletion.read_cancel_token(token, slug)
        except ValueError:
            return _link_invalid()
        return Template(
            "privacy/keep_account.html",
            context={
                "slug": slug,
                "organisation": tenant.name if tenant else "",
                "token": token,
                "done": None,
            },
        )

    @post("/{slug:str}/keep-account", media_type=MediaType.HTML, status_code=200)
    async def keep_account(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, slug: str
    ) -> Template:
        """Cancel the account's deletion during the cooling-off."""
        tenant = await _tenant(db_session, slug)
        token = str((await request.form()).get("token", ""))
        try:
            deletion_id = deletion.read_cancel_token(token, slug)
        except ValueError:
            return _link_invalid()
        if tenant is None or not await deletion.cancel(db_session, tenant.id, deletion_id):
            return _link_invalid(_("This deletion has been cancelled already, or has been carried out."))
        await db_session.commit()
        return Template(
            "privacy/keep_account.html",
            context={"slug": slug, "organisation": tenant.name, "token": "", "done": True},
        )

    @get("/{slug:str}/breach", media_type=MediaType.HTML)
    async def breach_page(self, db_session: AsyncSession, slug: str) -> Template:
        tenant = await _tenant(db_session, slug)
        return Template(
            "privacy/breach_report.html",
            context={
                "slug": slug,
                "organisation": tenant.name if tenant else "Landform",
                "values": {},
                "errors": {},
            },
        )

    @post("/{slug:str}/breach", media_type=MediaType.HTML, status_code=200)
    async def breach(self, request: Request[Any, Any, Any], db_session: AsyncSession, slug: str) -> Template:
        """Report a possible data breach: the organisation's 72-hour clock starts now."""
        tenant = await _tenant(db_session, slug)
        data = {k: str(v) for k, v in (await request.form()).items()}
        context: dict[str, Any] = {"slug": slug, "organisation": tenant.name if tenant else "Landform"}
        try:
            incident = breaches.report(db_session, tenant, data, source="portal")
        except breaches.BreachInvalid as error:
            return Template(
                "privacy/breach_report.html",
                status_code=422,
                context={**context, "values": data, "errors": error.errors},
            )
        if tenant is None:
            breaches.notify_operator(db_session, incident)
        else:
            await breaches.notify_managers(db_session, tenant, incident)
        await db_session.commit()
        return Template(
            "privacy/breach_report.html", context={**context, "done": True, "values": {}, "errors": {}}
        )


def portal_router(settings: Settings) -> Router:
    """The portal with a per-address limit on what it sends out (e-mails) and on code guessing."""
    proxies = settings.server.trusted_proxies

    async def is_post(request: Request[Any, Any, Any]) -> bool:
        return request.method == "POST"

    per_ip = RateLimitConfig(
        rate_limit=("minute", PORTAL_POSTS_PER_MINUTE),
        store="rate_limit_privacy",
        identifier_for_request=lambda request: "privacy:" + client_ip(request, proxies),
        check_throttle_handler=is_post,
        middleware_class=FailOpenRateLimit,
    )
    return Router(path="/", route_handlers=[PortalController], middleware=[per_ip.middleware])


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
        settings = await services.settings_for(db, tenant_id)
        return Template(
            "privacy/queue.html",
            context={
                "requests": await services.queue(db, tenant_id),
                "incidents": await breaches.incidents(db, tenant_id),
                "kinds": services.kind_labels(),
                "statuses": services.status_labels(),
                "now": utcnow(),
                "settings": settings,
                "manual_kinds": settings.manual_kinds if settings else [],
                "automatic": [k.value for k in RequestKind if k in services.AUTOMATIC],
            },
        )

    @post("/settings", media_type=MediaType.HTML)
    async def save_settings(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Which request kinds wait for approval, and the privacy contact shown on the portal."""
        data = await request.form()
        settings = await services.settings_for(db, request.user.tenant_id)
        if settings is None:
            settings = PrivacySettings(tenant_id=request.user.tenant_id, manual_kinds=[])
            db.add(settings)
        settings.manual_kinds = sorted(
            k
            for k in (str(v) for v in data.getall("manual", []))
            if k in {x.value for x in services.AUTOMATIC}
        )
        settings.dpo_name = str(data.get("dpo_name", "")).strip()[:200]
        settings.dpo_email = str(data.get("dpo_email", "")).strip()[:320]
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
            incident = breaches.report(
                db, request.user.tenant, data, source="dashboard", reporter=request.user.email
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
        breaches.update(
            db, found, request.user.full_name, dict(data), [str(v) for v in data.getall("step", [])]
        )
        await db.commit()
        flash(request, _("Incident updated."), category="success")
        return Redirect(f"/app/privacy/breaches/{found.id}")

    @get("/{request_id:uuid}")
    async def show(self, request: Request[User, Any, Any], db: AsyncSession, request_id: UUID) -> Template:
        """One request with everything done on it."""
        found = await services.request_of(db, request.user.tenant_id, request_id)
        if found is None:
            raise NotFoundException()
        return Template(
            "privacy/request.html",
            context={
                "item": found,
                "trail": await services.audit_trail(db, found),
                "actions": services.action_labels(),
                "kinds": services.kind_labels(),
                "statuses": services.status_labels(),
                "fields": services.field_labels(),
                "now": utcnow(),
                "can_approve": found.status == RequestStatus.AWAITING_APPROVAL,
            },
        )

    @post("/{request_id:uuid}/{action:str}", media_type=MediaType.HTML)
    async def act(
        self, request: Request[User, Any, Any], db: AsyncSession, request_id: UUID, action: str
    ) -> Any:
        """approve, extend, complete, reject, or accept-corrections."""
        found = await services.request_of(db, request.user.tenant_id, request_id)
        if found is None:
            raise NotFoundException()
        tenant = request.user.tenant
        actor = str(request.user.id)
        data = await request.form()
        text = str(data.get("reason", ""))
        try:
            if action == "approve":
                if found.status != RequestStatus.AWAITING_APPROVAL:
                    raise services.ActionRefused(_("This request is not waiting for approval."))
                services.audit(db, found, "approved", actor)
                await services.fulfil(db, found, tenant, actor)
                message = _("Approved: it is being carried out now.")
            elif action == "extend":
                services.extend(db, found, tenant, text, actor)
                message = _("Extended by two months; the person has been told why.")
            elif action == "complete":
                if not found.is_open:
                    raise services.ActionRefused(_("This request is finished already."))
                found.outcome = text.strip()[:2000]
                services.complete(db, found, tenant, actor=actor)
                message = _("Marked as done; the person has been told.")
            elif action == "reject":
                services.reject(db, found, tenant, text, actor)
                message = _("Refused; the person has been told why and how to complain.")
            elif action == "accept-corrections":
                await services.accept_corrections(db, found, tenant, actor)
                message = _("Corrections applied to the contact; the person has been told.")
            else:
                raise NotFoundException()
        except services.ActionRefused as error:
            flash(request, str(error), category="error")
            return Redirect(f"/app/privacy/{found.id}")
        await db.commit()
        flash(request, message, category="success")
        return Redirect(f"/app/privacy/{found.id}")


class AccountDeletionController(Controller):
    """The owner deletes the tenant's account: 7 days to change their mind, then it is anonymized."""

    path = "/app/account/delete"
    include_in_schema = False
    guards = [requires_role(Role.OWNER)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def page(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        """What deletion means, the pending deletion if there is one, and what it does to the subscription."""
        latest = await deletion.latest(db, request.user.tenant_id)
        return Template(
            "privacy/delete_account.html",
            context={
                "pending": latest if latest is not None and latest.is_pending else None,
                "billing": latest.billing if latest is not None else "none",
                "subscription": await db.run_sync(quotas.subscription_of),
                "days": deletion.COOLING_OFF.days,
                "only_me": False,
                "action": "/app/account/delete",
            },
        )

    @post("/", media_type=MediaType.HTML)
    async def start(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Start the cooling-off; the owner must type the account's address to confirm."""
        typed = str((await request.form()).get("confirm", "")).strip()
        if typed != request.user.tenant.slug:
            flash(request, _("Type the account's name exactly as shown to confirm."), category="error")
            return Redirect("/app/account/delete")
        try:
            await deletion.request_deletion(db, request.user)
        except deletion.DeletionRefused:
            flash(request, _("The account is already being deleted."), category="error")
            return Redirect("/app/account/delete")
        await db.commit()
        flash(
            request,
            _("Deletion scheduled. You can cancel it here or with the link in the e-mail."),
            category="success",
        )
        return Redirect("/app/account/delete")

    @post("/cancel", media_type=MediaType.HTML)
    async def stop(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        if await deletion.cancel(db, request.user.tenant_id):
            await db.commit()
            flash(request, _("Deletion cancelled. Your account stays as it is."), category="success")
        return Redirect("/app/account/delete")


class MyUserDeletionController(Controller):
    """A user (not the owner) deletes their own user: the same cooling-off, then only their data goes."""

    path = "/app/me/delete"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/", media_type=MediaType.HTML)
    async def page(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """What deleting one's own user means, and the pending deletion if there is one."""
        if request.user.role == Role.OWNER:
            return Redirect("/app/account/delete")
        return Template(
            "privacy/delete_account.html",
            context={
                "pending": await deletion.pending(db, request.user.tenant_id, request.user.id),
                "days": deletion.COOLING_OFF.days,
                "only_me": True,
                "action": "/app/me/delete",
            },
        )

    @post("/", media_type=MediaType.HTML)
    async def start(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        typed = str((await request.form()).get("confirm", "")).strip()
        if typed != request.user.tenant.slug:
            flash(request, _("Type the account's name exactly as shown to confirm."), category="error")
            return Redirect("/app/me/delete")
        try:
            await deletion.request_deletion(db, request.user, only_me=True)
        except deletion.DeletionRefused:
            return Redirect("/app/me/delete")
        await db.commit()
        flash(
            request,
            _("Deletion scheduled. You can cancel it here or with the link in the e-mail."),
            category="success",
        )
        return Redirect("/app/me/delete")

    @post("/cancel", media_type=MediaType.HTML)
    async def stop(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        if await deletion.cancel(db, request.user.tenant_id, user_id=request.user.id):
            await db.commit()
            flash(request, _("Deletion cancelled. Your account stays as it is."), category="success")
        return Redirect("/app/me/delete")
