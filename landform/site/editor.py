"""The dashboard's page builder: a page's settings, theme and publishing; the brand (blocks: block_editor)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.billing import quotas
from landform.core import i18n
from landform.core.drafts import record_save
from landform.core.http import read_upload
from landform.core.i18n import LANGUAGES
from landform.core.i18n import gettext as _
from landform.core.images import UPLOAD_BODY, ImageRefused
from landform.forms.intake.view import form_view
from landform.forms.models import Form
from landform.site import blocks as page_blocks
from landform.site import listing, schedule, services, themes
from landform.site.editor_setup import editor_setup, publishable
from landform.site.models import Page
from landform.site.views import page_context

Raw = dict[str, str]
# The parts of the folded "Page settings" a save comes back to (?open=theme), unfolded.
SETTINGS_SECTIONS = frozenset({"settings", "theme", "schedule", "versions"})


async def page_or_404(db: AsyncSession, page_id: UUID) -> Page:
    """The tenant's page, or 404."""
    page = (await db.execute(select(Page).where(Page.id == page_id))).scalar_one_or_none()
    if page is None:
        raise NotFoundException()
    return page


async def tenant_forms(db: AsyncSession) -> list[Form]:
    """The tenant's forms, by name: what a form block can show."""
    return list((await db.execute(select(Form).order_by(Form.name))).scalars())


async def read_posted(
    request: Request[User, Any, Any], db: AsyncSession, upload_field: str
) -> tuple[Raw, Raw]:
    """The posted fields as text, an uploaded image stored and standing in as its id; and upload errors."""
    form = await request.form()
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    data = await read_upload(form, upload_field) if upload_field else None
    if data is not None:
        try:
            raw[upload_field] = str((await services.store_image(db, data)).id)
        except ImageRefused as refused:
            return raw, {upload_field: str(refused)}
    return raw, {}


def _settings_values(page: Page) -> Raw:
    values = {
        "slug": page.slug,
        "noindex": "on" if page.noindex else "",
        "social_image_id": str(page.social_image_id or ""),
    }
    for language, entry in page.content.items():
        for name, value in entry.items():
            values[f"{language}_{name}"] = value
    return values


def _preview_css(theme: dict[str, str]) -> str:
    shown = {name: theme[name] for name in (*themes.COLOURS, "font", "buttons")}
    return f"/app/pages/theme-preview.css?{urlencode(shown)}"


def block_values(block: dict[str, Any]) -> Raw:
    values = {name: ("on" if value is True else str(value or "")) for name, value in block["data"].items()}
    for lang, entry in block["text"].items():
        for name, value in entry.items():
            values[f"{lang}_{name}"] = value
    return values


async def editor_page(
    request: Request[User, Any, Any],
    db: AsyncSession,
    page: Page,
    *,
    status_code: int = 200,
    **overrides: Any,
) -> Template:
    """The builder for one page; `overrides` replace parts of what it shows (a refused edit's values)."""
    brand = await services.brand_theme(db)
    theme = themes.resolve(brand, page.theme or {})
    forms, images, differs = await tenant_forms(db), await services.images(db), await publishable(db, page)
    setup = editor_setup(
        page,
        publishable=differs,
        forms=forms,
        images=images,
        tenant_slug=request.user.tenant.slug,
        language=i18n.get_language(),
    )
    context: dict[str, Any] = {
        "page": page,
        "values": _settings_values(page),
        "errors": {},
        "forms": forms,
        "publishable": differs,
        "setup": setup,
        "specs": page_blocks.BLOCKS,
        "block_values": {b["id"]: block_values(b) for b in page.blocks},
        "block_errors": {},
        "problems": page_blocks.publish_problems(page.blocks),
        "images": images,
        "theme_values": dict(page.theme or {}),
        "theme_errors": {},
        "theme": theme,
        "brand": themes.resolve(brand, {}),
        "checks": themes.contrast_checks(theme),
        "preview_css": _preview_css(theme),
        "preview_settings": themes.preview_settings(),
        "fonts": themes.FONTS,
        "buttons": themes.BUTTONS,
        "versions": await services.versions(db, page),
        "social_size": services.SOCIAL_IMAGE_SIZE,
        "schedule_value": schedule.local_value(page.publish_at, request.user.timezone),
        "schedule_errors": {},
        "settings_open": request.query_params.get("open") in SETTINGS_SECTIONS,
    }
    context.update(overrides)
    return Template("site/edit.html", status_code=status_code, context=context)


