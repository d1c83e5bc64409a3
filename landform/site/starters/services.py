"""Starting a page: from a template (its form, its illustration, its blocks) or blank, within the plan."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.billing import quotas
from landform.core.i18n import gettext as _
from landform.core.text import normalize_text
from landform.forms.builder import services as form_services
from landform.forms.builder import starters as form_starters
from landform.forms.models import Form
from landform.site import services
from landform.site.models import Page
from landform.site.starters import catalog
from landform.site.starters.catalog import PageStarter


def _make_form(session: Session, starter: form_starters.FormStarter, user_id: UUID) -> Form:
    """The template's form, published once so the page shows it as soon as the page goes live.

    It stays the marketer's draft to change: edits show from the form's next publish.
    """
    form = form_starters.build(session, starter)
    session.flush()
    form_services.publish(session, form, user_id)
    return form


async def _free_slug(db: AsyncSession, wanted: str) -> str:
    """The template's own address, or the first of wanted-2, wanted-3, ... that no page uses."""
    slug, n = wanted, 2
    while await services.slug_taken(db, slug, None):
        slug, n = f"{wanted}-{n}", n + 1
    return slug


async def start_page(
    db: AsyncSession, starter: PageStarter | None, raw: dict[str, str], language: str, user_id: UUID
) -> Page:
    """A new page draft, flushed; raises PageInvalid (by field) or billing's QuotaExceeded.

    From a template: the form (counted against the plan's forms too), the illustration stored as the
    tenant's image through the upload path (sniffed, re-encoded), then the blocks. An empty address or
    title takes the template's. Blank: a hero, the tenant's first form and a footer, as before.
    """
    raw = {k: normalize_text(v) for k, v in raw.items()}
    await quotas.ensure_room(db, "pages")
    page = Page()
    if starter is None:
        services.apply_settings(page, raw)
        if await services.slug_taken(db, page.slug, None):
            raise services.PageInvalid({"slug": _("Another page already uses this address.")})
        first_form = await _first_form(db)
        services.set_blocks(page, services.starter_blocks(first_form))
    else:
        given = raw.get("slug", "").lower()
        slug = given or await _free_slug(db, starter.slug(language))
        check = Page()
        services.apply_settings(check, {**raw, **_titles(starter, raw), "slug": slug})
        if given and await services.slug_taken(db, slug, None):
            raise services.PageInvalid({"slug": _("Another page already uses this address.")})
        await quotas.ensure_room(db, "forms")
        form = await db.run_sync(_make_form, starter.form, user_id)
        image = await services.store_image(db, catalog.illustration(starter))
        image_id = str(image.id)
        settings = {**catalog.settings(starter, image_id), **_titles(starter, raw), "slug": slug}
        services.apply_settings(page, settings, {image_id})
        services.set_blocks(page, catalog.blocks(starter, str(form.id), image_id))
    db.add(page)
    await db.flush()
    await services.remember_old_slug(db, page, None)
    return page


def _titles(starter: PageStarter, raw: dict[str, str]) -> dict[str, str]:
    """Titles the marketer typed win; the other language keeps the template's."""
    titles = {}
    for key in ("nl_title", "en_title"):
        titles[key] = raw.get(key) or starter.spec["title"][key[:2]]
    return titles


async def _first_form(db: AsyncSession) -> UUID | None:
    """What a blank page's form block shows: the tenant's first form by name, as the editor's own start."""
    return (await db.execute(select(Form.id).order_by(Form.name).limit(1))).scalar_one_or_none()
