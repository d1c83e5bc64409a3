"""The portal's pages (public, no cookies): request and breach forms, confirming, downloads, keep-account."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, Router, get, post
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import Tenant
from landform.core import i18n
from landform.core.db import scope_to_tenant
from landform.core.http import client_ip
from landform.core.i18n import gettext as _
from landform.core.mail_limits import mail_limiter
from landform.core.ratelimit import FailOpenRateLimit
from landform.core.settings import Settings
from landform.privacy import breaches, deletion, registry, requests
from landform.privacy.fulfilment.export import export_for_download
from landform.privacy.labels import field_labels, kind_labels
from landform.privacy.portal import verification
from landform.privacy.retention import services as retention

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
        tenant = await verification.tenant_by_slug(db, slug)
    except LookupError:
        raise NotFoundException() from None
    if tenant is not None:
        scope_to_tenant(db.sync_session, tenant.id)
    return tenant


async def _portal_context(db: AsyncSession, tenant: Tenant | None) -> dict[str, Any]:
    settings = await requests.settings_for(db, tenant.id if tenant else None)
    return {
        "tenant": tenant,
        "organisation": tenant.name if tenant else "Landform",
        "slug": requests.slug_of(tenant),
        "kinds": kind_labels(),
        "fields": field_labels(),
        "subprocessors": registry.subprocessors(platform=tenant is None),
        "retention": registry.retention_periods(
            retention.stated_periods(retention.periods_of(await retention.policy_of(db, tenant.id)))
            if tenant
            else None
        ),
        "security": registry.SECURITY_MEASURES,
        "authority_url": registry.AUTHORITY_URL,
        "dpo": settings,
        "deadline_text": (
            _("one month") if requests.deadline_of(settings) == requests.ONE_MONTH else _("four weeks")
        ),
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
            checked = requests.check_request(data)
        except requests.RequestInvalid as error:
            context = await _portal_context(db_session, tenant)
            context.update(values=data, errors=error.errors)
            return Template("privacy/portal.html", status_code=422, context=context)
        purpose = f"privacy:{requests.slug_of(tenant)}:{checked.kind.value}"
        if await mail_limiter(request).allows(checked.email, purpose):
            await db_session.run_sync(requests.new_request, tenant, checked, i18n.get_language())
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
            request_id = verification.read_verify_token(token, slug)
            found = await verification.unverified(db_session, tenant.id if tenant else None, request_id)
        except requests.LinkInvalid:
            return _link_invalid()
        return Template(
            "privacy/verify.html",
            context={
                "slug": slug,
                "organisation": tenant.name if tenant else "Landform",
                "token": token,
                "kind_label": kind_labels()[found.kind],
                "keep_query": f"token={token}&",
            },
        )

    @post("/{slug:str}/verify", media_type=MediaType.HTML, status_code=200)
    async def verify(self, request: Request[Any, Any, Any], db_session: AsyncSession, slug: str) -> Template:
        """Confirm the address: the request is queued with its due date, or fulfilled at once."""
        tenant = await _tenant(db_session, slug)
        token = str((await request.form()).get("token", ""))
        try:
            request_id = verification.read_verify_token(token, slug)
            found = await verification.unverified(db_session, tenant.id if tenant else None, request_id)
        except requests.LinkInvalid:
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
            found = await verification.by_code(
                db_session,
                tenant.id if tenant else None,
                str(data.get("email", ""))[:320],
                str(data.get("code", ""))[:20],
            )
        except requests.LinkInvalid:
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
        await verification.confirm(db, found, tenant)
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
            export = await export_for_download(db_session, slug, tenant.id if tenant else None, token)
        except requests.LinkInvalid:
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
            incident = await db_session.run_sync(breaches.report, tenant, data, source="portal")
        except breaches.BreachInvalid as error:
            return Template(
                "privacy/breach_report.html",
                status_code=422,
                context={**context, "values": data, "errors": error.errors},
            )
        if tenant is None:
            await db_session.run_sync(breaches.notify_operator, incident)
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
