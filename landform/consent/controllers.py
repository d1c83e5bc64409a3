"""Consent over HTTP: purposes, the one-click withdrawal, the parent's decision, the cookie choice."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Parameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import Tenant, User
from landform.consent import cookies, minors, services
from landform.core import i18n
from landform.core.db import scope_to_tenant
from landform.core.http import client_ip, site_prefix
from landform.core.i18n import gettext as _
from landform.crm_sink.models import Contact


def _how(request: Request[Any, Any, Any], method: str) -> services.ConsentHow:
    return services.ConsentHow(
        method=method,
        ip_hash=services.ip_hash(client_ip(request, request.app.state.settings.server.trusted_proxies)),
        user_agent_family=services.browser_family(request.headers.get("user-agent", "")),
    )


def _link_invalid(message: str) -> Template:
    return Template("consent/link_invalid.html", status_code=400, context={"message": message})


class PurposesController(Controller):
    """The dashboard's processing purposes and their consent texts."""

    path = "/app/consent/purposes"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        """Every purpose with its current text, and the cookie banner for the tenant's own website."""
        from landform.consent.site_banner import snippet

        base = request.app.state.settings.server.base_url
        return Template(
            "consent/purposes.html",
            context={
                "purposes": await services.purposes(db),
                "errors": {},
                "submitted": {},
                "site_snippet": snippet(
                    base, request.user.tenant.slug, consent_mode=request.user.tenant.google_consent_mode
                ),
            },
        )

    @post("/", media_type=MediaType.HTML)
    async def create(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """A new purpose with the first version of its consent text."""
        data = {k: str(v) for k, v in (await request.form()).items()}
        try:
            await db.run_sync(services.new_purpose, data)
        except services.ConsentInvalid as error:
            return Template(
                "consent/purposes.html",
                status_code=422,
                context={
                    "purposes": await services.purposes(db),
                    "errors": {"create": str(error)},
                    "submitted": data,
                },
            )
        await db.commit()
        flash(request, _("Purpose saved. Link it to a consent checkbox in a form."), category="success")
        return Redirect("/app/consent/purposes")

    @get("/{purpose_id:uuid}")
    async def edit(self, db: AsyncSession, purpose_id: UUID) -> Template:
        """A purpose with every version of its text, newest first."""
        found = await services.purpose_with_versions(db, purpose_id)
        if found is None:
            raise NotFoundException()
        purpose, versions = found
        return Template(
            "consent/purpose.html",
            context={"purpose": purpose, "versions": versions, "errors": {}, "submitted": {}},
        )

    @post("/{purpose_id:uuid}", media_type=MediaType.HTML)
    async def save(self, request: Request[User, Any, Any], db: AsyncSession, purpose_id: UUID) -> Any:
        """Save the name; a changed text becomes a new version."""
        found = await services.purpose_with_versions(db, purpose_id)
        if found is None:
            raise NotFoundException()
        purpose, versions = found
        data = {k: str(v) for k, v in (await request.form()).items()}
        try:
            new_version = await db.run_sync(services.edit_purpose, purpose, versions[0], data)
        except services.ConsentInvalid as error:
            return Template(
                "consent/purpose.html",
                status_code=422,
                context={
                    "purpose": purpose,
                    "versions": versions,
                    "errors": {"edit": str(error)},
                    "submitted": data,
                },
            )
        await db.commit()
        flash(
            request,
            _(
                "Saved as text version %(n)d. Consent boxes added from now on show it.",
                n=purpose.current_version,
            )
            if new_version
            else _("Saved."),
            category="success",
        )
        return Redirect(f"/app/consent/purposes/{purpose.id}")


class PublicConsentController(Controller):
    """Pages a person reaches from an e-mail: no log-in, no cookies; a signed token says who and what."""

    path = "/consent"
    include_in_schema = False

    async def _contact(self, db: AsyncSession, token: str) -> tuple[Contact, Tenant]:
        tenant_id, contact_id = services.read_withdraw_token(token)
        scope_to_tenant(db.sync_session, tenant_id)
        contact = (await db.execute(select(Contact).where(Contact.id == contact_id))).scalar_one_or_none()
        if contact is None:
            raise services.LinkInvalid("contact gone")
        return contact, await db.get_one(Tenant, tenant_id)

    @get("/withdraw")
    async def withdraw_page(self, db_session: AsyncSession, token: str = "") -> Template:
        """One button to confirm (a GET changes nothing: mail scanners open links)."""
        try:
            contact, tenant = await self._contact(db_session, token)
        except services.LinkInvalid:
            return _link_invalid(
                _("This link is not complete or not valid. Copy the whole link from the e-mail.")
            )
        return Template(
            "consent/withdraw.html",
            context={
                "tenant": tenant,
                "token": token,
                "done": False,
                "already": contact.do_not_contact,
                "keep_query": f"token={token}&",  # the language switch keeps the link working
            },
        )

    @post("/withdraw", media_type=MediaType.HTML)
    async def withdraw(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """Withdraw every consent and stop all contact.

        The page's button sends the token in the form; a mailbox's unsubscribe button (RFC 8058) posts
        `List-Unsubscribe=One-Click` to the e-mail's List-Unsubscribe address, the token in its query.
        """
        token = str((await request.form()).get("token") or request.query_params.get("token", ""))
        try:
            contact, tenant = await self._contact(db_session, token)
        except services.LinkInvalid:
            return _link_invalid(
                _("This link is not complete or not valid. Copy the whole link from the e-mail.")
            )
        await services.withdraw_all(db_session, contact, _how(request, "email"))
        await db_session.commit()
        return Template("consent/withdraw.html", context={"tenant": tenant, "token": token, "done": True})

    @get("/parent")
    async def parent_page(self, db_session: AsyncSession, token: str = "") -> Template:
        """What is asked of the parent, with a consent and a refuse button."""
        try:
            hold_id = minors.read_parent_token(token)
            request_info = await db_session.run_sync(lambda s: minors.describe(s, hold_id))
        except services.LinkInvalid:
            return _link_invalid(
                _(
                    "This request has been answered already, has expired (after 7 days), "
                    "or the link is not complete."
                )
            )
        return Template(
            "consent/parent.html",
            context={
                **request_info,
                "token": token,
                "decided": None,
                "keep_query": f"token={token}&",
                "theme_url": f"/p/{request_info['tenant_slug']}/_brand.css",
            },
        )

    @post("/parent", media_type=MediaType.HTML)
    async def parent_decides(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """Consent routes the lead into the CRM; refusal deletes everything the child sent."""
        data = await request.form()
        token, decision = str(data.get("token", "")), str(data.get("decision", ""))
        if decision not in {"consent", "refuse"}:
            # Refusing deletes the child's data: only a deliberate press of that button does it.
            raise ClientException(detail=_("Choose to give or to refuse permission."))
        how = _how(request, "email")

        def decide(session: Session) -> dict[str, Any]:
            hold = minors.pending_hold(session, minors.read_parent_token(token))  # scopes the session
            info = minors.describe(session, hold.id)
            if decision == "consent":
                minors.give_consent(session, hold, how.ip_hash, how.user_agent_family)
            else:
                minors.refuse(session, hold)
            return info

        try:
            info = await db_session.run_sync(decide)
        except services.LinkInvalid:
            return _link_invalid(
                _(
                    "This request has been answered already, has expired (after 7 days), "
                    "or the link is not complete."
                )
            )
        await db_session.commit()
        return Template(
            "consent/parent.html",
            context={
                **info,
                "token": "",
                "decided": decision,
                "theme_url": f"/p/{info['tenant_slug']}/_brand.css",
            },
        )


class CookieChoiceController(Controller):
    """A hosted page's cookie policy and the banner's answer: public, without a session or CSRF cookie.

    The POST may set `lf_consent` because the visitor has just made the choice it remembers; it needs no
    CSRF token because it can only record a choice about the visitor's own browser.
    """

    path = "/p/{tenant_slug:str}/_cookies"
    include_in_schema = False

    async def _tenant(self, db: AsyncSession, tenant_slug: str) -> Tenant:
        tenant = (await db.execute(select(Tenant).where(Tenant.slug == tenant_slug))).scalar_one_or_none()
        if tenant is None:
            raise NotFoundException()
        scope_to_tenant(db.sync_session, tenant.id)
        return tenant

    @get("/")
    async def policy(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        tenant_slug: str,
        back: Annotated[str, Parameter(query="next")] = "",
    ) -> Template:
        """Every cookie this tenant's pages can set, and the choice form (the banner's "Choose", no JS)."""
        tenant = await self._tenant(db_session, tenant_slug)
        language = i18n.get_language()
        return Template(
            "consent/cookie_policy.html",
            headers={"cache-control": "no-store", "vary": "Accept-Language"},
            context={
                "tenant": tenant,
                "rows": cookies.policy_rows(language),
                "cookies": cookies.banner(
                    tenant.slug,
                    tenant.cookie_policy_version,
                    request.cookies.get(cookies.COOKIE_NAME),
                    gpc=cookies.global_privacy_control(request.headers.get("sec-gpc")),
                    back=cookies.safe_back(tenant.slug, back, site_prefix(request, tenant.slug)),
                    prefix=site_prefix(request, tenant.slug),
                ),
            },
        )

    @post("/", media_type=MediaType.HTML, status_code=200)
    async def choose(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, tenant_slug: str
    ) -> Response[Any]:
        """Remember the choice in `lf_consent`, record it in the ledger, and go back (or answer JSON)."""
        tenant = await self._tenant(db_session, tenant_slug)
        data = await request.form()
        answer = str(data.get("choice", ""))
        if answer not in {"all", "none", "custom"}:
            raise ClientException(detail=_("Choose to accept, to reject or which cookies to allow."))
        gpc = cookies.global_privacy_control(request.headers.get("sec-gpc"))
        choice = cookies.choose(
            answer, [str(v) for v in data.getall("category", [])], tenant.cookie_policy_version, gpc=gpc
        )
        try:
            page_id = UUID(str(data.get("page", "")))
        except ValueError:
            page_id = None
        how = _how(request, "cookie_banner")
        cookies.record_choice(
            db_session,
            tenant_id=tenant.id,
            choice=choice,
            language=i18n.get_language(),
            how=services.ConsentHow(
                method=how.method,
                page_id=page_id,
                ip_hash=how.ip_hash,
                user_agent_family=how.user_agent_family,
            ),
            gpc=gpc,
        )
        await db_session.commit()
        cookie = Cookie(
            key=cookies.COOKIE_NAME,
            value=choice.cookie_value(),
            path=cookies.cookie_path(site_prefix(request, tenant.slug)),
            max_age=cookies.CHOICE_MAX_AGE,
            samesite="lax",
            secure=request.app.state.settings.server.secure_cookies,
            # cookies.js reads it to apply the choice without a reload; it holds nothing secret.
            httponly=False,
        )
        if "application/json" in request.headers.get("accept", ""):
            granted = sorted(cookies.allowed(choice, gpc=gpc))
            return Response(
                {"version": choice.version, "allowed": granted}, media_type=MediaType.JSON, cookies=[cookie]
            )
        back = cookies.safe_back(tenant.slug, str(data.get("next", "")), site_prefix(request, tenant.slug))
        return Redirect(back, status_code=303, cookies=[cookie])
