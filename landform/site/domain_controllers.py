"""Custom domains over HTTP: the dashboard screen, and the TLS proxy's question before a certificate."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.billing import quotas
from landform.core import i18n
from landform.core.i18n import gettext as _
from landform.core.settings import Settings
from landform.site import domains
from landform.site.hosts import SiteHosts
from landform.site.models import Page

FEATURE = "custom_domains"


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _hosts(request: Request[Any, Any, Any]) -> SiteHosts:
    hosts: SiteHosts = request.app.state.site_hosts
    return hosts


async def _plan_allows(db: AsyncSession) -> bool:
    return quotas.plan_of(await db.run_sync(quotas.subscription_of)).has(FEATURE)


def _page_label(page: Page) -> str:
    """A page as the marketer knows it: its title in the screen's language (or any), and its address."""
    language = i18n.get_language()
    texts = [page.content.get(lang, {}) for lang in (language, "nl", "en")]
    title = next((text["title"] for text in texts if text.get("title")), "")
    return f"{title} (/{page.slug})" if title else f"/{page.slug}"


class DomainsController(Controller):
    """Host names of the tenant's own that serve its pages and embed script: add, check, remove."""

    path = "/app/pages/domains"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    async def _screen(
        self,
        request: Request[User, Any, Any],
        db: AsyncSession,
        *,
        status_code: int = 200,
        value: str = "",
        error: str = "",
        home_error: tuple[UUID, str] | None = None,
    ) -> Template:
        settings = _settings(request)
        rows = await domains.domains(db)
        published = await domains.published_pages(db)
        live = {page.id for page in published}
        return Template(
            "site/domains.html",
            status_code=status_code,
            context={
                "allowed": await _plan_allows(db),
                "domains": [
                    {
                        "domain": row,
                        "how": domains.instructions(row, settings),
                        "failure": domains.failure_text(row.failure) if row.failure else "",
                        "routed": row.host in _hosts(request).hosts_of(row.tenant_id),
                        # A chosen page that was unpublished since: `/` shows the 404 page, say so.
                        "home_offline": row.home_page_id is not None and row.home_page_id not in live,
                        "home_error": home_error[1] if home_error and home_error[0] == row.id else "",
                    }
                    for row in rows
                ],
                "pages": [{"id": page.id, "label": _page_label(page)} for page in published],
                "value": value,
                "error": error,
                "max_domains": domains.MAX_DOMAINS,
                "recheck_days": domains.RECHECK_SPAN.days,
            },
        )

    @get("/")
    async def index(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        """The tenant's custom domains with their status and how to prove each is theirs."""
        return await self._screen(request, db)

    @post("/", media_type=MediaType.HTML)
    async def add(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Connect a host name; it serves pages once its token is found."""
        raw = str((await request.form()).get("host", ""))[:300]
        if not await _plan_allows(db):
            return await self._screen(request, db, status_code=403, value=raw)
        try:
            domain = await domains.add_domain(db, raw, _settings(request))
        except domains.DomainInvalid as error:
            return await self._screen(request, db, status_code=422, value=raw, error=str(error))
        await db.commit()
        flash(
            request,
            _("%(host)s is added. Publish the record below, then press Check now.", host=domain.host),
            category="success",
        )
        return Redirect(f"/app/pages/domains#domain-{domain.id}")

    @post("/{domain_id:uuid}/check", media_type=MediaType.HTML)
    async def check(self, request: Request[User, Any, Any], db: AsyncSession, domain_id: UUID) -> Any:
        """Look for the token now."""
        domain = await domains.domain_or_none(db, domain_id)
        if domain is None:
            raise NotFoundException()
        if not await _plan_allows(db):
            return await self._screen(request, db, status_code=403)
        verified = await domains.check_domain(domain, _settings(request))
        await db.commit()
        _hosts(request).forget()
        if verified and not domain.failure:
            flash(
                request,
                _("%(host)s is verified and serves your pages.", host=domain.host),
                category="success",
            )
        elif verified:
            still = _("The host still serves your pages for now.")
            flash(request, f"{domains.failure_text(domain.failure)} {still}", category="error")
        else:
            flash(request, domains.failure_text(domain.failure), category="error")
        return Redirect(f"/app/pages/domains#domain-{domain.id}")

    @post("/{domain_id:uuid}/home", media_type=MediaType.HTML)
    async def home(self, request: Request[User, Any, Any], db: AsyncSession, domain_id: UUID) -> Any:
        """Choose the published page the bare host shows (or none: a "page not found" page there)."""
        domain = await domains.domain_or_none(db, domain_id)
        if domain is None:
            raise NotFoundException()
        raw = str((await request.form()).get("page_id", ""))[:64]
        try:
            page = await domains.set_home_page(db, domain, raw)
        except domains.DomainInvalid as error:
            return await self._screen(request, db, status_code=422, home_error=(domain.id, str(error)))
        await db.commit()
        _hosts(request).forget()
        if page is None:
            message = _("Visitors of https://%(host)s/ now see a “page not found” message.", host=domain.host)
        else:
            message = _(
                "Visitors of https://%(host)s/ now see %(page)s.", host=domain.host, page=_page_label(page)
            )
        flash(request, message, category="success")
        return Redirect(f"/app/pages/domains#domain-{domain.id}")

    @post("/{domain_id:uuid}/remove", media_type=MediaType.HTML)
    async def remove(self, request: Request[User, Any, Any], db: AsyncSession, domain_id: UUID) -> Redirect:
        """Disconnect a host name; it stops serving pages at once (other processes within a minute)."""
        domain = await domains.domain_or_none(db, domain_id)
        if domain is None:
            raise NotFoundException()
        host = domain.host
        await db.delete(domain)
        await db.commit()
        _hosts(request).forget()
        flash(request, _("%(host)s no longer serves your pages.", host=host), category="success")
        return Redirect("/app/pages/domains")


@get("/domains/allowed", include_in_schema=False, cache=False)
async def domain_allowed(request: Request[Any, Any, Any], domain: str = "") -> Response[str]:
    """For the TLS proxy's on-demand certificates (Caddy's `ask`): 200 only for a host that serves pages."""
    hosts = _hosts(request)
    await hosts.refresh()
    if hosts.tenant_of(domain.strip().lower().rstrip(".")) is None:
        return Response("unknown host\n", status_code=404, media_type=MediaType.TEXT)
    return Response("ok\n", media_type=MediaType.TEXT)
