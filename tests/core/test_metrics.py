"""GET /metrics: requests by route, submissions by outcome, job latency and failures, the queue."""

from __future__ import annotations

import dramatiq
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from landform.core.metrics import WorkerObservability
from landform.core.settings import get_settings
from landform.crm_sink.models import Activity
from tests.conftest import form_token, make_form, wait_for

JSON = {"Accept": "application/json"}


def _samples(client, **headers) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_it_counts_submissions_requests_and_routing(client, db, owner):
    form = make_form(db, owner)
    before = _samples(client)
    token = form_token(client, f"/f/{form.key}")
    accepted = client.post(
        f"/f/{form.key}", json={"first_name": "Anna", "email": "a@example.com", "_lf_token": token}
    )
    assert accepted.status_code == 201, accepted.text
    honeypot = {"email": "bot@example.com", "homepage_url": "x"}
    assert client.post(f"/f/{form.key}", json=honeypot, headers=JSON).status_code == 201
    wait_for(lambda: db.execute(select(Activity).execution_options(all_tenants=True)).first())

    after = wait_for(
        lambda: (
            (s := _samples(client))
            and _value(s, "landform_job_latency_seconds_count", actor="route_submission")
            > _value(before, "landform_job_latency_seconds_count", actor="route_submission")
            and s
        )
    )
    for outcome in ("accepted", "spam"):
        assert _value(after, "landform_submissions_total", outcome=outcome) == (
            _value(before, "landform_submissions_total", outcome=outcome) + 1
        )
    posted = {"app_name": "landform", "method": "POST", "path": "/f/{form_key}", "status_code": "201"}
    assert _value(after, "landform_http_requests_total", **posted) >= 2
    text = client.get("/metrics").text
    assert "# TYPE landform_outbox_pending_jobs gauge" in text
    assert "a@example.com" not in text


def test_it_reports_jobs_waiting_in_the_outbox(client, db, owner, monkeypatch):
    form = make_form(db, owner)
    # The broker refuses every job: submissions are stored and wait in the outbox.
    monkeypatch.setattr("landform.core.jobs.handoff.send", lambda actor_name, job_id: False)
    for n in range(2):
        token = form_token(client, f"/f/{form.key}")
        client.post(
            f"/f/{form.key}", json={"first_name": "W", "email": f"w{n}@example.com", "_lf_token": token}
        )
    samples = _samples(client)
    assert _value(samples, "landform_outbox_pending_jobs", actor="route_submission") == 2
    assert _value(samples, "landform_outbox_oldest_pending_seconds", actor="route_submission") >= 0


def test_it_wants_the_token_when_one_is_set(settings, monkeypatch):
    monkeypatch.setenv("LANDFORM_METRICS_TOKEN", "scrape-me")
    get_settings.cache_clear()
    from litestar.testing import TestClient

    from landform.app import create_app

    with TestClient(create_app(get_settings()), base_url="http://testserver.local") as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200


def test_it_counts_jobs_that_fail_on_a_worker():
    from landform.core.metrics import JOB_FAILURES

    broker = StubBroker()
    broker.add_middleware(WorkerObservability())

    @dramatiq.actor(broker=broker, actor_name="always_fails_for_metrics", max_retries=0)
    def always_fails() -> None:
        raise RuntimeError("the SMTP server is down")

    before = JOB_FAILURES.labels("always_fails_for_metrics")._value.get()
    worker = Worker(broker, worker_timeout=50)
    worker.start()
    try:
        always_fails.send()
        broker.join(always_fails.queue_name, fail_fast=False)
        worker.join()
    finally:
        worker.stop()
    assert JOB_FAILURES.labels("always_fails_for_metrics")._value.get() == before + 1
