"""GET /healthz and /readyz: the database, Redis when configured, and a worker's heartbeat."""

from __future__ import annotations

import time
import uuid

import dramatiq
import pytest
from dramatiq import Worker
from litestar.testing import TestClient

from landform.core.settings import get_settings
from landform.ops.health import redis_client
from landform.ops.schedule import Scheduler
from tests.conftest import REDIS_URL, redis_available, wait_for


def test_it_is_ready_once_the_embedded_worker_has_beaten(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    wait_for(lambda: client.get("/readyz").status_code == 200, timeout=10)
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok", "worker": "ok"}
    assert "set-cookie" not in client.get("/readyz").headers


@pytest.fixture
def redis_app(settings, monkeypatch):
    """Production's shape: Redis configured, no worker in the app process."""
    redis_available()
    monkeypatch.setenv("LANDFORM_REDIS_URL", REDIS_URL)
    monkeypatch.setenv("LANDFORM_QUEUE_NAMESPACE", f"landform-test-{uuid.uuid4().hex[:8]}")
    get_settings.cache_clear()
    from landform.app import create_app

    return create_app(get_settings())


def test_it_is_not_ready_until_a_worker_beats_but_stays_healthy(redis_app):
    with TestClient(redis_app, base_url="http://testserver.local") as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "database": "ok",
            "redis": "ok",
            "worker": "no heartbeat",
        }
        # Intake goes on without workers (the outbox keeps the jobs): the load balancer's check stays green.
        assert client.get("/healthz").status_code == 200

        broker = dramatiq.get_broker()
        worker = Worker(broker, worker_threads=2, worker_timeout=100)
        scheduler = Scheduler(get_settings(), broker)
        worker.start()
        scheduler.start()
        try:
            wait_for(lambda: client.get("/readyz").status_code == 200, timeout=10)
        finally:
            scheduler.stop()
            worker.stop()
            broker.flush_all()


def test_it_is_not_ready_when_the_last_heartbeat_is_stale(redis_app):
    with TestClient(redis_app, base_url="http://testserver.local") as client:
        # A worker beat two minutes ago and was not heard of since (killed, or its supervisor gave up).
        settings = get_settings()
        redis_client(REDIS_URL).set(f"{settings.queue.namespace}:worker-heartbeat", repr(time.time() - 120))
        response = client.get("/readyz")
        assert response.status_code == 503
        # 121 when the request itself took a second on a busy machine.
        assert response.json()["worker"] in ("last heartbeat 120s ago", "last heartbeat 121s ago")
        assert client.get("/healthz").status_code == 200


def test_it_says_when_redis_does_not_answer(settings, monkeypatch):
    monkeypatch.setenv("LANDFORM_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    get_settings.cache_clear()
    from landform.app import create_app

    with TestClient(create_app(get_settings()), base_url="http://testserver.local") as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["redis"] == "unreachable"
        assert client.get("/healthz").status_code == 200
