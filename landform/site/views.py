"""What a hosted page template is given: the snapshot's blocks and texts in the visitor's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import Tenant
from landform.billing import quotas
from landform.consent import cookies
from landform.core import i18n
from landform.core.http import TenantHosts, custom_host, site_prefix
from landform.core.settings import get_settings
from landform.site import blocks as page_blocks
from landform.site import services, themes
from landform.site.live import LivePage, image_ids
from landform.site.models import Page, PageVersion


async def page_context(
    db: AsyncSession,
    tenant: Tenant,
    page: Page,
    snapshot: dict[str, Any],
    *,
    form: dict[str, Any] | None,
    theme_url: str,
    address: PageAddress | None = None,
    live: LivePage | None = None,
) -> dict[str, Any]:
    """Everything templates/site/hosted_page.html needs, in the visitor's language.

    `live`: the page as the process remembers it (its blocks as shown and its images' sizes).
    """
    address = address or PageAddress(f"/p/{tenant.slug}", f"{get_settings().server.base_url}/p/{tenant.slug}")
    text = services.page_text(snapshot["seo"], i18n.get_language(), tenant.default_language)
    i18n.set_language(text["language"])
    order = services.language_order(text["language"], tenant.default_language)
    logo_id = snapshot["theme"].get("logo_id", "")
    social = snapshot.get("social_image") or {}
    images = live.images if live else await services.images(db, image_ids(snapshot))
    return {
        "tenant": tenant,
        "page": page,
        "text": text,
        "blocks": live.blocks(order) if live else page_blocks.view(snapshot["blocks"], order),
        "images": images,
        "logo_id": logo_id,
        "social_image": _social_meta(social, images, address.canonical_root, text["social_image_alt"]),
        "form": form,
        "theme_url": theme_url,
        "prefix": address.prefix,
        "page_url": f"{address.canonical_root}/{page.slug}",
        # On its own host the tenant's privacy portal is at /privacy; "Made with Landform" leads to us.
        "privacy_url": "/privacy" if address.prefix == "" else f"/privacy/{tenant.slug}",
        "platform_url": get_settings().server.base_url if address.prefix == "" else "",
        "noindex": snapshot.get("noindex", False),
        "branding": await quotas.shows_branding(db),
        # The hosted page replaces this with the visitor's choice; elsewhere consent-bound parts stay inert.
        "cookies": cookies.banner(
            tenant.slug,
            tenant.cookie_policy_version,
            None,
            gpc=False,
            back=f"{address.prefix}/{page.slug}",
            page_id=str(page.id),
            live=False,
            prefix=address.prefix,
        ),
    }


def _social_meta(
    social: dict[str, Any], images: dict[str, dict[str, int]], root: str, alt: str
) -> dict[str, Any] | None:
    """og:image and its size and alt text, absolute on the page's canonical host; None when unset or gone."""
    if not social or social.get("id") not in images:
        return None
    return {
        "url": f"{root}/_img/{social['id']}",
        "width": social["width"],
        "height": social["height"],
        "alt": alt,
    }


@dataclass(frozen=True)
class PageAddress:
    """Where a tenant's pages live for this request, and the address search engines should index."""

    # "" on the tenant's own host, "/p/{slug}" on ours: what page, theme and image links start with.
    prefix: str
    # The absolute root the canonical URL and social meta use: the tenant's first verified host if it
    # has one (so a page has one address everywhere), else ours.
    canonical_root: str


def address_for(request: Request[Any, Any, Any] | None, tenant: Tenant) -> PageAddress:
    settings = get_settings()
    prefix = site_prefix(request, tenant.slug)
    hosts: TenantHosts | None = request.app.state.get("site_hosts") if request is not None else None
    own = hosts.hosts_of(tenant.id) if hosts is not None else []
    here = custom_host(request) if request is not None else None
    if here is not None:
        root = here.origin
    elif own:
        scheme = "https" if settings.server.secure_cookies else "http"
        root = f"{scheme}://{own[0]}"
    else:
        root = f"{settings.server.base_url}/p/{tenant.slug}"
    return PageAddress(prefix, root)


def theme_url(tenant: Tenant, version: PageVersion, prefix: str | None = None) -> str:
    base = f"/p/{tenant.slug}" if prefix is None else prefix
    return f"{base}/_theme/{version.id}?v={themes.digest(version.snapshot['theme'])}"
