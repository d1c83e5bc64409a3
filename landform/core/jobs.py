"""The transactional outbox: background jobs written in the same transaction as the data they act on.

A job row is inserted beside (say) a submission; after that transaction commits, its id is sent to
the dramatiq broker. The broker only carries ids. If the send fails, the app dies before sending, or
a worker dies mid-job, the sweep (a periodic job, see landform/ops/jobs.py) sends the job again once
its `redispatch_at` has passed. Every job function is idempotent, and the runner locks the job row
and skips it once done, so a job sent twice has the effect of one.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast
from uuid import UUID

import asyncpg
import dramatiq
from advanced_alchemy.mixins.uuid import uuid7
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Table, Text, event, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from landform.core.db import GUID, Base, DateTimeUTC, json_text, scope_to_tenant, sync_session, utcnow
from landform.core.metrics import JOB_LATENCY
from landform.core.settings import Settings, get_settings

log = logging.getLogger(__name__)

JobFunction = Callable[[Session, UUID], None]
# A batch job gets the subjects of every job it claimed; it returns those that failed for good.
BatchFunction = Callable[[Session, list[UUID]], dict[UUID, str]]
_jobs: dict[str, tuple[JobFunction, dict[str, Any]]] = {}
_batch_jobs: dict[str, tuple[BatchFunction, int]] = {}
# Deadlocks between concurrent batches are resolved by the database aborting one; it is retried here.
_BATCH_ATTEMPTS = 3


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
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True, info={"personal": True})


class PermanentJobError(Exception):
    """The job can never succeed (its subject is gone or invalid): record it, do not retry."""


def _limits(max_retries: int, time_limit: int, max_age: int, options: dict[str, Any]) -> dict[str, Any]:
    # Every job states its retries and limits; a PermanentJobError is recorded, never retried.
    return {
        "max_retries": max_retries,
        "time_limit": time_limit,
        "max_age": max_age,
        "throws": (PermanentJobError,),
        **options,
    }


def job(
    *, max_retries: int, time_limit: int, max_age: int, **actor_options: Any
) -> Callable[[JobFunction], JobFunction]:
    """Register `fn(session, subject_id)` as a background job.

    Retries, the time limit of one run and the age after which a message is dropped (ms) are required:
    a dropped or exhausted message loses nothing, the job row stays pending and the sweep sends it
    again. The dramatiq actor is declared later, on whichever broker `configure_broker` builds, so
    that importing a domain module never creates dramatiq's silent default broker.
    """

    def register(fn: JobFunction) -> JobFunction:
        _jobs[fn.__name__] = (fn, _limits(max_retries, time_limit, max_age, actor_options))
        return fn

    return register


def batch_job(
    *, size: int, max_retries: int, time_limit: int, max_age: int, **actor_options: Any
) -> Callable[[BatchFunction], BatchFunction]:
    """Register `fn(session, subject_ids) -> {subject_id: error}` as a job run in batches.

    Each job still has its row and its message, but a message is a kick: the worker claims its own
    job and up to `size` other pending jobs of the same kind (`FOR UPDATE SKIP LOCKED`, so workers
    never wait for each other), does them all in one transaction and marks them done together.
    """

    def register(fn: BatchFunction) -> BatchFunction:
        _batch_jobs[fn.__name__] = (fn, size)
        _jobs[fn.__name__] = (_not_alone, _limits(max_retries, time_limit, max_age, actor_options))
        return fn

    return register


def _not_alone(_session: Session, _subject_id: UUID) -> None:
    raise RuntimeError("a batch job runs through run_batch")


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


async def store_with_job(db: AsyncSession, rows: Sequence[Base], actor_name: str) -> None:
    """Store new `rows` with a job acting on the first of them, committed before this returns.

    For the intake's hot path, where a submission (and the consent records given with it) is all a
    request writes. On PostgreSQL the rows and the job are one statement, run in its own implicit
    transaction on a connection of the engine's pool, outside the ORM: SQLAlchemy's unit of work and
    its async adapter cost several times what PostgreSQL spends on the statement (docs/performance.md).
    The statement also tells row-level security the tenant (see `_one_statement`): one round trip
    instead of BEGIN, set_config, INSERT and COMMIT. Elsewhere (SQLite) the session writes them.

    The rows are new objects, never added to `db`. A transaction `db` has open is committed first, so a
    request never holds two of the pool's connections. A duplicate raises SQLAlchemy's IntegrityError,
    as a flush would.
    """
    subject = rows[0]
    subject_id, tenant_id = subject.__dict__["id"], subject.__dict__["tenant_id"]
    if db.sync_session.get_bind().dialect.name != "postgresql":
        db.add_all(rows)
        add_job(db, actor_name, subject_id, tenant_id)
        await db.commit()
        return
    now = utcnow()
    job = _job_values(actor_name, subject_id, tenant_id, now)
    if db.in_transaction():
        await db.commit()
    tables = [*(cast(Table, row.__table__) for row in rows), _JOBS]
    values = [*(_insert_values(row) for row in rows), job]
    statement, json_positions = _one_statement(
        tuple((table, tuple(row_values)) for table, row_values in zip(tables, values, strict=True))
    )
    arguments: list[Any] = [str(tenant_id)]
    for row_values in values:
        arguments += row_values.values()
    for position in json_positions:
        arguments[position] = json_text(arguments[position])
    connection = await cast(AsyncEngine, db.bind).raw_connection()
    try:
        await cast(asyncpg.Connection, connection.driver_connection).execute(statement, *arguments)
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(statement, None, error) from error
    except BaseException:
        # Cut short (the server gone, the request cancelled mid-statement): the connection's state is
        # unknown, so it is closed rather than handed to the next request.
        connection.invalidate()
        raise
    finally:
        connection.close()
    _hand_off([(actor_name, job["id"])])


def _job_values(actor_name: str, subject_id: UUID, tenant_id: UUID | None, now: datetime) -> dict[str, Any]:
    if actor_name not in _jobs:
        raise KeyError(f"no job named {actor_name}")
    return {
        "id": uuid7(),
        "actor_name": actor_name,
        "subject_id": subject_id,
        "tenant_id": tenant_id,
        "redispatch_at": now + timedelta(seconds=get_settings().queue.redispatch_after_seconds),
        "redispatches": 0,
        "created_at": now,
        "updated_at": now,
    }


def _insert_values(row: Base) -> dict[str, Any]:
    """What the unit of work would insert for a new object: its values, else its columns' Python defaults."""
    values: dict[str, Any] = {}
    for column in cast(Table, row.__table__).columns:
        default: Any = column.default
        if column.key in row.__dict__:
            values[column.key] = row.__dict__[column.key]
        elif default is not None and default.is_scalar:
            values[column.key] = default.arg
        elif default is not None and default.is_callable:
            values[column.key] = default.arg(None)
    return values


