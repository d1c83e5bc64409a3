"""Pages over HTTP for visitors: the hosted page `/p/{tenant}/{page}`, its theme stylesheet and its images.

On a tenant's custom host also the bare address (the host's home page) and the host's own 404 page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import Tenant
from landform.analytics import track
from landform.consent import cookies
from landform.core import i18n
from landform.core.db import scope_to_tenant
from landform.core.http import CustomHost, custom_host, hosted_csp, public_path, public_url, site_prefix
from landform.forms import progressive
from landform.forms.guard.proof import new_challenge
from landform.forms.intake.view import form_view, url_params
from landform.forms.models import Form, FormVersion
from landform.site import blocks as page_blocks
from landform.site import services, themes, video
from landform.site.live import live_page
from landform.site.models import Page, PageVersion, SiteImage
from landform.site.views import address_for, page_context, theme_url

__all__ = ["HostedPageController", "host_not_found", "render_with_form"]

YEAR = "public, max-age=31536000, immutable"


def live_form(
    record: Form | None,
    version: FormVersion | None,
    language: str,
    page_id: UUID,
    tracking: dict[str, str],
    visit: progressive.Visit | None = None,
) -> tuple[dict[str, Any] | None, str | None]:
    """The page's form as a visitor first sees it, and the origin of its thank-you redirect if any."""
    if record is None or version is None:
        return None, None
    # A form that always asks for a proof of work carries its challenge, solved while the visitor types.
    challenge = new_challenge(record.key) if record.proof_of_work_always else None
    view = form_view(
        record.key,
        version,
        language=language,
        page_id=page_id,
        tracking=tracking,
        visit=visit,
        age_check=record.requires_age_check,
        challenge=challenge,
        later=record.allow_resume,
    )
    target = urlsplit(version.redirect_url) if version.redirect_url else None
    return view, f"{target.scheme}://{target.netloc}" if target else None


class HostedPageController(Controller):
    """Published landing pages, for visitors: no cookies, a strict CSP, no JavaScript needed."""

    include_in_schema = False

    @get("/p/{tenant_slug:str}/{page_slug:str}")
    async def show(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, tenant_slug: str, page_slug: str
    ) -> Template | Redirect:
        """The live version of a published page with its form; a 301 from an address it used to have."""
        return await _hosted_page(request, db_session, tenant_slug, page_slug)

    @get("/p/{tenant_slug:str}")
    async def home(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, tenant_slug: str
    ) -> Template | Redirect:
        """A custom host's bare address: the page chosen for that host, exactly as at its own address.

        Not a redirect, so the address the visitor typed stays; the page names its own address as the
        canonical one, as everywhere. No page chosen, or it is unpublished or gone: the host's 404 page.
        On our host `/p/{tenant}` is no page.
        """
        here = custom_host(request)
        if here is None or here.home_page_id is None or here.tenant_slug != tenant_slug:
            raise NotFoundException()
        scope_to_tenant(db_session.sync_session, here.tenant_id)
        page_slug = await services.published_slug(db_session, here.home_page_id)
        if page_slug is None:
            raise NotFoundException()
        return await _hosted_page(request, db_session, tenant_slug, page_slug)

    @get("/p/{tenant_slug:str}/_theme/{version_id:uuid}", media_type="text/css")
    async def theme(self, db_session: AsyncSession, tenant_slug: str, version_id: UUID) -> Response[str]:
        """A published version's theme as CSS custom properties; versions never change, so cache it."""
        tenant = await services.find_tenant(db_session, tenant_slug)
        version = (
            (
                await db_session.execute(select(PageVersion).where(PageVersion.id == version_id))
            ).scalar_one_or_none()
            if tenant
            else None
        )
        if version is None:
            raise NotFoundException()
        return Response(
            themes.stylesheet(version.snapshot["theme"]),
            media_type="text/css",
            headers={"cache-control": YEAR},
        )

    @get("/p/{tenant_slug:str}/_brand.css", media_type="text/css")
    async def brand(self, db_session: AsyncSession, tenant_slug: str) -> Response[str]:
        """The tenant's brand (colours, font, buttons) for pages that are no page version: its 404 page."""
        if await services.find_tenant(db_session, tenant_slug) is None:
            raise NotFoundException()
        theme = themes.resolve(await services.brand_theme(db_session), {})
        # The brand can change at any time, and this sheet has no version in its address.
        return Response(
            themes.stylesheet(theme), media_type="text/css", headers={"cache-control": "public, max-age=300"}
        )

    @get("/p/{tenant_slug:str}/_img/{image_id:uuid}")
    async def image(self, db_session: AsyncSession, tenant_slug: str, image_id: UUID) -> Response[bytes]:
        """An uploaded image with the type sniffed at upload, in a sandbox so nothing in it can run."""
        tenant = await services.find_tenant(db_session, tenant_slug)
        image = (
            (await db_session.execute(select(SiteImage).where(SiteImage.id == image_id))).scalar_one_or_none()
            if tenant
            else None
        )
        if image is None:
            raise NotFoundException()
        return Response(
            image.data,
            media_type=image.content_type,
            headers={
                "cache-control": YEAR,
                "content-security-policy": "default-src 'none'; sandbox",
                "content-disposition": "inline",
            },
        )


