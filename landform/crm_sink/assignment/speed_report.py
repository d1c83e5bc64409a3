"""Speed to lead measured: time to first touch per department and rep, by week (median and 90th percentile)
in working hours, and the settings that enforce it (the working week, each department's allowance)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median, quantiles
from uuid import UUID

from babel.numbers import format_decimal
from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import User
from landform.core.i18n import get_language
from landform.core.i18n import gettext as _
from landform.crm_sink.assignment.hours import parse_clock
from landform.crm_sink.assignment.models import Department, RoutingSettings
from landform.crm_sink.assignment.speed import working_week
from landform.crm_sink.models import Contact

WEEKS = 12
# A department's allowance: at most a working month.
MAX_MINUTES = 60 * 24 * 31


class SpeedInvalid(ValueError):
    """A speed-to-lead setting that cannot be saved; the message names the field."""


@dataclass
class Line:
    """One week's first touches for a department and rep."""

    week: date  # its Monday
    department: str
    rep: str
    leads: int
    touched: int
    median_hours: float | None
    p90_hours: float | None


def hours_text(value: float) -> str:
    """Hours with one decimal in the reader's language ("1,5" in Dutch)."""
    return format_decimal(value, format="0.0", locale=get_language())


def _hours(values: list[timedelta]) -> tuple[float | None, float | None]:
    hours = sorted(v.total_seconds() / 3600 for v in values)
    if not hours:
        return None, None
    p90 = hours[0] if len(hours) == 1 else quantiles(hours, n=10, method="inclusive")[-1]
    return round(median(hours), 1), round(p90, 1)


def first_touch_report(session: Session, now: datetime, weeks: int = WEEKS) -> list[Line]:
    """The last weeks' routed leads (not imports), newest week first; untouched ones count as leads only."""
    week = working_week(session)
    since = now - timedelta(weeks=weeks)
    rows = session.execute(
        select(Contact.created_at, Contact.first_touched_at, Contact.owner_id, Department.name)
        .outerjoin(Department, Department.id == Contact.department_id)
        .where(Contact.created_at >= since, Contact.owner_id.is_not(None), Contact.source != "import")
    ).all()
    names = {u.id: u.full_name for u in session.scalars(select(User))}
    groups: dict[tuple[date, str, UUID | None], list[timedelta | None]] = defaultdict(list)
    for created_at, touched_at, owner_id, department in rows:
        local = created_at.astimezone(week.zone).date()
        monday = local - timedelta(days=local.weekday())
        groups[(monday, department or _("No department"), owner_id)].append(
            week.between(created_at, touched_at) if touched_at else None
        )
    lines = []
    for (monday, department, owner_id), spans in groups.items():
        touched = [span for span in spans if span is not None]
        mid, p90 = _hours(touched)
        lines.append(
            Line(
                monday,
                department,
                names.get(owner_id, "?") if owner_id else "?",
                len(spans),
                len(touched),
                mid,
                p90,
            )
        )
    return sorted(lines, key=lambda line: (-line.week.toordinal(), line.department, line.rep))


def week_settings(session: Session) -> RoutingSettings:
    """The tenant's routing settings row (made with the defaults when there is none yet)."""
    settings = session.scalars(select(RoutingSettings).limit(1)).first()
    if settings is None:
        settings = RoutingSettings(tenant_id=session.info["tenant_id"])
        session.add(settings)
        session.flush()
    return settings


def save_week(session: Session, data: dict[str, str], days: list[str], zones: set[str]) -> None:
    """The working week speed to lead counts in: time zone, days and hours, each checked."""
    timezone = data.get("timezone", "")
    if timezone not in zones:
        raise SpeedInvalid(_("Choose a time zone from the list."))
    picked = "".join(sorted({d for d in days if d in "1234567" and len(d) == 1}))
    if not picked:
        raise SpeedInvalid(_("Tick at least one working day."))
    try:
        start, end = parse_clock(data.get("work_start", "")), parse_clock(data.get("work_end", ""))
    except ValueError:
        raise SpeedInvalid(_("Give the working hours as times, e.g. 09:00 and 17:00.")) from None
    if end <= start:
        raise SpeedInvalid(_("The working day must end after it starts."))
    settings = week_settings(session)
    settings.timezone, settings.work_days = timezone, picked
    settings.work_start, settings.work_end = start.strftime("%H:%M"), end.strftime("%H:%M")


def set_allowance(department: Department, raw_hours: str) -> None:
    """How many working hours a rep of the department has to touch a new lead; empty: no limit."""
    raw = raw_hours.strip().replace(",", ".")
    if not raw:
        department.touch_within_minutes = None
        return
    try:
        minutes = round(float(raw) * 60)
    except ValueError:
        raise SpeedInvalid(_("Give the time as a number of working hours, e.g. 2 or 0.5.")) from None
    if not 6 <= minutes <= MAX_MINUTES:
        raise SpeedInvalid(_("Give between 0.1 working hours and a month of them."))
    department.touch_within_minutes = minutes
