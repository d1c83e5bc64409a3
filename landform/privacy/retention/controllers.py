"""The retention settings screen: a tenant's periods per kind and what goes in the next 30 days."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import MANAGERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.core.i18n import gettext as _
from landform.privacy.retention import services
from landform.privacy.retention.kinds import active_kinds


class RetentionController(Controller):
    """Owners and admins choose how long each kind of personal data is kept."""

    path = "/app/privacy/retention"
    include_in_schema = False
    guards = [requires_role(*MANAGERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    async def _page(
        self,
        request: Request[User, Any, Any],
        db: AsyncSession,
        values: dict[str, Any],
        errors: dict[str, str],
    ) -> Template:
        tenant_id = request.user.tenant_id
        return Template(
            "privacy/retention.html",
            context={
                "kinds": active_kinds(),
                "values": values,
                "errors": errors,
                "outlook": await db.run_sync(services.outlook, tenant_id),
                "outlook_days": services.OUTLOOK_DAYS,
            },
            status_code=422 if errors else 200,
        )

    @get("/")
    async def index(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        policy = await services.policy_of(db, request.user.tenant_id)
        return await self._page(request, db, dict(services.periods_of(policy)), {})

    @post("/", media_type=MediaType.HTML)
    async def save(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        data = {k: str(v) for k, v in (await request.form()).items()}
        try:
            periods = services.parse_periods(data)
        except services.RetentionInvalid as invalid:
            return await self._page(request, db, data, invalid.errors)
        await services.save_periods(db, request.user.tenant_id, request.user.id, periods)
        await db.commit()
        flash(request, _("Retention periods saved."), category="success")
        return Redirect("/app/privacy/retention/")
