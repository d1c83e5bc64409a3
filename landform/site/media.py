"""The media library: the tenant's uploaded images, their alt texts, and where each is used.

An image is uploaded once and reused on any page (hero background, image blocks, logos, social image,
the logo of a theme). It can only be deleted while no draft, live page or the brand uses it, so a
page never loses a picture behind the marketer's back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.core.i18n import LANGUAGES
from landform.core.i18n import gettext as _
from landform.core.text import normalize_text
from landform.site import blocks as page_blocks
from landform.site import services
from landform.site.models import Page, PageVersion, SiteBrand, SiteImage

ALT_LIMIT = 250


class MediaInvalid(Exception):
    """Input for an image that cannot be saved, by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


class ImageInUse(Exception):
    """An image some page or the brand still shows; `uses` says which."""

    def __init__(self, uses: list[Use]) -> None:
        super().__init__(uses)
        self.uses = uses


@dataclass(frozen=True)
class Use:
    """One place an image appears: a page's draft or its live version, or the brand."""

    label: str
    url: str
    live: bool = False


@dataclass
class LibraryImage:
    id: UUID
    content_type: str
    width: int
    height: int
    size: int
    alt: dict[str, str]
    created_at: datetime
    uses: list[Use] = field(default_factory=list)


def _ids_in(blocks: list[dict[str, Any]], theme: dict[str, Any], social_id: Any) -> set[str]:
    found = {str(theme.get("logo_id") or ""), str(social_id or "")}
    for block in blocks:
        data = block.get("data", {})
        found |= {str(data.get("image_id") or ""), str(data.get("background_image_id") or "")}
        found |= set(page_blocks.image_list(data.get("image_ids")))
    return found - {""}


async def usage(db: AsyncSession) -> dict[str, list[Use]]:
    """Where each of the tenant's images is used, by image id: drafts, live versions and the brand."""
    uses: dict[str, list[Use]] = {}
    pages = list((await db.execute(select(Page).order_by(Page.slug))).scalars())
    live_rows = await db.execute(
        select(PageVersion.page_id, PageVersion.snapshot)
        .join(Page, Page.id == PageVersion.page_id)
        .where(Page.published_at.is_not(None), PageVersion.number == Page.published_version)
    )
    live = {row.page_id: row.snapshot for row in live_rows}
    for page in pages:
        # Titles repeat (a page and its copy); the address tells them apart.
        title, url = f"{services.page_title(page)} (/{page.slug})", f"/app/pages/{page.id}"
        draft = _ids_in(page.blocks or [], page.theme or {}, page.social_image_id)
        snapshot = live.get(page.id)
        shown = (
            _ids_in(snapshot["blocks"], snapshot["theme"], (snapshot.get("social_image") or {}).get("id"))
            if snapshot
            else set()
        )
        for image_id in draft | shown:
            uses.setdefault(image_id, []).append(Use(title, url, live=image_id in shown))
    brand = (await db.execute(select(SiteBrand))).scalar_one_or_none()
    logo = str((brand.theme if brand else {}).get("logo_id") or "")
    if logo:
        uses.setdefault(logo, []).append(Use(_("Brand logo"), "/app/pages/brand"))
    return uses


async def library(db: AsyncSession) -> list[LibraryImage]:
    """The tenant's images, newest first, with their size in bytes and where they are used."""
    rows = await db.execute(
        select(
            SiteImage.id,
            SiteImage.content_type,
            SiteImage.width,
            SiteImage.height,
            func.length(SiteImage.data).label("size"),
            SiteImage.alt,
            SiteImage.created_at,
        ).order_by(SiteImage.created_at.desc(), SiteImage.id)
    )
    where = await usage(db)
    return [
        LibraryImage(
            row.id,
            row.content_type,
            row.width,
            row.height,
            int(row.size or 0),
            dict(row.alt or {}),
            row.created_at,
            where.get(str(row.id), []),
        )
        for row in rows
    ]


def clean_alt(raw: dict[str, Any]) -> dict[str, str]:
    """The alt texts of a form (`nl_alt`, `en_alt`); raises MediaInvalid for one that is too long."""
    alt = {lang: normalize_text(str(raw.get(f"{lang}_alt", ""))) for lang in LANGUAGES}
    errors = {
        f"{lang}_alt": _("Please use at most %(limit)d characters.", limit=ALT_LIMIT)
        for lang, text in alt.items()
        if len(text) > ALT_LIMIT
    }
    if errors:
        raise MediaInvalid(errors)
    return alt


async def find(db: AsyncSession, image_id: UUID) -> SiteImage | None:
    return (await db.execute(select(SiteImage).where(SiteImage.id == image_id))).scalar_one_or_none()


async def upload(db: AsyncSession, data: bytes, alt: dict[str, str]) -> SiteImage:
    """Store an upload through the same sniffing and re-encoding as every image; raises ImageRefused."""
    image = await services.store_image(db, data)
    image.alt = alt
    return image


async def delete(db: AsyncSession, image: SiteImage) -> None:
    """Delete an image nobody uses; raises ImageInUse naming the pages (or the brand) that do."""
    uses = (await usage(db)).get(str(image.id), [])
    if uses:
        raise ImageInUse(uses)
    await db.delete(image)
