"""The "new page" screen's action: start a page from a template, or blank.

The screen itself (GET /app/pages/new, site/new.html) is the page editor's route; the gallery it shows
comes from `catalog.gallery`, which the app gives the templates as `page_starters`.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.core.i18n import gettext as _
from landform.site import services
from landform.site.starters import catalog
from landform.site.starters.services import start_page

BLANK = "blank"


class PageStarterController(Controller):
    """Pages started from the gallery."""

    path = "/app/pages"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @post("/start", media_type=MediaType.HTML)
    async def start(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Create the draft (and a template's form and image), then open it in the page editor."""
        raw = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
        key = raw.pop("starter", "")
        starter = catalog.find(key)
        if starter is None and key != BLANK:
            return _again(raw, key, {"starter": _("Choose a template, or a blank page.")})
        language = request.user.tenant.default_language
        try:
            page = await start_page(db, starter, raw, language, request.user.id)
        except services.PageInvalid as error:
            return _again(raw, key, error.errors)
        await db.commit()  # before answering: a failed commit must not read as saved
        if starter is None:
            flash(request, _("Page created. Fill in its blocks, then publish it."), category="success")
        else:
            flash(
                request,
                _(
                    "Page created from “%(name)s”, with its form. Make it yours, then publish it.",
                    name=starter.title,
                ),
                category="success",
            )
        return Redirect(f"/app/pages/{page.id}")


def _again(raw: dict[str, str], key: str, errors: dict[str, str]) -> Template:
    return Template(
        "site/new.html", status_code=422, context={"values": {**raw, "starter": key}, "errors": errors}
    )
