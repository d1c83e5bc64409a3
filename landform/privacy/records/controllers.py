"""The terms and processing agreement (public), their acceptance, and the record of processing."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts import terms
from landform.accounts.guards import MANAGERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.core.i18n import gettext as _
from landform.privacy import registry
from landform.privacy.records import ropa


class TermsController(Controller):
    """`/terms`: the terms of service and the data processing agreement, the version tenants accept."""

    include_in_schema = False

    @get("/terms", media_type=MediaType.HTML)
    async def show(self) -> Template:
        return Template(
            "privacy/terms.html",
            context={
                "version": terms.TERMS_VERSION,
                "terms_date": terms.TERMS_DATE,
                "subprocessors": registry.subprocessors(platform=False),
                "security": registry.SECURITY_MEASURES,
            },
        )


class TermsAcceptanceController(Controller):
    """An owner or admin accepts the current version for the company (asked on the dashboard)."""

    path = "/app/terms"
    include_in_schema = False
    guards = [requires_role(*terms.MAY_ACCEPT)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @post("/accept", media_type=MediaType.HTML)
    async def accept(self, request: Request[User, Any, Any], db: AsyncSession) -> Redirect:
        if await terms.current_acceptance(db, request.user.tenant_id) is None:
            await db.run_sync(terms.accept, request.user.tenant_id, request.user)
            await db.commit()
        flash(
            request, _("Thank you: the terms and the processing agreement are accepted."), category="success"
        )
        return Redirect("/app")


class RecordController(Controller):
    """The tenant's record of processing activities, as a printable page and as JSON."""

    path = "/app/privacy/record"
    include_in_schema = False
    guards = [requires_role(*MANAGERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def page(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        record = await db.run_sync(ropa.build, request.user.tenant)
        return Template("privacy/record.html", context={"record": record})

    @get("/record.json")
    async def download(self, request: Request[User, Any, Any], db: AsyncSession) -> Response[dict[str, Any]]:
        record = await db.run_sync(ropa.build, request.user.tenant)
        name = f"record-of-processing-{request.user.tenant.slug}.json"
        return Response(record, headers={"content-disposition": f'attachment; filename="{name}"'})
