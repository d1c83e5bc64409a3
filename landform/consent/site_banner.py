"""The cookie banner on the tenant's own website, through `/choices.js` (on request: the tenant adds it).

The same categories, texts, policy version and ledger as on hosted pages. The choice lives in a
first-party `lf_consent` cookie on the tenant's site (set by the script there: our server cannot set
cookies for another site), and each choice is recorded in the ledger with the site it was made on.
Only websites the tenant allowed (the allow-lists of its forms) may load the texts or record a choice.
"""

from __future__ import annotations

import hashlib
from base64 import b64encode
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import MediaType
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform import hooks
from landform.accounts.models import Tenant
from landform.consent import cookies, services
from landform.core import i18n
from landform.core.db import scope_to_tenant
from landform.core.http import client_ip, script_response
from landform.core.i18n import gettext as _

CHOICES_JS = Path(__file__).parent.parent / "static" / "choices.js"


@cache
def choices_script() -> tuple[bytes, str]:
    """The site banner script and its Subresource Integrity hash (read once per process)."""
    body = CHOICES_JS.read_bytes()
    return body, "sha384-" + b64encode(hashlib.sha384(body).digest()).decode()


@get("/choices.js", include_in_schema=False, cache=False)
async def serve_choices_script(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The banner script for tenants' websites: cached for a day, revalidated by ETag."""
    return script_response(request, *choices_script())


# When how we honour Global Privacy Control last changed: a browser sending Sec-GPC: 1 (or a page seeing
# navigator.globalPrivacyControl) refuses the analytics and marketing cookies on the visitor's behalf.
GPC_LAST_UPDATE = "2026-12-07"


@get("/.well-known/gpc.json", include_in_schema=False, cache=False)
async def gpc_json() -> Response[dict[str, Any]]:
    """The GPC support resource (the spec's /.well-known/gpc.json), for hosted pages and custom domains."""
    return Response(
        {"gpc": True, "lastUpdate": GPC_LAST_UPDATE},
        media_type=MediaType.JSON,
        headers={"cache-control": "public, max-age=86400", "access-control-allow-origin": "*"},
    )


def snippet(base_url: str, tenant_slug: str, *, consent_mode: bool = False) -> str:
    """What a tenant pastes into their website's pages.

    With Google Consent Mode the script is not `async`: pasted in the head before any Google tag, it runs
    first, so its "denied" defaults are in the dataLayer before a Google tag reads it.
    """
    _body, integrity = choices_script()
    if consent_mode:
        return (
            f'<script src="{base_url}/choices.js" data-landform-site="{tenant_slug}" '
            f'data-landform-consent-mode integrity="{integrity}" crossorigin="anonymous"></script>'
        )
    return (
        f'<script src="{base_url}/choices.js" data-landform-site="{tenant_slug}" integrity="{integrity}" '
        'crossorigin="anonymous" async></script>'
    )


class SiteBannerController(Controller):
    """Texts for the banner on a tenant's website, and the visitor's choice made there."""

    path = "/consent/site/{tenant_slug:str}"
    include_in_schema = False

    async def _tenant_and_origin(
        self, request: Request[Any, Any, Any], db: AsyncSession, slug: str
    ) -> tuple[Tenant, str]:
        tenant = (await db.execute(select(Tenant).where(Tenant.slug == slug[:63]))).scalar_one_or_none()
        if tenant is None:
            raise NotFoundException(detail=_("There is no organisation with this address."))
        scope_to_tenant(db.sync_session, tenant.id)
        origin = request.headers.get("origin", "")
        if origin not in await hooks.allowed_origins.get()(db):
            raise PermissionDeniedException(
                detail=_("This website may not show %(name)s's cookie banner.", name=tenant.name)
            )
        return tenant, origin

    @get("/")
    async def texts(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, tenant_slug: str
    ) -> Response[Any]:
        """The banner's texts in the visitor's language, the categories and the policy version."""
        tenant, origin = await self._tenant_and_origin(request, db_session, tenant_slug)
        language = i18n.get_language()
        base = request.app.state.settings.server.base_url
        body = {
            "version": tenant.cookie_policy_version,
            "language": language,
            "categories": [
                {"key": c, "name": cookies.category_name(c), "description": cookies.category_description(c)}
                for c in cookies.CATEGORIES
            ],
            "policy_url": f"{base}/p/{tenant.slug}/_cookies/?lang={language}",
            "texts": {
                "title": _("Your cookie choice"),
                "body": _(
                    "This website only uses cookies you allow. Necessary ones remember your choice; others "
                    "(statistics, marketing) stay off until you say yes."
                ),
                "accept": _("Accept all"),
                "reject": _("Reject all"),
                "choose": _("Choose"),
                "save": _("Save my choice"),
                "settings": _("Cookie settings"),
                "close": _("Close"),
                "policy": _("Cookie policy"),
                "gpc": _("Off: your browser asks sites not to track you (Global Privacy Control)."),
            },
        }
        return Response(
            body,
            headers={
                "access-control-allow-origin": origin,
                "vary": "Origin, Accept-Language",
                "cache-control": "no-store",
            },
        )

    @post("/", status_code=200, media_type=MediaType.JSON)
    async def choose(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, tenant_slug: str
    ) -> Response[Any]:
        """Record the choice made on the tenant's website; the script there keeps it in its own cookie."""
        tenant, origin = await self._tenant_and_origin(request, db_session, tenant_slug)
        data = await request.form()
        answer = str(data.get("choice", ""))
        if answer not in {"all", "none", "custom"}:
            raise ClientException(detail=_("Choose to accept, to reject or which cookies to allow."))
        gpc = cookies.global_privacy_control(request.headers.get("sec-gpc")) or data.get("gpc") == "1"
        choice = cookies.choose(
            answer, [str(v) for v in data.getall("category", [])], tenant.cookie_policy_version, gpc=gpc
        )
        cookies.record_choice(
            db_session,
            tenant_id=tenant.id,
            choice=choice,
            language=i18n.get_language(),
            how=services.ConsentHow(
                method="site_banner",
                embed_host=origin[:300],
                ip_hash=services.ip_hash(
                    client_ip(request, request.app.state.settings.server.trusted_proxies)
                ),
                user_agent_family=services.browser_family(request.headers.get("user-agent", "")),
            ),
            gpc=gpc,
        )
        await db_session.commit()
        return Response(
            {"allowed": sorted(cookies.allowed(choice, gpc=gpc)), "value": choice.cookie_value()},
            headers={"access-control-allow-origin": origin, "vary": "Origin"},
        )
