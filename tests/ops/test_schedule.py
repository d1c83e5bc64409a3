"""Periodic jobs: due times, one send per tick however many workers schedule, the embedded sweep."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import dramatiq
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

import landform.ops.jobs  # noqa: F401  (the schedule)
from landform.core.db import utcnow
from landform.core.jobs.models import OutboxJob
from landform.core.settings import get_settings
from landform.ops import schedule
from landform.ops.schedule import PeriodicJob, Scheduler, declare_periodic, scheduled_jobs
from tests.conftest import REDIS_URL, form_token, make_form, redis_available, wait_for


def test_it_schedules_the_sweep_the_heartbeat_retention_and_backups():
    assert {
        "outbox_sweep",
        "worker_heartbeat",
        "retention_purge",
        "backup_daily",
        "consent_purge_expired_holds",
    } <= {job.name for job in scheduled_jobs()}


def test_it_reads_cron_times_in_utc_and_runs_interval_jobs_on_a_shared_grid(settings):
    daily = PeriodicJob("daily", print, cron=schedule.parse_cron("15 2 * * *"))
    assert daily.next_run(settings, datetime(2026, 3, 29, 3, 0, tzinfo=UTC)) == datetime(
        2026, 3, 30, 2, 15, tzinfo=UTC
    )
    assert daily.next_run(settings, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == datetime(
        2026, 3, 29, 2, 15, tzinfo=UTC
    )
    often = PeriodicJob("often", print, interval=lambda s: 15.0)
    now = datetime(2026, 3, 29, 1, 0, 7, tzinfo=UTC)
    assert often.first_run(settings, now) == datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC)
    assert often.next_run(settings, now) == datetime(2026, 3, 29, 1, 0, 15, tzinfo=UTC)


def test_it_sends_each_tick_once_however_many_workers_schedule(settings, monkeypatch):
    redis_available()
    monkeypatch.setenv("LANDFORM_REDIS_URL", REDIS_URL)
    monkeypatch.setenv("LANDFORM_QUEUE_NAMESPACE", f"landform-test-{uuid.uuid4().hex[:8]}")
    get_settings.cache_clear()
    monkeypatch.setattr(
        schedule, "_schedule", {"tick": PeriodicJob("tick", lambda s: None, interval=lambda s: 0.2)}
    )
    broker = StubBroker()
    declare_periodic(broker)
    schedulers = [Scheduler(get_settings(), broker) for _ in range(3)]
    for scheduler in schedulers:
        scheduler.start()
    time.sleep(1.1)
    for scheduler in schedulers:
        scheduler.stop()
        scheduler.join()
    queue = broker.queues[schedule.QUEUE]
    ticks = [dramatiq.Message.decode(queue.get_nowait()).args[0] for _ in range(queue.qsize())]
    assert len(ticks) >= 4
    assert len(ticks) == len(set(ticks))


def test_it_sweeps_overdue_jobs_on_the_embedded_worker(client, db, owner):
    form = make_form(db, owner)
    token = form_token(client, f"/f/{form.key}")
    client.post(f"/f/{form.key}", json={"first_name": "S", "email": "s@example.com", "_lf_token": token})
    job = wait_for(
        lambda: db.execute(select(OutboxJob).where(OutboxJob.done_at.is_not(None))).scalar_one_or_none()
    )
    # As if the broker had lost it: not done, and overdue. Nothing sends it but the sweep.
    job.done_at = None
    job.redispatch_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert wait_for(lambda: (db.expire_all(), db.get(OutboxJob, job.id).done_at)[1], timeout=10)
    assert db.get(OutboxJob, job.id).redispatches == 1
