"""The "new form" screen: start from a form template or from a blank form."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.billing import quotas
from landform.core.i18n import gettext as _
from landform.core.text import normalize_text
from landform.forms.builder import services, starters

BLANK = "blank"


def _context(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    key = values.get("starter", "")
    return {
        "starters": starters.catalogue(),
        "chosen": starters.find(key),
        "blank": key == BLANK,
        "values": values,
        "errors": errors,
    }


class FormStarterController(Controller):
    """A new form from a template (its fields, consent boxes and texts in both languages) or blank."""

    path = "/app/forms/new"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def choose(self, request: Request[User, Any, Any]) -> Template:
        """The templates; with `?template=` (a template's key, or blank) the chosen one, to name and start."""
        values = {"starter": request.query_params.get("template", "")}
        return Template("forms/new.html", context=_context(values, {}))

    @post("/", media_type=MediaType.HTML)
    async def create(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Make the form as a draft and open it in the builder; the plan's form quota applies."""
        raw = {k: str(v) for k, v in (await request.form()).items()}
        key = raw.get("starter", "")
        starter = starters.find(key)
        name = normalize_text(raw.get("name", ""))[:200]
        if starter is None and key != BLANK:
            errors = {"starter": _("Choose a template, or a blank form.")}
            return Template("forms/new.html", status_code=422, context=_context(raw, errors))
        if starter is None and not name:
            errors = {"name": _("Give the form a name.")}
            return Template("forms/new.html", status_code=422, context=_context(raw, errors))
        await quotas.ensure_room(db, "forms")
        if starter is None:
            form = services.new_form(name)
            db.add(form)
        else:
            form = await db.run_sync(starters.build, starter, name)
        await db.commit()
        flash(request, _("Form created as a draft. Adjust it, then publish it."), category="success")
        return Redirect(f"/app/forms/{form.id}")
