"""Periodic jobs: a schedule of dramatiq actors, and the scheduler thread that sends them when due.

A job is one line in landform/ops/jobs.py, for example::

    cron("backup_daily", "15 2 * * *")(backup.scheduled_backup)
    every("worker_heartbeat", seconds=10)(health.record_heartbeat)

Cron specs are periodiq's (`periodiq.cron`), read in UTC. periodiq's own scheduler is a separate
process woken by SIGALRM: it cannot run on a thread of the embedded app, and one per worker would
send every job once per worker. So every worker process (and the embedded app) runs the small
thread below, and with Redis each tick is claimed (`SET NX`) before it is sent: however many
workers run, a tick is sent once. A message can still be delivered twice (a worker dies before
acknowledging it), so every job is idempotent and safe to run twice at once all the same.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dramatiq
import pendulum
from periodiq import CronSpec
from periodiq import cron as parse_cron

from landform.core.settings import Settings, get_settings
from landform.ops.health import redis_client

log = logging.getLogger(__name__)

PeriodicFunction = Callable[[Settings], object]
QUEUE = "periodic"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    fn: PeriodicFunction
    cron: CronSpec | None = None
    # Seconds between runs, read from the settings (the outbox sweep's interval is configurable).
    interval: Callable[[Settings], float] | None = None
    actor_options: dict[str, Any] = field(default_factory=dict)

    def first_run(self, settings: Settings, now: datetime) -> datetime:
        # Interval jobs run at once (a worker that just booted sweeps and beats), on a grid every
        # process shares, so that the processes' first ticks are the same tick and claimed once.
        if self.interval is not None:
            step = self.interval(settings)
            return datetime.fromtimestamp(now.timestamp() // step * step, UTC)
        return self.next_run(settings, now)

    def next_run(self, settings: Settings, after: datetime) -> datetime:
        if self.interval is not None:
            step = self.interval(settings)
            return datetime.fromtimestamp((after.timestamp() // step + 1) * step, UTC)
        assert self.cron is not None
        return datetime.fromtimestamp(self.cron.next_valid_date(pendulum.instance(after)).timestamp(), UTC)


_schedule: dict[str, PeriodicJob] = {}


def _register(job: PeriodicJob) -> None:
    if job.name in _schedule:
        raise ValueError(f"two periodic jobs are named {job.name}")
    _schedule[job.name] = job


def cron(name: str, spec: str, **actor_options: Any) -> Callable[[PeriodicFunction], PeriodicFunction]:
    """Run `fn(settings)` on a worker at the times of a cron spec (UTC), e.g. "15 2 * * *"."""

    def register(fn: PeriodicFunction) -> PeriodicFunction:
        _register(PeriodicJob(name, fn, cron=parse_cron(spec), actor_options=actor_options))
        return fn

    return register


def every(
    name: str, seconds: float | Callable[[Settings], float], **actor_options: Any
) -> Callable[[PeriodicFunction], PeriodicFunction]:
    """Run `fn(settings)` on a worker every so many seconds (a number, or read from the settings)."""
    interval = seconds if callable(seconds) else (lambda _settings: float(seconds))

    def register(fn: PeriodicFunction) -> PeriodicFunction:
        _register(PeriodicJob(name, fn, interval=interval, actor_options=actor_options))
        return fn

    return register


def scheduled_jobs() -> list[PeriodicJob]:
    return list(_schedule.values())


def _actor_for(job: PeriodicJob) -> Callable[[str], None]:
    def actor(scheduled_for: str) -> None:
        job.fn(get_settings())

    actor.__name__ = job.name
    return actor


def declare_periodic(broker: dramatiq.Broker) -> None:
    """Declare every periodic job as an actor on this broker, on a queue of their own.

    Their own queue: a backlog of submissions to route must not hold up the sweep or the heartbeat.
    No retries by default: the next tick is the retry; a tick that waited an hour is dropped.
    """
    for job in _schedule.values():
        options = {
            "queue_name": QUEUE,
            "max_retries": 0,
            "time_limit": 30 * 60_000,
            "max_age": 3_600_000,
            **job.actor_options,
        }
        dramatiq.actor(broker=broker, actor_name=job.name, **options)(_actor_for(job))


def claim_tick(settings: Settings, job: PeriodicJob, at: datetime, until: datetime) -> bool:
    """True for exactly one of the schedulers that want to send this job's tick (always, without Redis)."""
    if not settings.queue.redis_url:
        return True
    key = f"{settings.queue.namespace}:schedule:{job.name}:{at.timestamp():.3f}"
    keep = max(60, int((until - at).total_seconds() * 2))
    return bool(redis_client(settings.queue.redis_url).set(key, "1", nx=True, ex=keep))


class Scheduler(threading.Thread):
    """Sends each periodic job's message when it is due, until stopped."""

    def __init__(self, settings: Settings, broker: dramatiq.Broker) -> None:
        super().__init__(name="landform-scheduler", daemon=True)
        self.settings = settings
        self.broker = broker
        self.stopping = threading.Event()

    def run(self) -> None:
        now = datetime.now(UTC)
        due = {job.name: job.first_run(self.settings, now) for job in _schedule.values()}
        while due:
            name = min(due, key=due.__getitem__)
            at = due[name]
            if self.stopping.wait(max(0.0, (at - datetime.now(UTC)).total_seconds())):
                return
            job = _schedule[name]
            # After a long pause (a suspended laptop) run once, not once per missed tick.
            due[name] = job.next_run(self.settings, max(at, datetime.now(UTC)))
            try:
                if claim_tick(self.settings, job, at, due[name]):
                    self.broker.get_actor(name).send(at.isoformat())
            except Exception:
                log.warning("schedule: could not send %s (due %s); next at %s", name, at, due[name])

    def stop(self) -> None:
        self.stopping.set()


class RunSchedule(dramatiq.Middleware):
    """Runs a scheduler beside the worker threads of each `landform worker` process."""

    def __init__(self) -> None:
        self.scheduler: Scheduler | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        self.scheduler = Scheduler(get_settings(), broker)
        self.scheduler.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
