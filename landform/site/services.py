"""Page rules: settings and slugs, the block draft, publishing immutable versions, brand and images."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.core.db import scope_to_tenant, utcnow
from landform.core.i18n import LANGUAGES, get_language
from landform.core.i18n import gettext as _
from landform.core.images import clean_image
from landform.core.text import normalize_text
from landform.site import blocks as page_blocks
from landform.site import themes
from landform.site.models import Page, PageRedirect, PageVersion, SiteBrand, SiteImage

SEO_FIELDS = {"title": 120, "seo_description": 300, "social_image_alt": 200}
# What link previews (Facebook, LinkedIn, X, chat apps) draw best: 1.91:1, at least this large.
SOCIAL_IMAGE_SIZE = (1200, 630)
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
# On a custom host these addresses are the tenant's privacy portal (site/hosts.py), not a page.
RESERVED_SLUGS = frozenset({"privacy"})


class PageInvalid(Exception):
    """Page input that cannot be saved, by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def apply_settings(page: Page, raw: dict[str, str], image_ids: set[str] | None = None) -> None:
    """Copy the address, titles, search texts, social image and noindex from a form; raises PageInvalid.

    `image_ids` are the tenant's images; without them (a new page) no social image can be chosen.
    """
    errors: dict[str, str] = {}
    slug = normalize_text(raw.get("slug", "")).lower()
    if not SLUG.match(slug):
        errors["slug"] = _("Use lower-case letters, digits and hyphens, like spring-offer.")
    elif slug in RESERVED_SLUGS and slug != page.slug:  # a page made before it was reserved keeps it
        errors["slug"] = _("This address is your privacy portal on your own domain names. Choose another.")
    content: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        entry = {}
        for name, limit in SEO_FIELDS.items():
            value = normalize_text(raw.get(f"{language}_{name}", ""))
            if len(value) > limit:
                errors[f"{language}_{name}"] = _("Please use at most %(limit)d characters.", limit=limit)
            entry[name] = value[:limit]
        content[language] = entry
    if not any(content[lang]["title"] for lang in LANGUAGES):
        errors["nl_title"] = _("Give the page a title in at least one language.")
    social_image = raw.get("social_image_id", "").strip()
    if social_image and social_image not in (image_ids or set()):
        errors["social_image_id"] = _("Choose one of your images, or upload one.")
    elif social_image and not any(content[lang]["social_image_alt"] for lang in LANGUAGES):
        errors["nl_social_image_alt"] = _("Describe what the image shows, in at least one language.")
    if errors:
        raise PageInvalid(errors)
    page.slug = slug
    page.content = content
    page.social_image_id = UUID(social_image) if social_image else None
    page.noindex = raw.get("noindex") in ("on", "true", "1")


def starter_blocks(form_id: UUID | None) -> list[dict[str, Any]]:
    """A new page starts as a hero, the form (if the tenant has one) and a footer."""
    hero = page_blocks.new_block("hero")
    hero["text"] = {lang: {**hero["text"][lang], "button_text": ""} for lang in LANGUAGES}
    blocks = [hero]
    if form_id is not None:
        form = page_blocks.new_block("form")
        form["data"]["form_id"] = str(form_id)
        blocks.append(form)
    blocks.append(page_blocks.new_block("footer"))
    return blocks


def blocks_from_content(content: dict[str, dict[str, str]], form_id: UUID | None) -> list[dict[str, Any]]:
    """Blocks for a page described the old way (headline, sub-headline, Markdown body per language)."""
    hero = page_blocks.new_block("hero")
    text = page_blocks.new_block("text")
    for lang in LANGUAGES:
        entry = content.get(lang, {})
        hero["text"][lang].update(heading=entry.get("headline", ""), subheading=entry.get("subheadline", ""))
        hero["text"][lang]["button_text"] = ""
        text["text"][lang]["markdown"] = entry.get("body", "")
    blocks = [hero]
    if form_id is not None:
        form = page_blocks.new_block("form")
        form["data"]["form_id"] = str(form_id)
        blocks.append(form)
    return [*blocks, text, page_blocks.new_block("footer")]


def set_blocks(page: Page, blocks: list[dict[str, Any]]) -> None:
    page.blocks = blocks
    form_id = page_blocks.form_id_of(blocks)
    page.form_id = UUID(form_id) if form_id else None


async def slug_taken(db: AsyncSession, slug: str, page_id: UUID | None) -> bool:
    query = select(Page.id).where(Page.slug == slug)
    if page_id is not None:
        query = query.where(Page.id != page_id)
    return (await db.execute(query)).first() is not None


