"""Scheduled publish: the draft goes live at a moment the marketer picked, read in their own time zone.

A periodic job (ops/jobs.py) publishes every page whose moment has come, as a normal version. Each page
is claimed by a conditional UPDATE in the same transaction as its publish, so two workers running the
job at once (or a message delivered twice) publish it once: the second finds the schedule gone.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from landform.core.db import sync_session, utcnow
from landform.core.i18n import gettext as _
from landform.core.settings import Settings
from landform.site import services
from landform.site.models import Page

log = logging.getLogger(__name__)

FURTHEST = timedelta(days=366)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_moment(raw: str, timezone: str, now: datetime | None = None) -> datetime:
    """A `datetime-local` value (2026-12-01T09:00) in the user's time zone, as UTC; raises PageInvalid."""
    now = now or utcnow()
    text = raw.strip().replace(" ", "T")
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        raise services.PageInvalid(
            {"publish_at": _("Fill in a date and time, like 2026-12-01 09:00.")}
        ) from None
    tz = zone(timezone)
    local = local.replace(tzinfo=None, second=0, microsecond=0)
    moment = local.replace(tzinfo=tz).astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != local:
        raise services.PageInvalid(
            {"publish_at": _("This time does not exist here: the clocks move forward then. Pick another.")}
        )
    if moment <= now:
        raise services.PageInvalid({"publish_at": _("Pick a moment in the future.")})
    if moment > now + FURTHEST:
        raise services.PageInvalid({"publish_at": _("Pick a moment within a year.")})
    return moment


def schedule(page: Page, moment: datetime, user_id: UUID | None) -> None:
    page.publish_at = moment
    page.publish_scheduled_by_id = user_id
    page.publish_failed_at = None


def cancel(page: Page) -> None:
    page.publish_at = None
    page.publish_scheduled_by_id = None
    page.publish_failed_at = None


def local_value(moment: datetime | None, timezone: str) -> str:
    """A UTC moment as the `datetime-local` input shows it in the user's time zone."""
    if moment is None:
        return ""
    return moment.astimezone(zone(timezone)).strftime("%Y-%m-%dT%H:%M")


def publish_due(settings: Settings) -> int:
    """The periodic job: publish every page whose scheduled moment has come; how many went live."""
    now = utcnow()
    with sync_session(settings.database.sync_url) as session:
        due = session.execute(
            select(Page.id, Page.tenant_id, Page.publish_at)
            .where(Page.publish_at <= now, Page.publish_failed_at.is_(None))
            .order_by(Page.publish_at)
            .execution_options(all_tenants=True)
        ).all()
    published = 0
    for page_id, tenant_id, moment in due:
        assert moment is not None  # selected by publish_at <= now
        with sync_session(settings.database.sync_url, tenant_id) as session:
            published += _publish_one(session, page_id, moment, now)
    return published


def _publish_one(session: Session, page_id: UUID, moment: datetime, now: datetime) -> int:
    # The claim comes first in the transaction: on PostgreSQL a second worker waits for this row and
    # then finds publish_at changed; on SQLite the write lock makes it wait and then read the same.
    claimed = session.execute(
        update(Page)
        .where(Page.id == page_id, Page.publish_at == moment, Page.publish_failed_at.is_(None))
        .values(publish_at=None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return 0
    page = session.execute(select(Page).where(Page.id == page_id)).scalar_one()
    try:
        version = services.publish_sync(session, page, page.publish_scheduled_by_id)
    except services.PageInvalid as error:
        # Kept as it was, marked: the editor shows what stops it and the marketer picks a new moment.
        page.publish_at, page.publish_failed_at = moment, now
        session.commit()
        log.info("pages: scheduled publish of %s blocked: %s", page_id, sorted(error.errors))
        return 0
    page.publish_scheduled_by_id = None
    session.commit()
    log.info("pages: scheduled publish of %s is live as version %d", page_id, version.number)
    return 1