@lru_cache(maxsize=64)
def _one_statement(shapes: tuple[tuple[Table, tuple[str, ...]], ...]) -> tuple[str, tuple[int, ...]]:
    """The rows and their job (the last shape) as one statement for asyncpg, and which arguments are JSON.

    `WITH tenant AS (SELECT set_config('landform.tenant_id', $1, true)), r0 AS (INSERT INTO submission
    ... SELECT $2, ... FROM tenant RETURNING 1), r1 AS (INSERT INTO consent_record ... SELECT ... FROM
    r0) INSERT INTO outbox_job ... SELECT ... FROM r0`. Every insert selects from the one before it, so
    PostgreSQL has set the tenant before it checks a row against the tenant policy; the setting is
    local to the statement's transaction and ends with it. Built once per shape (tables and columns).
    """
    quote = _POSTGRESQL.identifier_preparer.quote
    count = 1  # $1 is the tenant
    json_positions: list[int] = []

    def insert_from(table: Table, columns: tuple[str, ...], source: str) -> str:
        nonlocal count
        placeholders = []
        for name in columns:
            if isinstance(table.c[name].type, JSON):
                json_positions.append(count)  # the argument's index: $(count + 1)
            count += 1
            placeholders.append(f"${count}")
        names = ", ".join(quote(name) for name in columns)
        # Names from the table's metadata, quoted; every value is a $n argument.
        return f"INSERT INTO {quote(table.name)} ({names}) SELECT {', '.join(placeholders)} FROM {source}"  # noqa: S608

    (subject_table, subject_columns), *others, (job_table, job_columns) = shapes
    parts = [
        "tenant AS (SELECT set_config('landform.tenant_id', $1, true))",
        f"r0 AS ({insert_from(subject_table, subject_columns, 'tenant')} RETURNING 1)",
        *(f"r{n} AS ({insert_from(table, columns, 'r0')})" for n, (table, columns) in enumerate(others, 1)),
    ]
    return f"WITH {', '.join(parts)} {insert_from(job_table, job_columns, 'r0')}", tuple(json_positions)


