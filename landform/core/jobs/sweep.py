"""Sending again the jobs that should have been done by now, and the dead ones: seeing and retrying them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.core.db import sync_session, utcnow

# The module, not its `send`: the sweep sends through whatever `handoff.send` is at the time (tests
# replace it with a broker that loses messages). Importing it also registers the after-commit
# listener that sends what retry_job notes in the session.
from landform.core.jobs import handoff
from landform.core.jobs.models import OutboxJob
from landform.core.settings import Settings, get_settings


def sweep(settings: Settings, limit: int = 500) -> int:
    """Send again every job that should have been done by now; returns how many were sent."""
    now = utcnow()
    with sync_session(settings.database.sync_url) as session:
        rows = (
            session.execute(
                select(OutboxJob)
                .where(
                    OutboxJob.done_at.is_(None),
                    OutboxJob.failed_at.is_(None),
                    OutboxJob.redispatch_at <= now,
                )
                .order_by(OutboxJob.redispatch_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            .scalars()
            .all()
        )
        base = settings.queue.redispatch_after_seconds
        for row in rows:
            row.redispatches += 1
            row.redispatch_at = now + timedelta(seconds=min(base * 2 ** min(row.redispatches, 10), 600))
        due = [(row.actor_name, row.id) for row in rows]
        session.commit()
    return sum(handoff.send(name, job_id) for name, job_id in due)


# A job the sweeper has sent this often without it getting done is stuck: shown among the dead letters.
STUCK_AFTER_REDISPATCHES = 10


def is_dead() -> Any:
    """The condition for a dead letter: failed permanently, or sent again and again without success."""
    return (OutboxJob.done_at.is_(None)) & (
        OutboxJob.failed_at.is_not(None) | (OutboxJob.redispatches >= STUCK_AFTER_REDISPATCHES)
    )


def retry_job(session: Session, row: OutboxJob) -> None:
    """Give a dead job another go: it is sent once the caller's transaction commits."""
    row.failed_at = None
    row.redispatches = 0
    row.redispatch_at = utcnow() + timedelta(seconds=get_settings().queue.redispatch_after_seconds)
    session.info.setdefault("outbox_to_send", []).append(row)