class PageEditorController(Controller):
    """The dashboard's pages: create, settings, theme, publish, roll back, preview; the brand.

    The list, duplicating and archiving: site/listing.py.
    """

    path = "/app/pages"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, db: AsyncSession, archived: bool = False) -> Template:
        """All pages, newest first; `?archived=true` the archived ones."""
        return await listing.page_list(db, archived)

    @get("/new")
    async def new(self) -> Template:
        """The first step of a new page: its title and address."""
        return Template("site/new.html", context={"values": {}, "errors": {}})

    @post("/", media_type=MediaType.HTML)
    async def create(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Create a draft that starts with a hero, the tenant's first form and a footer."""
        raw = {k: str(v) for k, v in (await request.form()).items()}
        page = Page()
        await quotas.ensure_room(db, "pages")
        try:
            services.apply_settings(page, raw)
            if await services.slug_taken(db, page.slug, None):
                raise services.PageInvalid({"slug": _("Another page already uses this address.")})
        except services.PageInvalid as error:
            return Template("site/new.html", status_code=422, context={"values": raw, "errors": error.errors})
        forms = await tenant_forms(db)
        services.set_blocks(page, services.starter_blocks(forms[0].id if forms else None))
        db.add(page)
        await db.flush()
        await services.remember_old_slug(db, page, None)
        await db.commit()  # before answering: a failed commit must not read as saved
        flash(request, _("Page created. Fill in its blocks, then publish it."), category="success")
        return Redirect(f"/app/pages/{page.id}")

    @get("/{page_id:uuid}")
    async def edit(
        self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID
    ) -> Response[str] | Template:
        """The builder for one page; a boosted link or form gets a full load instead (for its scripts)."""
        page = await page_or_404(db, page_id)
        if request.headers.get("hx-boosted"):
            section = request.query_params.get("open", "")
            # No #fragment: to the same address plus one, browsers would only scroll, not load.
            shown = f"?open={section}" if section in SETTINGS_SECTIONS else ""
            return Response("", headers={"hx-redirect": request.url.path + shown})
        return await editor_page(request, db, page)

    @post("/{page_id:uuid}", media_type=MediaType.HTML, request_max_body_size=UPLOAD_BODY)
    async def update(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Any:
        """Save the address, titles, search texts, social image and noindex; old addresses redirect."""
        page = await page_or_404(db, page_id)
        raw, upload_errors = await read_posted(request, db, "social_image_upload")
        if raw.get("social_image_upload"):
            raw["social_image_id"] = raw["social_image_upload"]  # a new upload is the one chosen
        image_ids = set(await services.images(db))
        old_slug = page.slug
        try:
            if upload_errors:
                raise services.PageInvalid(upload_errors)
            candidate = Page()  # validated apart, so a refused edit never touches the page
            services.apply_settings(candidate, raw, image_ids)
            if await services.slug_taken(db, candidate.slug, page.id):
                raise services.PageInvalid({"slug": _("Another page already uses this address.")})
        except services.PageInvalid as error:
            await db.commit()  # an accepted upload stays in the image library, to pick after the fix
            return await editor_page(request, db, page, status_code=422, values=raw, errors=error.errors)
        services.apply_settings(page, raw, image_ids)
        await services.remember_old_slug(db, page, old_slug)
        await db.commit()
        flash(request, _("Page saved. Publish it to show the changes to visitors."), category="success")
        return Redirect(f"/app/pages/{page.id}?open=settings#settings")

    @post("/{page_id:uuid}/theme", media_type=MediaType.HTML, request_max_body_size=UPLOAD_BODY)
    async def save_theme(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Any:
        """This page's own colours, font, buttons and logo; empty fields follow the brand."""
        page = await page_or_404(db, page_id)
        raw, upload_errors = await read_posted(request, db, "logo_id")
        if raw.get("remove_logo"):
            raw["logo_id"] = ""  # the brand's logo again
        try:
            if upload_errors:
                raise themes.ThemeInvalid(upload_errors)
            page.theme = themes.clean_theme(raw, allow_empty=True, image_ids=set(await services.images(db)))
        except themes.ThemeInvalid as error:
            return await editor_page(
                request, db, page, status_code=422, theme_values=raw, theme_errors=error.errors
            )
        await db.commit()
        flash(request, _("Theme saved."), category="success")
        return Redirect(f"/app/pages/{page.id}?open=theme#theme")

    @post("/{page_id:uuid}/publish", media_type=MediaType.HTML)
    async def publish(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Any:
        """Publish the draft as a new version."""
        page = await page_or_404(db, page_id)
        try:
            version = await services.publish(db, page, request.user.id)
        except services.PageInvalid as error:
            return await editor_page(request, db, page, status_code=422, problems=error.errors)
        await db.commit()
        flash(request, _("Version %(number)d is live.", number=version.number), category="success")
        return Redirect(f"/app/pages/{page.id}")

    @post("/{page_id:uuid}/schedule", media_type=MediaType.HTML)
    async def schedule_publish(
        self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID
    ) -> Any:
        """Publish the draft, as it is then, at a moment in the user's time zone."""
        page = await page_or_404(db, page_id)
        raw = str((await request.form()).get("publish_at", ""))
        try:
            moment = schedule.parse_moment(raw, request.user.timezone)
        except services.PageInvalid as error:
            return await editor_page(
                request, db, page, status_code=422, schedule_value=raw, schedule_errors=error.errors
            )
        schedule.schedule(page, moment, request.user.id)
        await db.commit()
        when = i18n.format_datetime(moment, request.user.timezone)
        flash(request, _("The page will be published on %(when)s.", when=when), category="success")
        return Redirect(f"/app/pages/{page.id}?open=schedule#schedule")

    @post("/{page_id:uuid}/schedule/cancel", media_type=MediaType.HTML)
    async def cancel_schedule(
        self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID
    ) -> Redirect:
        """Drop the scheduled publish; the draft stays as it is."""
        page = await page_or_404(db, page_id)
        schedule.cancel(page)
        await db.commit()
        flash(request, _("The scheduled publish is cancelled."), category="success")
        return Redirect(f"/app/pages/{page.id}?open=schedule#schedule")

    @post("/{page_id:uuid}/versions/{number:int}/restore", media_type=MediaType.HTML)
    async def roll_back(
        self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID, number: int
    ) -> Redirect:
        """Publish a copy of an earlier version."""
        page = await page_or_404(db, page_id)
        version = await services.roll_back(db, page, number, request.user.id)
        if version is None:
            raise NotFoundException()
        record_save(page, request.user.id)  # the draft changed: an open editor must not overwrite it
        await db.commit()
        flash(
            request,
            _("Version %(old)d is live again as version %(number)d.", old=number, number=version.number),
            category="success",
        )
        return Redirect(f"/app/pages/{page.id}?open=versions#versions")

    @post("/{page_id:uuid}/unpublish")
    async def unpublish(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Redirect:
        """Take the page offline; its address answers 404 until published again."""
        page = await page_or_404(db, page_id)
        services.unpublish(page)
        await db.commit()
        flash(request, _("The page is offline."), category="success")
        return Redirect(f"/app/pages/{page.id}")

    @get("/{page_id:uuid}/preview")
    async def preview(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Template:
        """How the draft looks to a visitor (its form shows the form's draft)."""
        page = await page_or_404(db, page_id)
        snapshot = {
            "blocks": page.blocks,
            "theme": themes.resolve(await services.brand_theme(db), page.theme or {}),
            "seo": page.content,
            "noindex": True,
            "social_image": await services.social_image(db, page),
        }
        tenant = request.user.tenant
        language = services.page_text(page.content, i18n.get_language(), tenant.default_language)["language"]
        form = None
        form_id = page_blocks.form_id_of(page.blocks)
        if form_id:
            record = (await db.execute(select(Form).where(Form.id == UUID(form_id)))).scalar_one_or_none()
            if record is not None:
                form = form_view(record.key, record, language=language, page_id=page.id)
        context = await page_context(
            db, tenant, page, snapshot, form=form, theme_url=f"/app/pages/{page.id}/theme.css"
        )
        return Template("site/hosted_page.html", context={**context, "preview": True})

    @get("/{page_id:uuid}/theme.css", media_type="text/css")
    async def preview_theme(self, db: AsyncSession, page_id: UUID) -> Response[str]:
        """The draft theme, for the preview."""
        page = await page_or_404(db, page_id)
        theme = themes.resolve(await services.brand_theme(db), page.theme or {})
        return Response(
            themes.stylesheet(theme), media_type="text/css", headers={"cache-control": "no-store"}
        )

    @get("/theme-preview.css", media_type="text/css")
    async def theme_preview(self, request: Request[User, Any, Any]) -> Response[str]:
        """Colours as the theme editor shows them before any script runs (the CSP allows no inline style)."""
        raw = {name: request.query_params.get(name, "") for name in themes.DEFAULT_THEME}
        return Response(
            themes.stylesheet(themes.resolve(raw, {}), ".theme-preview"),
            media_type="text/css",
            headers={"cache-control": "private, max-age=3600"},
        )

    @get("/brand")
    async def brand(self, db: AsyncSession) -> Template:
        """The tenant's brand: what every page starts from."""
        theme = themes.resolve(await services.brand_theme(db), {})
        return Template("site/brand.html", context=await self._brand_context(db, theme, {}))

    @post("/brand", media_type=MediaType.HTML, request_max_body_size=UPLOAD_BODY)
    async def save_brand(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Save the brand (with a logo upload); pages show it from their next publish."""
        raw, upload_errors = await read_posted(request, db, "logo_id")
        if raw.get("remove_logo"):
            raw["logo_id"] = ""
        try:
            if upload_errors:
                raise themes.ThemeInvalid(upload_errors)
            theme = themes.clean_theme(raw, allow_empty=False, image_ids=set(await services.images(db)))
        except themes.ThemeInvalid as error:
            context = await self._brand_context(db, {**themes.DEFAULT_THEME, **raw}, error.errors)
            return Template("site/brand.html", status_code=422, context=context)
        await services.save_brand(db, theme)
        await db.commit()
        flash(request, _("Brand saved. Pages show it from their next publish."), category="success")
        return Redirect("/app/pages/brand")

    async def _brand_context(self, db: AsyncSession, values: dict[str, str], errors: Raw) -> dict[str, Any]:
        theme = themes.resolve(values, {})
        checks = []
        if all(themes.COLOUR.match(values.get(c, "")) for c in themes.COLOURS):
            checks = themes.contrast_checks(theme)
        return {
            "values": values,
            "errors": errors,
            "checks": checks,
            "preview_css": _preview_css(theme),
            "preview_settings": themes.preview_settings(),
            "fonts": themes.FONTS,
            "buttons": themes.BUTTONS,
            "images": await services.images(db),
            "languages": LANGUAGES,
        }
