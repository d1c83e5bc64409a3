"""A page's life on the list: duplicated as a draft, archived (offline, kept) and restored, or deleted.

Archiving a published page unpublishes it (the list asks first): an archived page is never live, so
nothing hidden from the list is still on the web. Deleting is for pages that were never published; one
that was may have leads that name it, statistics and links out there, so it is archived instead.
"""

from __future__ import annotations

import copy
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.core.db import utcnow
from landform.core.i18n import LANGUAGES, translations
from landform.core.i18n import gettext as _
from landform.site import services
from landform.site.models import Page

# The form copies' wording, reused so a page title gets "(copy)" in each of its own languages.
COPY = "%(name)s (copy)"


class PageStays(Exception):
    """The page cannot be deleted; the message says why and what to do instead."""


async def free_slug(db: AsyncSession, slug: str) -> str:
    """`slug`-copy, else -copy-2, -copy-3...: the first address no page of the tenant has."""
    base = f"{slug[:70]}-copy"
    taken = set((await db.execute(select(Page.slug).where(Page.slug.startswith(base)))).scalars())
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


async def duplicate(db: AsyncSession, page: Page) -> Page:
    """A draft copy: same blocks, theme and texts, "(copy)" in its titles, a free address; not published."""
    content = copy.deepcopy(page.content or {})
    for code in LANGUAGES:
        title = content.get(code, {}).get("title")
        if title:
            content[code]["title"] = (translations(code).gettext(COPY) % {"name": title})[:120]
    return Page(
        slug=await free_slug(db, page.slug),
        content=content,
        blocks=copy.deepcopy(page.blocks or []),
        theme=dict(page.theme or {}),
        noindex=page.noindex,
        form_id=page.form_id,
        social_image_id=page.social_image_id,
    )


def archive(page: Page) -> None:
    """Off the list and off the web: a published page is unpublished, a scheduled publish cancelled."""
    services.unpublish(page)
    page.publish_at = None
    page.publish_failed_at = None
    page.archived_at = utcnow()


def restore(page: Page) -> None:
    """Back on the list as a draft: publishing it again is the marketer's choice."""
    page.archived_at = None


def why_not_deletable(page: Page) -> str:
    if page.published_version is not None:
        return _(
            "This page has been published, so leads, statistics or links may point to it. "
            "Archive it instead: it goes offline and leaves the list, and its history stays."
        )
    return ""


async def delete_page(db: AsyncSession, page: Page) -> None:
    reason = why_not_deletable(page)
    if reason:
        raise PageStays(reason)
    page_id: UUID = page.id
    await db.execute(delete(Page).where(Page.id == page_id))


async def pages_with_form(db: AsyncSession, form_id: UUID) -> list[tuple[str, bool]]:
    """The pages whose draft uses this form, as (title, published): for the forms' list (a hook)."""
    pages = (await db.execute(select(Page).where(Page.form_id == form_id).order_by(Page.slug))).scalars()
    return [(services.page_title(page), page.is_published) for page in pages]
