"""The process's memory of published pages: a hosted page's rows are read once, not on every view.

A view of a landing page needs its tenant, the page and its published version, the form on it with its
live version, and the sizes of its images. They are kept by (tenant slug, page slug) for at most
`SECONDS` (see `landform/core/memo.py`: a change made in this process applies at once, one made in another
within `SECONDS`), with the page's blocks as shown in each language order, which a version (immutable)
determines. Only published pages are kept: an unknown address is looked up every time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import Tenant
from landform.core.db import scope_to_tenant
from landform.core.memo import Memo
from landform.forms.intake import pipeline
from landform.forms.models import Form, FormVersion
from landform.site import blocks as page_blocks
from landform.site import services
from landform.site.models import Page, PageVersion, SiteImage

SECONDS = 10.0


@dataclass
class LivePage:
    """A published page's rows, detached and shared by every request: read them, never change them."""

    tenant: Tenant
    page: Page
    version: PageVersion
    form: Form | None
    form_version: FormVersion | None
    images: dict[str, dict[str, int]]
    # The blocks as page_blocks.view shows them, per language order (filled as visitors ask).
    shown: dict[tuple[str, ...], list[dict[str, Any]]] = field(default_factory=dict)

    def blocks(self, order: list[str]) -> list[dict[str, Any]]:
        key = tuple(order)
        if key not in self.shown:
            self.shown[key] = page_blocks.view(self.version.snapshot["blocks"], order)
        return self.shown[key]


pages: Memo[LivePage] = Memo(
    seconds=SECONDS,
    watch={
        Tenant: lambda tenant: tenant.id,
        Page: lambda page: page.id,
        PageVersion: lambda version: version.page_id,
        Form: lambda form: form.id,
        FormVersion: lambda version: version.form_id,
        SiteImage: lambda image: image.tenant_id,
    },
)


def image_ids(snapshot: dict[str, Any]) -> set[str]:
    """The images a version shows: the logo, the social image and the blocks' images (backgrounds, logos)."""
    logo_id = snapshot["theme"].get("logo_id", "")
    social_id = (snapshot.get("social_image") or {}).get("id", "")
    shown = {logo_id, social_id}
    for block in snapshot["blocks"]:
        data = block.get("data", {})
        shown |= {str(data.get("image_id", "")), str(data.get("background_image_id", ""))}
        shown |= set(page_blocks.image_list(data.get("image_ids")))
    return shown


async def live_page(db: AsyncSession, tenant_slug: str, page_slug: str) -> LivePage | None:
    """The published page at this address, from memory or the database; scopes the session to its tenant."""
    key = (tenant_slug, page_slug)
    found = pages.get(key)
    if found is not None:
        scope_to_tenant(db.sync_session, found.tenant.id)
        return found
    tenant = await services.find_tenant(db, tenant_slug)
    published = await services.find_published(db, page_slug) if tenant else None
    if tenant is None or published is None:
        return None
    page, version = published
    form_id = page_blocks.form_id_of(version.snapshot["blocks"])
    form = (
        (await db.execute(select(Form).where(Form.id == UUID(form_id)))).scalar_one_or_none()
        if form_id
        else None
    )
    form_version = await pipeline.live_version(db, form) if form else None
    images = await services.images(db, image_ids(version.snapshot))
    for row in (tenant, page, version, form, form_version):
        if row is not None:
            db.expunge(row)
    found = LivePage(tenant, page, version, form, form_version, images)
    pages.keep(key, found, depends_on={tenant.id, page.id, *([form.id] if form else [])})
    return found