async def remember_old_slug(db: AsyncSession, page: Page, old_slug: str | None) -> None:
    """Keep a moved page reachable at its old address; an address taken again stops redirecting."""
    await db.execute(delete(PageRedirect).where(PageRedirect.old_slug == page.slug))
    if old_slug and old_slug != page.slug:
        await db.execute(delete(PageRedirect).where(PageRedirect.old_slug == old_slug))
        db.add(PageRedirect(old_slug=old_slug, page_id=page.id))


def _snapshot(page: Page, brand: dict[str, str], social_image: dict[str, Any] | None) -> dict[str, Any]:
    problems = page_blocks.publish_problems(page.blocks or [])
    if not any(page.content.get(lang, {}).get("title") for lang in LANGUAGES):
        problems["nl_title"] = _("Give the page a title before publishing it.")
    if problems:
        raise PageInvalid(problems)
    return {
        "blocks": page.blocks or [],
        "theme": themes.resolve(brand, page.theme or {}),
        "seo": page.content,
        "noindex": bool(page.noindex),
        "social_image": social_image,
    }


def _publish_snapshot(page: Page, snapshot: dict[str, Any], number: int, user_id: UUID | None) -> PageVersion:
    version = PageVersion(page_id=page.id, number=number, snapshot=snapshot, published_by_id=user_id)
    page.published_version = number
    page.published_at = utcnow()
    page.archived_at = None  # a live page is never hidden in the archive
    return version


async def brand_theme(db: AsyncSession) -> dict[str, str]:
    brand = (await db.execute(select(SiteBrand))).scalar_one_or_none()
    return dict(brand.theme) if brand else {}


async def embed_stylesheet(db: AsyncSession) -> str:
    """The brand for an embedded form: colours, font and corners as custom properties of its shadow host."""
    return themes.stylesheet(await brand_theme(db), ":host")


async def _next_number(db: AsyncSession, page: Page) -> int:
    latest = (
        await db.execute(select(func.max(PageVersion.number)).where(PageVersion.page_id == page.id))
    ).scalar_one()
    return int(latest or 0) + 1


def _social_image(row: Any) -> dict[str, Any] | None:
    return {"id": str(row.id), "width": row.width, "height": row.height} if row is not None else None


def _social_image_query(page: Page) -> Any:
    return select(SiteImage.id, SiteImage.width, SiteImage.height).where(SiteImage.id == page.social_image_id)


async def social_image(db: AsyncSession, page: Page) -> dict[str, Any] | None:
    """The draft's social image as a version keeps it: id and size (the bytes never change)."""
    if page.social_image_id is None:
        return None
    return _social_image((await db.execute(_social_image_query(page))).first())


async def publish(db: AsyncSession, page: Page, user_id: UUID | None) -> PageVersion:
    """Freeze the draft, the resolved theme, the SEO texts and social image into a new live version."""
    snapshot = _snapshot(page, await brand_theme(db), await social_image(db, page))
    version = _publish_snapshot(page, snapshot, await _next_number(db, page), user_id)
    db.add(version)
    return version


def publish_sync(session: Session, page: Page, user_id: UUID | None = None) -> PageVersion:
    """`publish` for jobs, the CLI and tests, on a sync session scoped to the page's tenant."""
    brand = session.execute(select(SiteBrand)).scalar_one_or_none()
    image = (
        _social_image(session.execute(_social_image_query(page)).first()) if page.social_image_id else None
    )
    snapshot = _snapshot(page, dict(brand.theme) if brand else {}, image)
    latest = session.execute(
        select(func.max(PageVersion.number)).where(PageVersion.page_id == page.id)
    ).scalar_one()
    version = _publish_snapshot(page, snapshot, int(latest or 0) + 1, user_id)
    session.add(version)
    return version


async def roll_back(db: AsyncSession, page: Page, number: int, user_id: UUID | None) -> PageVersion | None:
    """Publish a copy of an earlier version and make it the draft again, so the next edit starts there."""
    old = (
        await db.execute(
            select(PageVersion).where(PageVersion.page_id == page.id, PageVersion.number == number)
        )
    ).scalar_one_or_none()
    if old is None:
        return None
    snapshot = dict(old.snapshot)
    set_blocks(page, list(snapshot["blocks"]))
    page.content = dict(snapshot["seo"])
    page.noindex = bool(snapshot.get("noindex"))
    image = snapshot.get("social_image")
    page.social_image_id = UUID(image["id"]) if image else None
    version = _publish_snapshot(page, snapshot, await _next_number(db, page), user_id)
    db.add(version)
    return version