_JOBS = cast(Table, OutboxJob.__table__)
_POSTGRESQL = postgresql.dialect()


def _send(actor_name: str, job_id: UUID) -> bool:
    try:
        dramatiq.get_broker().get_actor(actor_name).send(str(job_id))
    except Exception:
        # The row is committed: the sweeper will send it again. The lead is delayed, not lost.
        log.warning("outbox: broker refused job %s (%s); the sweeper will retry", job_id, actor_name)
        return False
    return True


def kicks(jobs: list[tuple[str, UUID]]) -> list[tuple[str, UUID]]:
    """The messages that get `jobs` done: one per job, but one per batch for batch jobs.

    A batch job's message claims its own job and the oldest pending others of its kind, up to the
    batch size (`run_batch`), so one message per `size` jobs committed together does them all. Should
    another worker hold some of them, that worker does them; should the batch fail, the sweep sends them.
    """
    messages: list[tuple[str, UUID]] = []
    batched: dict[str, list[UUID]] = {}
    for actor_name, job_id in jobs:
        if actor_name in _batch_jobs:
            batched.setdefault(actor_name, []).append(job_id)
        else:
            messages.append((actor_name, job_id))
    for actor_name, job_ids in batched.items():
        size = _batch_jobs[actor_name][1]
        messages += [
            (actor_name, job_ids[start : start + size][-1]) for start in range(0, len(job_ids), size)
        ]
    return messages


# How long the hand-off thread waits after a job for others to send with it: under load one message then
# kicks the batch of many submissions, and no lead waits noticeably longer for its routing.
_GATHER_SECONDS = 0.01


class _Handoff:
    """A thread of the app process that hands committed jobs to the broker, off the event loop.

    The broker's client is synchronous: sending from a request would stall every other request on the
    event loop for a Redis round trip. The request only puts the job's id on this queue. A send lost
    here (the process dies before it) is what the sweep is for, as for a send the broker refuses.
    """

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[tuple[str, UUID] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="outbox-handoff", daemon=True)

    def _run(self) -> None:
        stopping = False
        while not stopping and (item := self.queue.get()) is not None:
            waiting = [item]
            time.sleep(_GATHER_SECONDS)
            while True:  # whatever else is queued by now goes in the same hand-off
                try:
                    more = self.queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                waiting.append(more)
            for actor_name, job_id in kicks(waiting):
                _send(actor_name, job_id)

    def stop(self, timeout: float) -> None:
        self.queue.put(None)  # after the jobs already queued: they are sent first
        self.thread.join(timeout)


_handoff: _Handoff | None = None


def start_handoff() -> None:
    """From now on this process sends committed jobs from a thread of their own (see `_Handoff`)."""
    global _handoff
    if _handoff is None:
        _handoff = _Handoff()
        _handoff.thread.start()


def stop_handoff(timeout: float = 5.0) -> None:
    """Send what is queued (for at most `timeout` seconds) and go back to sending in the caller."""
    global _handoff
    handoff, _handoff = _handoff, None
    if handoff is not None:
        handoff.stop(timeout)


def _hand_off(jobs: Iterable[tuple[str, UUID]]) -> None:
    """Send committed jobs to the broker: from the hand-off thread when it runs, else at once."""
    handoff = _handoff
    for actor_name, job_id in jobs:
        if handoff is None:
            _send(actor_name, job_id)
        else:
            handoff.queue.put((actor_name, job_id))


def _send_after_commit(session: Session) -> None:
    _hand_off((row.actor_name, row.id) for row in session.info.pop("outbox_to_send", []))


def _forget_on_rollback(session: Session, _transaction: Any) -> None:
    session.info.pop("outbox_to_send", None)


event.listen(Session, "after_commit", _send_after_commit)
event.listen(Session, "after_soft_rollback", _forget_on_rollback)


def run_job(actor_name: str, job_id: str) -> None:
    """Run one job once: lock it, skip it if done, do the work and mark it done in one transaction."""
    if actor_name in _batch_jobs:
        run_batch(actor_name, job_id)
        return
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
    fn, size = _batch_jobs[actor_name]
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
    # Batch jobs read their message's send time (see _RecentlyDone).
    broker.add_middleware(CurrentMessage())
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
