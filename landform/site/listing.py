"""The dashboard's list of pages: the default list or the archive, and duplicating, archiving, restoring
and deleting a page (site/lifecycle.py has the rules)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.billing import quotas
from landform.core.i18n import gettext as _
from landform.site import lifecycle, services
from landform.site.models import Page


async def page_or_404(db: AsyncSession, page_id: UUID) -> Page:
    page = (await db.execute(select(Page).where(Page.id == page_id))).scalar_one_or_none()
    if page is None:
        raise NotFoundException()
    return page


def _confirm(page: Page, *, action: str, **context: Any) -> Template:
    return Template(
        "layout/confirm.html",
        context={
            "title": services.page_title(page),
            "crumb": ("/app/pages/", _("Pages")),
            "action": f"/app/pages/{page.id}/{action}",
            "cancel": "/app/pages/",
            **context,
        },
    )


async def page_list(db: AsyncSession, archived: bool) -> Template:
    """All pages, newest first; or the archived ones (the editor's controller owns the address)."""
    shelf = Page.archived_at.is_not(None) if archived else Page.archived_at.is_(None)
    pages = list((await db.execute(select(Page).where(shelf).order_by(Page.created_at.desc()))).scalars())
    other = (await db.execute(select(func.count()).select_from(Page).where(~shelf))).scalar_one()
    context = {"pages": pages, "archived": archived, "other_count": other}
    return Template("site/list.html", context=context)


class PageListController(Controller):
    """Duplicating, archiving, restoring and deleting pages from their list."""

    path = "/app/pages"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @post("/{page_id:uuid}/duplicate")
    async def duplicate(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Redirect:
        """A draft copy with a free address, opened in the editor."""
        page = await page_or_404(db, page_id)
        await quotas.ensure_room(db, "pages")
        copy = await lifecycle.duplicate(db, page)
        db.add(copy)
        await db.commit()
        flash(request, _("Copy made as a draft at /%(slug)s.", slug=copy.slug), category="success")
        return Redirect(f"/app/pages/{copy.id}")

    @get("/{page_id:uuid}/archive")
    async def confirm_archive(self, db: AsyncSession, page_id: UUID) -> Template:
        """Asked first when the page is live: archiving takes it offline."""
        page = await page_or_404(db, page_id)
        return _confirm(
            page,
            action="archive",
            question=_("Archive this page?"),
            explain=_(
                "It is live now. Archiving takes it offline and off the list; you can restore it as a draft."
            )
            if page.is_published
            else _("It leaves the list; you can restore it from the archive."),
            button=_("Archive the page"),
        )

    @post("/{page_id:uuid}/archive")
    async def archive(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Redirect:
        page = await page_or_404(db, page_id)
        was_live = page.is_published
        lifecycle.archive(page)
        await db.commit()
        message = _("The page is offline and archived.") if was_live else _("The page is archived.")
        flash(request, message, category="success")
        return Redirect("/app/pages/")

    @post("/{page_id:uuid}/restore")
    async def restore(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Redirect:
        page = await page_or_404(db, page_id)
        lifecycle.restore(page)
        await db.commit()
        flash(request, _("The page is back on the list as a draft."), category="success")
        return Redirect("/app/pages/?archived=true" if await self._any_archived(db) else "/app/pages/")

    @get("/{page_id:uuid}/delete")
    async def confirm_delete(self, db: AsyncSession, page_id: UUID) -> Template:
        page = await page_or_404(db, page_id)
        return _confirm(
            page,
            action="delete",
            question=_("Delete this page?"),
            explain=_("The draft and its address are deleted. This cannot be undone."),
            refused=lifecycle.why_not_deletable(page),
            button=_("Delete the page"),
            danger=True,
        )

    @post("/{page_id:uuid}/delete")
    async def delete(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Any:
        page = await page_or_404(db, page_id)
        try:
            await lifecycle.delete_page(db, page)
        except lifecycle.PageStays as refused:
            flash(request, str(refused), category="error")
            return Redirect(f"/app/pages/{page.id}/delete")
        await db.commit()
        flash(request, _("The page is deleted."), category="success")
        return Redirect("/app/pages/")

    async def _any_archived(self, db: AsyncSession) -> bool:
        query = select(Page.id).where(Page.archived_at.is_not(None)).limit(1)
        return (await db.execute(query)).first() is not None
