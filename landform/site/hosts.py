"""Requests on a tenant's own host name: which tenant it is, and the path the app routes it by.

`go.bakkerij.nl/spring-offer` is served as `/p/bakkerij/spring-offer`, and the bare host as
`/p/bakkerij`, which shows the home page the tenant chose for that host (or a 404 in the tenant's
name). Only the tenant's pages and what they need (its theme, images, cookie choice) are reachable
there, plus the embed script and its extension files, the site banner script, the form endpoints
(for that tenant's forms only), static files, and that tenant's own privacy portal at `/privacy` and
banner texts; anything else is mapped under the tenant's page prefix too, where it finds nothing and
answers 404. A host nobody verified gets the normal app. The verified hosts are read into memory (one
query for all of them, at most every `cache_seconds`, and at once after a change in this process) so a
page view pays no extra query.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from landform.accounts.models import Tenant
from landform.billing.models import Subscription
from landform.billing.plans import PLANS
from landform.billing.quotas import FREE
from landform.core.http import CUSTOM_HOST, CustomHost
from landform.forms.embed import EXTENSIONS
from landform.site.models import SiteDomain

log = logging.getLogger(__name__)

# Paths served as they are on a custom host; everything else is one of the tenant's pages (or a 404).
# The embed's extension files too: embed.js loads them from its own origin (every form loads at least
# the proof-of-work solver), and hosted pages link embed-altcha.js themselves.
PASS_THROUGH = (
    "/static/",
    "/f/",
    "/embed.js",
    *(f"/embed-{name}.js" for name in EXTENSIONS),
    "/choices.js",
    "/robots.txt",
    "/.well-known/gpc.json",
)
# Served as they are when they name the host's own tenant (/privacy/bakkerij/...); another's: a 404.
OWN_TENANT_ONLY = ("/privacy/", "/consent/site/")
RETRY_AFTER_ERROR = 5.0


@dataclass(frozen=True)
class HostSite:
    """Whose a verified host is, and the page its bare address shows (None: a 404 in the tenant's name)."""

    tenant_id: UUID
    tenant_slug: str
    tenant_name: str
    home_page_id: UUID | None


class SiteHosts:
    """This process's copy of the verified custom hosts and the tenant each one serves."""

    def __init__(self, engine: AsyncEngine, ttl: float) -> None:
        self.engine = engine
        self._ttl = ttl
        self._by_host: dict[str, HostSite] = {}
        self._by_tenant: dict[UUID, list[str]] = {}
        self._fresh_until = 0.0
        self._lock = asyncio.Lock()

    def forget(self) -> None:
        """Read the hosts again on the next request (after this process changed one)."""
        self._fresh_until = 0.0

    def site_of(self, host: str) -> HostSite | None:
        return self._by_host.get(host)

    def tenant_of(self, host: str) -> tuple[UUID, str] | None:
        found = self._by_host.get(host)
        return (found.tenant_id, found.tenant_slug) if found else None

    def hosts_of(self, tenant_id: UUID) -> list[str]:
        return self._by_tenant.get(tenant_id, [])

    async def refresh(self) -> None:
        if time.monotonic() < self._fresh_until:
            return
        async with self._lock:
            if time.monotonic() < self._fresh_until:
                return
            try:
                await self._load()
            except Exception:
                # The database is away: keep routing what we knew, and ask again soon.
                log.warning("domains: could not read the verified hosts; keeping %d", len(self._by_host))
                self._fresh_until = time.monotonic() + RETRY_AFTER_ERROR
                return
            self._fresh_until = time.monotonic() + self._ttl

    async def _load(self) -> None:
        query = (
            select(
                SiteDomain.host,
                SiteDomain.home_page_id,
                Tenant.id,
                Tenant.slug,
                Tenant.name,
                Subscription.plan,
            )
            .join(Tenant, Tenant.id == SiteDomain.tenant_id)
            .outerjoin(Subscription, Subscription.tenant_id == SiteDomain.tenant_id)
            .where(SiteDomain.status == "verified")
            .order_by(SiteDomain.created_at)
            .execution_options(all_tenants=True)
        )
        async with AsyncSession(self.engine) as session:
            rows = (await session.execute(query)).all()
        by_host: dict[str, HostSite] = {}
        by_tenant: dict[UUID, list[str]] = {}
        for host, home_page_id, tenant_id, slug, name, plan in rows:
            if not PLANS.get(plan or "", FREE).has("custom_domains"):
                continue  # a downgraded tenant's hosts stop serving, and come back with the plan
            by_host[host] = HostSite(tenant_id, slug, name, home_page_id)
            by_tenant.setdefault(tenant_id, []).append(host)
        self._by_host, self._by_tenant = by_host, by_tenant


def _host_header(headers: list[tuple[bytes, bytes]]) -> tuple[str, str]:
    """The host name of the Host header (no port, no dot at the end) and the header as sent."""
    for name, value in headers:
        if name == b"host":
            netloc = value.decode("latin-1").strip().lower()
            if netloc.startswith("["):
                return "", ""  # an IPv6 literal is never a tenant's host
            return netloc.rsplit(":", 1)[0].rstrip("."), netloc
    return "", ""


class CustomHostRouter:
    """ASGI: maps a verified custom host's paths onto the tenant's pages before the app routes them."""

    def __init__(self, app: Any, hosts: SiteHosts, *, https: bool) -> None:
        self.app = app
        self.hosts = hosts
        # Behind the TLS proxy the app sees http; the visitor's address is https when ours is.
        self.https = https

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            host, netloc = _host_header(scope.get("headers", []))
            if host:
                await self.hosts.refresh()
                found = self.hosts.site_of(host)
                if found is not None:
                    scheme = "https" if self.https else scope.get("scheme", "http")
                    self._rewrite(scope, host, netloc, scheme, found)
        await self.app(scope, receive, send)

    @staticmethod
    def _rewrite(scope: Any, host: str, netloc: str, scheme: str, site: HostSite) -> None:
        # In place, not a copy: Litestar's before-send hooks (the database session's commit and close)
        # hold the scope the app was called with and must find what the handler stored in it.
        path = scope["path"]
        routed = routed_path(path, site.tenant_slug)
        custom = CustomHost(
            host=host,
            netloc=netloc,
            tenant_id=site.tenant_id,
            tenant_slug=site.tenant_slug,
            scheme=scheme,
            path=path,
            tenant_name=site.tenant_name,
            home_page_id=site.home_page_id,
        )
        scope.update({"path": routed, "raw_path": routed.encode(), CUSTOM_HOST: custom})


def routed_path(path: str, slug: str) -> str:
    """The path the app routes a custom host's request by: the tenant's own things, or under its pages."""
    if path.startswith(PASS_THROUGH):
        return path
    if path in ("/", ""):
        return f"/p/{slug}"  # the host's home page
    if path in ("/privacy", "/privacy/"):
        return f"/privacy/{slug}"
    for prefix in OWN_TENANT_ONLY:
        own = f"{prefix}{slug}"
        if path == own or path.startswith(own + "/"):
            return path
    return f"/p/{slug}{path}"
