"""Speed to lead in the dashboard: the working week, each department's allowance, and time to first touch."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import MANAGERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.accounts.profiles import timezones
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.crm_sink.assignment import speed_report
from landform.crm_sink.assignment.models import Department

HOME = "/app/routing/speed"
UserRequest = Request[User, Any, Any]


async def _page(db: AsyncSession, error: str = "", status_code: int = 200) -> Template:
    settings = await db.run_sync(speed_report.week_settings)
    departments = list((await db.execute(select(Department).order_by(Department.name))).scalars())
    lines = await db.run_sync(speed_report.first_touch_report, utcnow())
    return Template(
        "crm_sink/routing/speed.html",
        status_code=status_code,
        context={
            "settings": settings,
            "departments": departments,
            "lines": lines,
            "timezones": timezones(),
            "hours": speed_report.hours_text,
            "error": error,
        },
    )


class SpeedToLeadController(Controller):
    """How fast leads are touched, and how long a rep has before a lead passes on."""

    path = HOME
    include_in_schema = False
    guards = [requires_role(*MANAGERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, db: AsyncSession) -> Template:
        """The settings and the time-to-first-touch table of the last weeks."""
        return await _page(db)

    @post("/week", media_type=MediaType.HTML)
    async def save_week(self, request: UserRequest, db: AsyncSession) -> Any:
        """The working week the allowance counts in."""
        form = await request.form()
        data = {key: str(value) for key, value in form.items()}
        days = [str(day) for day in form.getall("work_days", [])]
        try:
            await db.run_sync(speed_report.save_week, data, days, set(timezones()))
        except speed_report.SpeedInvalid as invalid:
            await db.rollback()
            return await _page(db, str(invalid), 422)
        await db.commit()
        flash(request, _("Working week saved."), category="success")
        return Redirect(HOME)

    @post("/departments/{department_id:uuid}", media_type=MediaType.HTML)
    async def save_allowance(self, request: UserRequest, db: AsyncSession, department_id: UUID) -> Any:
        """How many working hours the department's reps have to touch a new lead."""
        department = (
            await db.execute(select(Department).where(Department.id == department_id))
        ).scalar_one_or_none()
        if department is None:
            raise NotFoundException()
        try:
            speed_report.set_allowance(department, str((await request.form()).get("hours", "")))
        except speed_report.SpeedInvalid as invalid:  # checked before anything changed
            return await _page(db, f"{department.name}: {invalid}", 422)
        await db.commit()
        flash(request, _("Saved for %(department)s.", department=department.name), category="success")
        return Redirect(HOME)