async def _hosted_page(
    request: Request[Any, Any, Any], db_session: AsyncSession, tenant_slug: str, page_slug: str
) -> Template | Redirect:
    """The page at /p/{tenant}/{page} (or its custom host's address), as every visitor gets it."""
    live = await live_page(db_session, tenant_slug, page_slug)
    if live is None:
        tenant = await services.find_tenant(db_session, tenant_slug)
        moved = await services.moved_to(db_session, page_slug) if tenant else None
        if moved is None:
            raise NotFoundException()
        query = f"?{request.url.query}" if request.url.query else ""
        return Redirect(f"{site_prefix(request, tenant_slug)}/{moved}{query}", status_code=301)
    tenant, page, version = live.tenant, live.page, live.version
    language = services.page_text(version.snapshot["seo"], i18n.get_language(), tenant.default_language)[
        "language"
    ]
    tracking = {k: v[:500] for k, v in request.query_params.items() if k.startswith("utm_")}
    tracking["page_url"] = public_url(request)[:500]
    tracking["referrer"] = request.headers.get("referer", "")[:500]
    if live.form_version is not None:
        # The `?param=` values the form's URL-parameter fields keep.
        tracking |= url_params(live.form_version.fields, request.query_params)
    # What the visitor's cookie choice allows: a visitor id (analytics), a shorter form (functional).
    gpc = cookies.global_privacy_control(request.headers.get("sec-gpc"))
    choice = cookies.read_choice(request.cookies.get(cookies.COOKIE_NAME), tenant.cookie_policy_version)
    allowed = cookies.allowed(choice, gpc=gpc)
    visitor_id, set_cookies = track.visitor(
        request,
        analytics_allowed="analytics" in allowed,
        secure=request.app.state.settings.server.secure_cookies,
    )
    functional = "functional" in allowed
    visit = progressive.Visit(
        functional=functional,
        known=progressive.read_known(request.cookies.get(progressive.cookie_name(tenant.id)), tenant.id)
        if functional
        else frozenset(),
        visitor_id=visitor_id,
    )
    form, redirect_origin = live_form(live.form, live.form_version, language, page.id, tracking, visit)
    headers = {
        "vary": "Accept-Language",
        "cache-control": "no-store",
        "content-security-policy": hosted_csp(
            redirect_origin or "", scripts=True, frames=video.frame_hosts(version.snapshot["blocks"])
        ),
    }
    if version.snapshot.get("noindex"):
        headers["x-robots-tag"] = "noindex"
    address = address_for(request, tenant)
    context = await page_context(
        db_session,
        tenant,
        page,
        version.snapshot,
        form=form,
        theme_url=theme_url(tenant, version, address.prefix),
        address=address,
        live=live,
    )
    context["cookies"] = cookies.banner(
        tenant.slug,
        tenant.cookie_policy_version,
        request.cookies.get(cookies.COOKIE_NAME),
        gpc=gpc,
        back=public_path(request),
        page_id=str(page.id),
        prefix=address.prefix,
    )
    form_id = page_blocks.form_id_of(version.snapshot["blocks"]) if form else None
    track.page_viewed(request, tenant.id, page.id, UUID(form_id) if form_id else None, visitor_id)
    return Template("site/hosted_page.html", headers=headers, context=context, cookies=set_cookies)


def host_not_found(here: CustomHost) -> Template:
    """A 404 on a tenant's custom host: in the tenant's name, not ours, and only its own links."""
    return Template(
        "site/not_found.html",
        status_code=404,
        headers={
            "cache-control": "no-store",
            # Set here: a path no route matched never reaches the security headers middleware.
            "content-security-policy": hosted_csp(),
            "x-content-type-options": "nosniff",
            "referrer-policy": "strict-origin-when-cross-origin",
        },
        context={
            "theme_url": "/_brand.css",
            "tenant_name": here.tenant_name,
            "bare_host": here.path in ("", "/"),
            "home": here.home_page_id is not None and here.path not in ("", "/"),
        },
    )


async def render_with_form(
    request: Request[Any, Any, Any], db: AsyncSession, page_id: UUID, view: dict[str, Any]
) -> Response[Any] | None:
    """A published page showing a given form state (errors and answers), for the intake's 422."""
    page = (
        await db.execute(select(Page).where(Page.id == page_id, Page.published_at.is_not(None)))
    ).scalar_one_or_none()
    version = await services.live_version(db, page) if page else None
    if page is None or version is None:
        return None
    tenant = await db.get_one(Tenant, page.tenant_id)
    address = address_for(request, tenant)
    context = await page_context(
        db,
        tenant,
        page,
        version.snapshot,
        form=view,
        theme_url=theme_url(tenant, version, address.prefix),
        address=address,
    )
    return Template(
        "site/hosted_page.html", status_code=422, headers={"cache-control": "no-store"}, context=context
    )