def unpublish(page: Page) -> None:
    page.published_at = None


async def versions(db: AsyncSession, page: Page) -> list[PageVersion]:
    query = select(PageVersion).where(PageVersion.page_id == page.id).order_by(PageVersion.number.desc())
    return list((await db.execute(query)).scalars())


async def live_version(db: AsyncSession, page: Page) -> PageVersion | None:
    if page.published_at is None or page.published_version is None:
        return None
    query = select(PageVersion).where(
        PageVersion.page_id == page.id, PageVersion.number == page.published_version
    )
    return (await db.execute(query)).scalar_one_or_none()


async def find_tenant(db: AsyncSession, tenant_slug: str) -> Tenant | None:
    """A tenant by its public slug; the session is scoped to it afterwards."""
    tenant = (await db.execute(select(Tenant).where(Tenant.slug == tenant_slug))).scalar_one_or_none()
    if tenant is not None:
        scope_to_tenant(db.sync_session, tenant.id)
    return tenant


async def find_published(db: AsyncSession, page_slug: str) -> tuple[Page, PageVersion] | None:
    page = (
        await db.execute(select(Page).where(Page.slug == page_slug, Page.published_at.is_not(None)))
    ).scalar_one_or_none()
    version = await live_version(db, page) if page else None
    return (page, version) if page and version else None


async def published_slug(db: AsyncSession, page_id: UUID) -> str | None:
    """The address of this page of the scoped tenant, if it is published (a custom host's home page)."""
    query = select(Page.slug).where(Page.id == page_id, Page.published_at.is_not(None))
    return (await db.execute(query)).scalar_one_or_none()


async def moved_to(db: AsyncSession, old_slug: str) -> str | None:
    """The current address of a published page that used to live at `old_slug`."""
    query = (
        select(Page.slug)
        .join(PageRedirect, PageRedirect.page_id == Page.id)
        .where(PageRedirect.old_slug == old_slug, Page.published_at.is_not(None))
    )
    return (await db.execute(query)).scalar_one_or_none()


def language_order(language: str, default_language: str) -> list[str]:
    return list(dict.fromkeys([language, default_language, *LANGUAGES]))


def page_text(seo: dict[str, dict[str, str]], language: str, default_language: str) -> dict[str, str]:
    """Title and search description in the visitor's language, falling back field by field."""
    order = language_order(language, default_language)
    text = {
        name: next((seo[lang][name] for lang in order if seo.get(lang, {}).get(name)), "")
        for name in SEO_FIELDS
    }
    text["language"] = next((lang for lang in order if seo.get(lang, {}).get("title")), language)
    return text


async def store_image(db: AsyncSession, data: bytes) -> SiteImage:
    """Keep an upload as `clean_image` re-wrote it; raises ImageRefused for what is not a plain image."""
    clean = clean_image(data)
    image = SiteImage(
        content_type=clean.content_type, width=clean.width, height=clean.height, data=clean.data
    )
    db.add(image)
    await db.flush()
    return image


async def images(db: AsyncSession, only: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """The tenant's images (or `only` these of them) by id: their sizes and alt texts, without their bytes."""
    query = select(SiteImage.id, SiteImage.width, SiteImage.height, SiteImage.alt)
    if only is not None:
        wanted = []
        for image_id in only:
            try:
                wanted.append(UUID(image_id))
            except ValueError:
                continue
        query = query.where(SiteImage.id.in_(wanted))
    rows = await db.execute(query)
    return {str(row.id): {"width": row.width, "height": row.height, "alt": row.alt or {}} for row in rows}


async def save_brand(db: AsyncSession, theme: dict[str, str]) -> None:
    brand = (await db.execute(select(SiteBrand))).scalar_one_or_none()
    if brand is None:
        db.add(SiteBrand(theme=theme))
    else:
        brand.theme = theme


def page_title(page: Page) -> str:
    """A page's title in the reader's language, else in either, else its slug."""
    language = get_language()
    for code in (language, "nl", "en"):
        title = (page.content or {}).get(code, {}).get("title")
        if title:
            return str(title)
    return page.slug


async def page_titles(db: AsyncSession) -> tuple[str, dict[UUID, str]]:
    """The tenant's pages by slug, titled (for analytics' reports)."""
    pages = (await db.execute(select(Page).order_by(Page.slug))).scalars()
    return "page", {page.id: page_title(page) for page in pages}
