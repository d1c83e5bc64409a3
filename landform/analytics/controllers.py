"""Analytics in the dashboard, and a consented visitor's journey on their contact's page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform import hooks
from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.analytics import charts, services
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.crm_sink.models import Submission


async def titles(db: AsyncSession) -> dict[str, dict[UUID, str]]:
    """The tenant's pages and forms by id, named (site and forms fill `hooks.traffic_titles`)."""
    return dict([await named(db) for named in hooks.traffic_titles])


class AnalyticsController(Controller):
    """Views, submissions and conversion per page, form and campaign, by day."""

    path = "/app/analytics"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(
        self,
        db: AsyncSession,
        days: int = Parameter(default=30),
        page: UUID | None = Parameter(default=None),
        form: UUID | None = Parameter(default=None),
    ) -> Template:
        """The report for the last 7, 30 or 90 days, for everything or one page or form."""
        days = days if days in services.RANGES else 30
        named = await titles(db)
        pages, forms = named.get("page", {}), named.get("form", {})
        if (page is not None and page not in pages) or (form is not None and form not in forms):
            raise NotFoundException()
        report = await services.report(db, utcnow().date(), days, page_id=page, form_id=form)
        # Two charts, each on its own scale: submissions are a few percent of views and would lie flat.
        views_chart = charts.line_chart(
            report.days,
            [
                (_("Page views"), "line-views", report.page_views),
                (_("Form views"), "line-form-views", report.form_views),
            ],
        )
        # One form: where its visitors drop off (views, starts, each step, submissions).
        stages = (
            await services.funnel(db, report.end, days, form, await hooks.form_steps.get()(db, form))
            if form is not None
            else []
        )
        submissions_chart = charts.line_chart(
            report.days, [(_("Submissions"), "line-submissions", report.submissions)]
        )
        return Template(
            "analytics/index.html",
            context={
                "section": "analytics",
                "report": report,
                "funnel": stages,
                "charts": [
                    (_("Views per day"), views_chart),
                    (_("Submissions per day"), submissions_chart),
                ],
                "days": days,
                "ranges": services.RANGES,
                "page_id": page,
                "form_id": form,
                "pages": pages,
                "forms": forms,
            },
        )


async def journey_section(db: AsyncSession, contact: hooks.ContactRef) -> tuple[str, dict[str, Any]]:
    """The pages a contact saw before and after signing up, if they allowed analytics cookies."""
    contexts = (
        await db.execute(select(Submission.context).where(Submission.contact_id == contact.id))
    ).scalars()
    visitor_ids = sorted({c["visitor_id"] for c in contexts if c and c.get("visitor_id")})
    visits = await services.journey(db, visitor_ids)
    pages = (await titles(db)).get("page", {}) if visits else {}
    return "analytics/_journey.html", {"visits": visits, "titles": pages}
