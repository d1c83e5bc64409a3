"""What a hosted page template is given: the snapshot's blocks and texts in the visitor's language."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from landform import i18n
from landform.accounts.models import Tenant
from landform.consent import cookies
from landform.settings import get_settings
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
    live: LivePage | None = None,
) -> dict[str, Any]:
    """Everything templates/site/hosted_page.html needs, in the visitor's language.

    `live`: the page as the process remembers it (its blocks as shown and its images' sizes).
    """
    text = services.page_text(snapshot["seo"], i18n.get_language(), tenant.default_language)
    i18n.set_language(text["language"])
    order = services.language_order(text["language"], tenant.default_language)
    logo_id = snapshot["theme"].get("logo_id", "")
    return {
        "tenant": tenant,
        "page": page,
        "text": text,
        "blocks": live.blocks(order) if live else page_blocks.view(snapshot["blocks"], order),
        "images": live.images if live else await services.images(db, image_ids(snapshot)),
        "logo_id": logo_id,
        "form": form,
        "theme_url": theme_url,
        "page_url": f"{get_settings().server.base_url}/p/{tenant.slug}/{page.slug}",
        "noindex": snapshot.get("noindex", False),
        # The hosted page replaces this with the visitor's choice; elsewhere consent-bound parts stay inert.
        "cookies": cookies.banner(
            tenant.slug,
            tenant.cookie_policy_version,
            None,
            gpc=False,
            back=f"/p/{tenant.slug}/{page.slug}",
            page_id=str(page.id),
            live=False,
        ),
    }


def theme_url(tenant: Tenant, version: PageVersion) -> str:
    return f"/p/{tenant.slug}/_theme/{version.id}?v={themes.digest(version.snapshot['theme'])}"
