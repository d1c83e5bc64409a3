"""The transactional outbox: background jobs written in the same transaction as the data they act on.

A job row is inserted beside (say) a submission; after that transaction commits, its id is sent to
the dramatiq broker. The broker only carries ids. If the send fails, the app dies before sending, or
a worker dies mid-job, the sweep (a periodic job, see landform/ops/jobs.py) sends the job again once
its `redispatch_at` has passed. Every job function is idempotent, and the runner locks the job row
and skips it once done, so a job sent twice has the effect of one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import ForeignKey, Index, Integer, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from landform.db import GUID, Base, DateTimeUTC, scope_to_tenant, sync_session, utcnow
from landform.ops.metrics import JOB_LATENCY
from landform.settings import Settings, get_settings

log = logging.getLogger(__name__)

JobFunction = Callable[[Session, UUID], None]
_jobs: dict[str, tuple[JobFunction, dict[str, Any]]] = {}


class OutboxJob(Base):
    """One unit of background work on one subject (a submission, an e-mail, ...)."""

    __tablename__ = "outbox_job"
    __table_args__ = (Index("ix_outbox_job_pending", "done_at", "failed_at", "redispatch_at"),)

    actor_name: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[UUID] = mapped_column(GUID)
    tenant_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("tenant.id", ondelete="CASCADE"), index=True, nullable=True
    )
    redispatch_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    redispatches: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class PermanentJobError(Exception):
    """The job can never succeed (its subject is gone or invalid): record it, do not retry."""


def job(**actor_options: Any) -> Callable[[JobFunction], JobFunction]:
    """Register `fn(session, subject_id)` as a background job.

    The dramatiq actor is declared later, on whichever broker `configure_broker` builds, so that
    importing a domain module never creates dramatiq's silent default broker.
    """

    def register(fn: JobFunction) -> JobFunction:
        _jobs[fn.__name__] = (fn, actor_options)
        return fn

    return register


def add_job(session: Any, actor_name: str, subject_id: UUID, tenant_id: UUID | None) -> OutboxJob:
    """Write a job in the caller's transaction; it is sent to the broker once that commits."""
    if actor_name not in _jobs:
        raise KeyError(f"no job named {actor_name}")
    settings = get_settings()
    row = OutboxJob(
        actor_name=actor_name,
        subject_id=subject_id,
        tenant_id=tenant_id,
        redispatch_at=utcnow() + timedelta(seconds=settings.queue.redispatch_after_seconds),
    )
    session.add(row)
    session.info.setdefault("outbox_to_send", []).append(row)
    return row


def _send(actor_name: str, job_id: UUID) -> bool:
    try:
        dramatiq.get_broker().get_actor(actor_name).send(str(job_id))
    except Exception:
        # The row is committed: the sweeper will send it again. The lead is delayed, not lost.
        log.warning("outbox: broker refused job %s (%s); the sweeper will retry", job_id, actor_name)
        return False
    return True


def _send_after_commit(session: Session) -> None:
    for row in session.info.pop("outbox_to_send", []):
        _send(row.actor_name, row.id)


def _forget_on_rollback(session: Session, _transaction: Any) -> None:
    session.info.pop("outbox_to_send", None)


event.listen(Session, "after_commit", _send_after_commit)
event.listen(Session, "after_soft_rollback", _forget_on_rollback)


def run_job(actor_name: str, job_id: str) -> None:
    """Run one job once: lock it, skip it if done, do the work and mark it done in one transaction."""
    fn, _options = _jobs[actor_name]
    settings = get_settings()
    with sync_session(settings.database.sync_url) as session:
        row = session.execute(
            select(OutboxJob).where(OutboxJob.id == UUID(job_id)).with_for_update()
        ).scalar_one_or_none()
        if row is None or row.done_at is not None or row.failed_at is not None:
            return
        if row.tenant_id is not None:
            scope_to_tenant(session, row.tenant_id)
        try:
            fn(session, row.subject_id)
        except PermanentJobError as error:
            session.rollback()
            failed = session.get(OutboxJob, row.id)
            if failed is not None:
                failed.failed_at = utcnow()
                failed.last_error = str(error)[:2000]
                session.commit()
            log.error("outbox: job %s (%s) failed permanently: %s", job_id, actor_name, error)
            return
        row.done_at = utcnow()
        session.commit()
    JOB_LATENCY.labels(actor_name).observe((row.done_at - row.created_at).total_seconds())


def _actor_for(actor_name: str) -> Callable[[str], None]:
    def actor(job_id: str) -> None:
        run_job(actor_name, job_id)

    actor.__name__ = actor_name
    return actor


def configure_broker(settings: Settings) -> dramatiq.Broker:
    """Build this process's broker (Redis, or in-process) and declare every registered job on it."""
    broker: dramatiq.Broker
    if settings.queue.redis_url:
        broker = RedisBroker(url=settings.queue.redis_url, namespace=settings.queue.namespace)
    else:
        broker = StubBroker()
        broker.emit_after("process_boot")
    dramatiq.set_broker(broker)
    for name, (_fn, options) in _jobs.items():
        dramatiq.actor(broker=broker, actor_name=name, **options)(_actor_for(name))
    return broker


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
    return sum(_send(name, job_id) for name, job_id in due)


# A job the sweeper has sent this often without it getting done is stuck: shown among the dead letters.
STUCK_AFTER_REDISPATCHES = 10


def is_dead() -> Any:
    """The condition for a dead letter: failed permanently, or sent again and again without success."""
    return (OutboxJob.done_at.is_(None)) & (
        OutboxJob.failed_at.is_not(None) | (OutboxJob.redispatches >= STUCK_AFTER_REDISPATCHES)
    )


def retry_job(session: Any, row: OutboxJob) -> None:
    """Give a dead job another go: it is sent once the caller's transaction commits."""
    row.failed_at = None
    row.redispatches = 0
    row.redispatch_at = utcnow() + timedelta(seconds=get_settings().queue.redispatch_after_seconds)
    session.info.setdefault("outbox_to_send", []).append(row)
