"""The analytics report: totals, a daily series, and tables per page, form and campaign."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.analytics.models import FORM, FORM_START, FORM_STEP, PAGE, TrafficDay, Visit, step_subject
from landform.core.i18n import gettext as _

RANGES = (7, 30, 90)


@dataclass
class Row:
    """One line of a table: what it is, how often it was seen, how often answered."""

    label: Any
    views: int = 0
    submissions: int = 0

    @property
    def conversion(self) -> float | None:
        return self.submissions / self.views if self.views else None


@dataclass
class Report:
    start: date
    end: date
    days: list[date]
    page_views: list[int]
    form_views: list[int]
    submissions: list[int]
    pages: dict[UUID, Row] = field(default_factory=dict)
    forms: dict[UUID, Row] = field(default_factory=dict)
    campaigns: list[Row] = field(default_factory=list)

    @property
    def totals(self) -> Row:
        return Row("total", sum(self.form_views), sum(self.submissions))


async def report(
    db: AsyncSession, end: date, days: int, *, page_id: UUID | None = None, form_id: UUID | None = None
) -> Report:
    """Counts from `end - days + 1` to `end` (UTC days), for everything or for one page or form.

    Submissions are counted on their form (every submission has one); a page's row counts those sent
    from it. Conversion is submissions over form views.
    """
    start = end - timedelta(days=days - 1)
    in_range = (TrafficDay.day >= start, TrafficDay.day <= end)
    scoped: list[Any] = []
    if page_id is not None:
        scoped = [TrafficDay.kind == PAGE, TrafficDay.subject_id == page_id]
    elif form_id is not None:
        scoped = [TrafficDay.kind == FORM, TrafficDay.subject_id == form_id]

    views = func.sum(TrafficDay.views)
    answered = func.sum(TrafficDay.submissions)
    series = {
        (day, kind): (int(v or 0), int(s or 0))
        for day, kind, v, s in await db.execute(
            select(TrafficDay.day, TrafficDay.kind, views, answered)
            .where(*in_range, *scoped)
            .group_by(TrafficDay.day, TrafficDay.kind)
        )
    }
    all_days = [start + timedelta(days=n) for n in range(days)]
    result = Report(
        start=start,
        end=end,
        days=all_days,
        page_views=[series.get((d, PAGE), (0, 0))[0] for d in all_days],
        # For one page, "form views" are its own views (its form is seen with it) and its submissions.
        form_views=[series.get((d, PAGE if page_id else FORM), (0, 0))[0] for d in all_days],
        submissions=[series.get((d, PAGE if page_id else FORM), (0, 0))[1] for d in all_days],
    )
    by_subject = await db.execute(
        select(TrafficDay.kind, TrafficDay.subject_id, views, answered)
        .where(*in_range, *scoped, TrafficDay.kind.in_((PAGE, FORM)))
        .group_by(TrafficDay.kind, TrafficDay.subject_id)
    )
    for kind, subject_id, v, s in by_subject:
        target = result.pages if kind == PAGE else result.forms
        target[subject_id] = Row(subject_id, int(v or 0), int(s or 0))
    campaign_kind = PAGE if page_id else FORM
    by_campaign = await db.execute(
        select(TrafficDay.source, TrafficDay.medium, TrafficDay.campaign, views, answered)
        .where(*in_range, *scoped, TrafficDay.kind == campaign_kind)
        .group_by(TrafficDay.source, TrafficDay.medium, TrafficDay.campaign)
        .order_by(answered.desc(), views.desc())
        .limit(50)
    )
    result.campaigns = [
        Row((source, medium, campaign), int(v or 0), int(s or 0))
        for source, medium, campaign, v, s in by_campaign
    ]
    return result


async def journey(db: AsyncSession, visitor_ids: list[str], limit: int = 50) -> list[Visit]:
    """A consented visitor's page views, newest first."""
    if not visitor_ids:
        return []
    query = (
        select(Visit).where(Visit.visitor_id.in_(visitor_ids)).order_by(Visit.occurred_at.desc()).limit(limit)
    )
    return list((await db.execute(query)).scalars())


@dataclass
class FunnelStage:
    """One stage of a form's drop-off funnel: how many got this far, of the form's views."""

    label: str
    count: int
    share: float  # of the views, 0..1


async def funnel(
    db: AsyncSession, end: date, days: int, form_id: UUID, steps: list[tuple[str, str]]
) -> list[FunnelStage]:
    """Views, starts, each step completed (the last step's is the submission) and submissions.

    From the same daily counters as the report: counts only, nothing about any visitor.
    """
    start = end - timedelta(days=days - 1)
    subjects = {step_subject(form_id, name): name for name, _title in steps[:-1]}
    rows = await db.execute(
        select(
            TrafficDay.kind,
            TrafficDay.subject_id,
            func.sum(TrafficDay.views),
            func.sum(TrafficDay.submissions),
        )
        .where(
            TrafficDay.day >= start,
            TrafficDay.day <= end,
            TrafficDay.subject_id.in_([form_id, *subjects]),
            TrafficDay.kind.in_((FORM, FORM_START, FORM_STEP)),
        )
        .group_by(TrafficDay.kind, TrafficDay.subject_id)
    )
    views = started = submitted = 0
    completed: dict[str, int] = {}
    for kind, subject_id, counted, answered in rows:
        if kind == FORM:
            views, submitted = int(counted or 0), int(answered or 0)
        elif kind == FORM_START:
            started = int(counted or 0)
        elif subject_id in subjects:
            completed[subjects[subject_id]] = int(counted or 0)
    stages = [(_("Views"), views), (_("Started"), started)]
    for number, (name, title) in enumerate(steps[:-1], start=1):
        label = _("Step %(n)d done", n=number) + (f": {title}" if title else "")
        stages.append((label, completed.get(name, 0)))
    stages.append((_("Submitted"), submitted))
    return [FunnelStage(label, count, count / views if views else 0.0) for label, count in stages]
