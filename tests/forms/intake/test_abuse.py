"""Bots and floods never reach the CRM: spam is kept aside, replays are one lead, bursts get 429."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from landform.crm_sink.models import Contact, Submission
from landform.forms.models import SpamSubmission
from tests.conftest import form_token, log_in, make_form, post_form, wait_for


def _count(db, model) -> int:
    db.expire_all()
    return db.execute(select(func.count(model.id)).execution_options(all_tenants=True)).scalar_one()


def test_it_keeps_spam_aside_and_a_person_can_release_it(client, db, owner):
    form = make_form(db, owner)
    response = client.post(
        f"/f/{form.key}",
        json={"first_name": "Maybe", "email": "maybe@example.com", "homepage_url": "autofilled"},
    )
    assert response.status_code == 201
    assert _count(db, Submission) == 0
    spam = db.execute(select(SpamSubmission).execution_options(all_tenants=True)).scalar_one()
    assert (spam.reason, spam.answers["email"]) == ("honeypot", "maybe@example.com")

    log_in(client, owner)
    page = client.get(f"/app/forms/{form.id}/spam")
    assert "maybe@example.com" in page.text
    post_form(client, f"/app/forms/{form.id}/spam/{spam.id}/release")
    contact = wait_for(
        lambda: (
            db.expire_all(),
            db.execute(select(Contact).execution_options(all_tenants=True)).scalar_one_or_none(),
        )[1]
    )
    assert contact.email == "maybe@example.com"
    submission = db.execute(select(Submission).execution_options(all_tenants=True)).scalar_one()
    assert submission.context["source"] == "released"
    # Releasing twice does not make a second lead.
    post_form(client, f"/app/forms/{form.id}/spam/{spam.id}/release")
    assert _count(db, Submission) == 1


def test_it_stores_a_double_click_once(client, db, owner):
    form = make_form(db, owner)
    token = form_token(client, f"/f/{form.key}")
    body = {"first_name": "Dub", "email": "dub@example.com", "_lf_token": token}
    first, second = client.post(f"/f/{form.key}", json=body), client.post(f"/f/{form.key}", json=body)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert _count(db, Submission) == 1


def test_it_refuses_a_burst_over_the_limit_with_429_and_retry_after(client, db, owner, monkeypatch, settings):
    form = make_form(db, owner)
    limit = settings.security.intake_limit_per_ip
    statuses = []
    for n in range(limit + 3):
        token = form_token(client, f"/f/{form.key}")
        response = client.post(
            f"/f/{form.key}", json={"first_name": "Flood", "email": f"f{n}@example.com", "_lf_token": token}
        )
        statuses.append(response.status_code)
    assert statuses[:limit] == [201] * limit
    assert statuses[limit:] == [429] * 3
    assert int(response.headers["retry-after"]) > 0
    assert _count(db, Submission) == limit


def test_it_trusts_forwarded_addresses_only_from_configured_proxies(db, owner, monkeypatch, settings):
    from litestar.testing import TestClient

    from landform.app import create_app
    from landform.core.settings import get_settings

    monkeypatch.setenv("LANDFORM_TRUSTED_PROXIES", "testclient")
    monkeypatch.setenv("LANDFORM_INTAKE_LIMIT_PER_IP", "2")
    get_settings.cache_clear()
    form = make_form(db, owner)
    with TestClient(create_app(get_settings()), base_url="http://testserver.local") as client:

        def send(forwarded: str) -> int:
            token = form_token(client, f"/f/{form.key}")
            return client.post(
                f"/f/{form.key}",
                json={"first_name": "P", "email": "p@example.com", "_lf_token": token},
                headers={"X-Forwarded-For": forwarded},
            ).status_code

        # Behind the proxy, each visitor has an allowance of their own.
        assert [send("203.0.113.1"), send("203.0.113.1"), send("203.0.113.1")] == [201, 201, 429]
        assert send("203.0.113.2") == 201


def test_it_forgets_spam_after_thirty_days(client, db, owner, settings):
    from datetime import timedelta

    from landform.core.db import utcnow
    from landform.forms.spam_folder.services import purge_old_spam_job

    form = make_form(db, owner)
    for email in ("old@example.com", "new@example.com"):
        client.post(f"/f/{form.key}", json={"first_name": "Bot", "email": email, "homepage_url": "x"})
    old = db.execute(select(SpamSubmission).execution_options(all_tenants=True)).scalars().all()[0]
    old.created_at = utcnow() - timedelta(days=31)
    db.commit()
    assert purge_old_spam_job(settings) == 1
    assert _count(db, SpamSubmission) == 1


def _redis_client_app(monkeypatch, namespace: str, **limits: str):
    """A fresh app as production runs it: Redis for the broker and the rate limits (counted with INCR)."""
    from litestar.testing import TestClient

    from landform.app import create_app
    from landform.core.settings import get_settings
    from tests.conftest import REDIS_URL, redis_available

    redis_available()
    monkeypatch.setenv("LANDFORM_REDIS_URL", REDIS_URL)
    monkeypatch.setenv("LANDFORM_QUEUE_NAMESPACE", namespace)
    for name, value in limits.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return TestClient(create_app(get_settings()), base_url="http://testserver.local")


def _flood(client, form, count: int, prefix: str) -> list[int]:
    statuses = []
    for n in range(count):
        token = form_token(client, f"/f/{form.key}")
        response = client.post(
            f"/f/{form.key}",
            json={"first_name": "Flood", "email": f"{prefix}{n}@example.com", "_lf_token": token},
        )
        statuses.append(response.status_code)
    return statuses


def test_on_redis_both_limits_count_across_app_processes_and_say_what_is_left(db, owner, monkeypatch):
    form = make_form(db, owner)
    other_form = make_form(db, owner)
    limits = {"LANDFORM_INTAKE_LIMIT_PER_IP": "5", "LANDFORM_INTAKE_LIMIT_PER_FORM": "3"}
    namespace = (
        f"landform-test-{uuid.uuid4().hex[:8]}"  # one Redis namespace: two processes of one deployment
    )
    with (
        _redis_client_app(monkeypatch, namespace, **limits) as first,
        _redis_client_app(monkeypatch, namespace, **limits) as second,
    ):
        # Two app processes share the count: the form's allowance of 3 is used up across them.
        assert _flood(first, form, 2, "a") == [201, 201]
        token = form_token(second, f"/f/{form.key}")
        third = second.post(
            f"/f/{form.key}", json={"first_name": "F", "email": "c@example.com", "_lf_token": token}
        )
        assert third.status_code == 201
        # The headers name the limit closest to running out: the form's (0 left), not the address's (2 left).
        assert (third.headers["ratelimit-limit"], third.headers["ratelimit-remaining"]) == ("3", "0")
        refused = second.post(
            f"/f/{form.key}", json={"first_name": "F", "email": "d@example.com", "_lf_token": token}
        )
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        # Another form has its own allowance, but the address's allowance of 5 is shared.
        assert _flood(first, other_form, 3, "e") == [201, 429, 429]
    assert _count(db, Submission) == 4


def test_on_redis_the_limits_let_leads_through_when_redis_stops_answering(db, owner, monkeypatch):
    form = make_form(db, owner)
    namespace = f"landform-test-{uuid.uuid4().hex[:8]}"
    with _redis_client_app(monkeypatch, namespace, LANDFORM_INTAKE_LIMIT_PER_IP="1") as client:
        token = form_token(client, f"/f/{form.key}")

        async def down(*_args, **_kwargs):
            raise ConnectionError("Redis is down")

        monkeypatch.setattr("landform.core.ratelimit.count_hits", down)
        statuses = [
            client.post(
                f"/f/{form.key}", json={"first_name": "F", "email": "x@example.com", "_lf_token": token}
            ).status_code,
            client.post(
                f"/f/{form.key}",
                json={
                    "first_name": "Y",
                    "email": "y@example.com",
                    "_lf_token": form_token(client, f"/f/{form.key}"),
                },
            ).status_code,
        ]
    assert statuses == [201, 201]
    assert _count(db, Submission) == 2
