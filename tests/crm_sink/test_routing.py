"""Routing into the CRM: idempotent, never lost when the broker is down, on real Redis with a real Worker."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import dramatiq
import pytest
from dramatiq import Worker
from litestar.testing import TestClient
from sqlalchemy import func, select

from landform.core.db import utcnow
from landform.core.jobs.models import OutboxJob
from landform.core.jobs.runner import run_job
from landform.core.jobs.sweep import sweep
from landform.core.settings import get_settings
from landform.crm_sink.models import Activity, Contact, Submission
from tests.conftest import REDIS_URL, form_token, make_form, redis_available, wait_for


def _count(db, model) -> int:
    db.expire_all()
    return db.execute(select(func.count(model.id)).execution_options(all_tenants=True)).scalar_one()


def _submit(client, form, email: str, first_name: str = "Lead") -> None:
    token = form_token(client, f"/f/{form.key}")
    response = client.post(
        f"/f/{form.key}", json={"first_name": first_name, "email": email, "_lf_token": token}
    )
    assert response.status_code == 201, response.text


def test_it_routes_a_job_delivered_twice_only_once(client, db, owner):
    form = make_form(db, owner)
    _submit(client, form, "twice@example.com")
    wait_for(lambda: _count(db, Activity) == 1)
    job = db.execute(select(OutboxJob)).scalar_one()
    # The broker may deliver again (a worker died before acking): the second run changes nothing.
    db.expire_all()
    db.get(OutboxJob, job.id).done_at = None
    db.commit()
    run_job("route_submission", str(job.id))
    run_job("route_submission", str(job.id))
    assert (_count(db, Contact), _count(db, Activity)) == (1, 1)


@pytest.fixture
def redis_settings(settings, monkeypatch):
    """Production mode: Redis is the broker; no worker runs inside the app."""
    redis_available()
    monkeypatch.setenv("LANDFORM_REDIS_URL", REDIS_URL)
    monkeypatch.setenv("LANDFORM_QUEUE_NAMESPACE", f"landform-test-{uuid.uuid4().hex[:8]}")
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def redis_client(redis_settings):
    from landform.app import create_app

    app = create_app(redis_settings)
    with TestClient(app, base_url="http://testserver.local") as client:
        yield client
    dramatiq.get_broker().flush_all()


def test_it_routes_through_redis_with_a_separate_worker(redis_client, db, owner):
    form = make_form(db, owner)
    _submit(redis_client, form, "first@example.com")
    assert _count(db, Contact) == 0  # nothing routes inside the app process
    worker = Worker(dramatiq.get_broker(), worker_threads=4, worker_timeout=100)
    worker.start()
    try:
        wait_for(lambda: _count(db, Contact) == 1)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: _submit(redis_client, form, "Same@Example.com", f"Try{n}"), range(12)))
        wait_for(lambda: _count(db, Activity) == 13)
        assert _count(db, Contact) == 2  # twelve submissions from one address are one contact
    finally:
        worker.stop()


def test_it_keeps_submissions_while_the_broker_is_down_and_routes_them_later(
    settings, db, owner, monkeypatch
):
    from landform.app import create_app

    redis_available()
    monkeypatch.setenv("LANDFORM_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    get_settings.cache_clear()
    form = make_form(db, owner)
    with TestClient(create_app(get_settings()), base_url="http://testserver.local") as client:
        for n in range(3):
            _submit(client, form, f"patient{n}@example.com")
    assert _count(db, Submission) == 3
    assert _count(db, Contact) == 0

    # The broker is back. The sweeper sends every job that is overdue.
    monkeypatch.setenv("LANDFORM_REDIS_URL", REDIS_URL)
    monkeypatch.setenv("LANDFORM_QUEUE_NAMESPACE", f"landform-test-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("LANDFORM_OUTBOX_REDISPATCH_SECONDS", "0")
    get_settings.cache_clear()
    from landform.worker import setup_broker

    broker = setup_broker(get_settings())
    db.execute(OutboxJob.__table__.update().values(redispatch_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert sweep(get_settings()) == 3
    worker = Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        wait_for(lambda: _count(db, Contact) == 3)
    finally:
        worker.stop()
        broker.flush_all()
    assert _count(db, Activity) == 3


def test_every_job_states_its_retries_and_time_and_age_limits(settings):
    from landform.core.jobs.models import PermanentJobError
    from landform.worker import setup_broker

    broker = setup_broker(settings)
    for name in broker.get_declared_actors():
        options = broker.get_actor(name).options
        assert {"max_retries", "time_limit", "max_age"} <= set(options), name
    assert PermanentJobError in broker.get_actor("route_submission").options["throws"]


def test_a_submission_that_can_never_be_routed_fails_once_and_the_rest_of_its_batch_is_routed(
    client, db, owner, monkeypatch
):
    from landform.core.jobs import handoff

    monkeypatch.setattr(handoff, "send", lambda *_args: True)  # the broker "loses" both messages
    form = make_form(db, owner)
    _submit(client, form, "bad@example.com")
    _submit(client, form, "good@example.com")
    db.expire_all()
    bad, good = db.execute(select(OutboxJob).order_by(OutboxJob.created_at)).scalars().all()
    db.execute(Submission.__table__.update().where(Submission.id == bad.subject_id).values(contact_fields={}))
    db.commit()
    run_job("route_submission", str(bad.id))
    db.expire_all()
    failed, done = db.get(OutboxJob, bad.id), db.get(OutboxJob, good.id)
    assert failed.failed_at is not None and "e-mail" in failed.last_error
    assert done.done_at is not None
    assert (_count(db, Contact), _count(db, Activity)) == (1, 1)
    run_job("route_submission", str(bad.id))  # delivered again: not retried
    db.expire_all()
    assert db.get(OutboxJob, bad.id).failed_at == failed.failed_at
