"""Doing a job in the worker: one at a time (`run_job`) or a batch of one kind together (`run_batch`)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from uuid import UUID

from dramatiq.middleware import CurrentMessage
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from landform.core.db import scope_to_tenant, sync_session, utcnow
from landform.core.jobs.models import OutboxJob, PermanentJobError
from landform.core.jobs.registry import BatchFunction, registered_batch_jobs, registered_jobs
from landform.core.metrics import JOB_LATENCY
from landform.core.settings import get_settings

log = logging.getLogger(__name__)

# Deadlocks between concurrent batches are resolved by the database aborting one; it is retried here.
_BATCH_ATTEMPTS = 3


def run_job(actor_name: str, job_id: str) -> None:
    """Run one job once: lock it, skip it if done, do the work and mark it done in one transaction."""
    if actor_name in registered_batch_jobs:
        run_batch(actor_name, job_id)
        return
    fn, _options = registered_jobs[actor_name]
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


class _RecentlyDone:
    """Batch jobs this process finished lately, with when (ms since the epoch), and those it is doing.

    A batch does the work of hundreds of messages still in the queue. A message sent before the batch
    that did its job committed is answered from memory instead of a database round trip; one sent
    later (the sweep, a retry of a job put back) is always looked up. A message whose job sits in a
    batch this process is running right now is answered the same way: the database would only say
    "locked, not ours" (`SKIP LOCKED`), and should that batch fail its jobs stay pending for the next
    batch or the sweep, exactly as when another process holds them.
    """

    def __init__(self, keep: int = 200_000) -> None:
        self.keep = keep
        self.done: dict[str, float] = {}
        self.running: set[str] = set()
        self.lock = threading.Lock()

    def answers(self, job_id: str, sent_ms: float | None) -> bool:
        with self.lock:
            if job_id in self.running:
                return True
            done_ms = self.done.get(job_id)
        return done_ms is not None and sent_ms is not None and sent_ms <= done_ms

    def start(self, job_ids: Iterable[str]) -> None:
        with self.lock:
            self.running.update(job_ids)

    def finish(self, job_ids: Iterable[str], done: Iterable[str], done_ms: float) -> None:
        # Marked done and no longer running in one step: a message never falls between the two.
        with self.lock:
            self.done.update(dict.fromkeys(done, done_ms))
            self.running.difference_update(job_ids)
            while len(self.done) > self.keep:
                del self.done[next(iter(self.done))]


_recently_done = _RecentlyDone()


def run_batch(actor_name: str, job_id: str) -> int:
    """Claim this job and other pending ones of its kind, do them in one transaction; returns how many.

    A job another worker holds is skipped, not waited for: that worker finishes it, or, should it die,
    its transaction is rolled back and the sweep sends the job again.
    """
    fn, size = registered_batch_jobs[actor_name]
    message = CurrentMessage.get_current_message()
    if _recently_done.answers(job_id, message.message_timestamp if message else None):
        return 0
    settings = get_settings()
    for attempt in range(1, _BATCH_ATTEMPTS + 1):
        try:
            with sync_session(settings.database.sync_url) as session:
                return _run_batch_once(session, fn, actor_name, UUID(job_id), size)
        except DBAPIError as error:
            if attempt == _BATCH_ATTEMPTS or not _is_deadlock(error):
                raise
            log.warning("outbox: batch of %s deadlocked, retrying (%s)", actor_name, attempt)
    return 0


def _is_deadlock(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in {"40P01", "40001"}


def _run_batch_once(session: Session, fn: BatchFunction, actor_name: str, own: UUID, size: int) -> int:
    pending = (
        OutboxJob.actor_name == actor_name,
        OutboxJob.done_at.is_(None),
        OutboxJob.failed_at.is_(None),
    )
    rows = list(
        session.scalars(
            select(OutboxJob).where(OutboxJob.id == own, *pending).with_for_update(skip_locked=True)
        )
    )
    if not rows:
        # Done already, or in another worker's batch right now: either way not ours to do.
        return 0
    rows += session.scalars(
        select(OutboxJob)
        .where(OutboxJob.id != own, *pending)
        # The order messages are sent in: the kicks that come next find their jobs in this batch.
        .order_by(OutboxJob.redispatch_at, OutboxJob.id)
        .limit(size - len(rows))
        .with_for_update(skip_locked=True)
    )
    claimed = [str(row.id) for row in rows]
    _recently_done.start(claimed)
    committed: list[str] = []
    try:
        failed = fn(session, [row.subject_id for row in rows])
        now = utcnow()
        done = [row.id for row in rows if row.subject_id not in failed]
        # One UPDATE for the whole batch (not one per job through the unit of work).
        if done:
            session.execute(
                update(OutboxJob).where(OutboxJob.id.in_(done)).values(done_at=now, updated_at=now)
            )
        for row in rows:
            if row.subject_id in failed:
                error = failed[row.subject_id][:2000]
                session.execute(
                    update(OutboxJob).where(OutboxJob.id == row.id).values(failed_at=now, last_error=error)
                )
                log.error("outbox: job %s (%s) failed permanently: %s", row.id, actor_name, error)
        session.commit()
        committed = [str(job_id) for job_id in done]
    finally:
        _recently_done.finish(claimed, committed, time.time() * 1000)
    for row in rows:
        if row.subject_id not in failed:
            JOB_LATENCY.labels(actor_name).observe((now - row.created_at).total_seconds())
    return len(rows)
