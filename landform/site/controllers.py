"""Pages over HTTP: the hosted page `/p/{tenant}/{page}` and the dashboard's page editor."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform import i18n
from landform.accounts.models import Tenant, User
from landform.forms import services as form_services
from landform.forms.models import Form
from landform.i18n import gettext as _
from landform.site import services
from landform.site.models import Page
from landform.web import BUILDERS, hosted_csp, provide_tenant_db, requires_role


class HostedPageController(Controller):
    """Published landing pages, for visitors: no cookies, a strict CSP, no JavaScript needed."""

    include_in_schema = False

    @get("/p/{tenant_slug:str}/{page_slug:str}")
    async def show(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, tenant_slug: str, page_slug: str
    ) -> Template:
        """A published page with its form."""
        found = await services.find_published(db_session, tenant_slug, page_slug)
        if found is None:
            raise NotFoundException()
        tenant, page = found
        text = services.page_text(page, i18n.get_language(), tenant.default_language)
        i18n.set_language(text["language"])
        form = None
        headers = {"vary": "Accept-Language", "cache-control": "no-store"}
        if page.form_id:
            record = (
                await db_session.execute(select(Form).where(Form.id == page.form_id))
            ).scalar_one_or_none()
            version = await form_services.live_version(db_session, record) if record else None
            if record is not None and version is not None:
                tracking = {k: v[:500] for k, v in request.query_params.items() if k.startswith("utm_")}
                tracking["page_url"] = str(request.url)[:500]
                tracking["referrer"] = request.headers.get("referer", "")[:500]
                form = form_services.form_view(
                    record.key, version, language=text["language"], page_id=page.id, tracking=tracking
                )
                if version.redirect_url:
                    target = urlsplit(version.redirect_url)
                    headers["content-security-policy"] = hosted_csp(f"{target.scheme}://{target.netloc}")
        return Template(
            "site/hosted_page.html",
            headers=headers,
            context={"tenant": tenant, "page": page, "text": text, "form": form},
        )


async def render_with_form(
    db: AsyncSession, page_id: UUID, form_view: dict[str, Any]
) -> Response[Any] | None:
    """A published page showing a given form state (errors and answers), for the intake's 422."""
    page = (
        await db.execute(select(Page).where(Page.id == page_id, Page.published_at.is_not(None)))
    ).scalar_one_or_none()
    if page is None:
        return None
    tenant = await db.get_one(Tenant, page.tenant_id)
    text = services.page_text(page, i18n.get_language(), tenant.default_language)
    return Template(
        "site/hosted_page.html",
        status_code=422,
        headers={"cache-control": "no-store"},
        context={"tenant": tenant, "page": page, "text": text, "form": form_view},
    )


async def _page_or_404(db: AsyncSession, page_id: UUID) -> Page:
    page = (await db.execute(select(Page).where(Page.id == page_id))).scalar_one_or_none()
    if page is None:
        raise NotFoundException()
    return page


async def _forms(db: AsyncSession) -> list[Form]:
    return list((await db.execute(select(Form).order_by(Form.name))).scalars())


class PageEditorController(Controller):
    """The dashboard's pages: list, create, edit, publish, unpublish."""

    path = "/app/pages"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, db: AsyncSession) -> Template:
        """All pages, newest first."""
        pages = list((await db.execute(select(Page).order_by(Page.created_at.desc()))).scalars())
        return Template("site/list.html", context={"pages": pages})

    @get("/new")
    async def new(self, db: AsyncSession) -> Template:
        """An empty page editor."""
        return Template(
            "site/edit.html", context={"page": None, "values": {}, "errors": {}, "forms": await _forms(db)}
        )

    @get("/{page_id:uuid}")
    async def edit(self, db: AsyncSession, page_id: UUID) -> Template:
        """The editor for one page."""
        page = await _page_or_404(db, page_id)
        return Template(
            "site/edit.html",
            context={"page": page, "values": _values(page), "errors": {}, "forms": await _forms(db)},
        )

    @post("/", media_type=MediaType.HTML)
    async def create(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Save a new page as a draft."""
        return await self._save(request, db, Page())

    @post("/{page_id:uuid}", media_type=MediaType.HTML)
    async def update(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Any:
        """Save changes (a published page shows them at once)."""
        return await self._save(request, db, await _page_or_404(db, page_id))

    async def _save(self, request: Request[User, Any, Any], db: AsyncSession, page: Page) -> Any:
        raw = {k: str(v) for k, v in (await request.form()).items()}
        forms = await _forms(db)
        page_id = page.id
        try:
            services.apply_edit(page, raw, forms)
            if await services.slug_taken(db, page):
                raise services.PageInvalid({"slug": _("Another page already uses this address.")})
            if raw.get("action") == "publish":
                services.publish(page)
        except services.PageInvalid as error:
            # The 422 rolls back whatever was applied; the editor shows what was typed.
            existing = page if page_id else None
            return Template(
                "site/edit.html",
                status_code=422,
                context={"page": existing, "values": raw, "errors": error.errors, "forms": forms},
            )
        db.add(page)
        await db.commit()
        flash(
            request,
            _("Page published.") if raw.get("action") == "publish" else _("Page saved."),
            category="success",
        )
        return Redirect(f"/app/pages/{page.id}")

    @post("/{page_id:uuid}/unpublish")
    async def unpublish(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Redirect:
        """Take the page offline; its address answers 404 until published again."""
        page = await _page_or_404(db, page_id)
        services.unpublish(page)
        await db.commit()
        flash(request, _("The page is offline."), category="success")
        return Redirect(f"/app/pages/{page.id}")

    @get("/{page_id:uuid}/preview")
    async def preview(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Template:
        """How the page looks to a visitor, published or not."""
        page = await _page_or_404(db, page_id)
        tenant = request.user.tenant
        text = services.page_text(page, i18n.get_language(), tenant.default_language)
        form = None
        if page.form_id:
            record = (await db.execute(select(Form).where(Form.id == page.form_id))).scalar_one_or_none()
            if record is not None:
                form = form_services.form_view(record.key, record, language=text["language"], page_id=page.id)
        return Template(
            "site/hosted_page.html",
            context={"tenant": tenant, "page": page, "text": text, "form": form, "preview": True},
        )


def _values(page: Page) -> dict[str, str]:
    values = {"slug": page.slug, "form_id": str(page.form_id or "")}
    for language, entry in page.content.items():
        for name, value in entry.items():
            values[f"{language}_{name}"] = value
    return values
