"""A newcomer's path through the real `landform` command: start, open the demo page, submit, find the lead."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import POSTGRES_ADMIN_URL, REDIS_URL, redis_available, unavailable, wait_for
from tests.server import RunningLandform, environment, free_port, landform_server


def _submit_like_a_browser(base_url: str, page_url: str, email: str) -> httpx.Response:
    page = httpx.get(page_url, headers={"Accept-Language": "nl"})
    assert page.status_code == 200
    assert "set-cookie" not in page.headers
    action = re.search(r'<form class="lf-form" method="post" action="([^"]+)"', page.text).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    time.sleep(1.1)  # a person takes a moment; faster is a bot
    return httpx.post(
        base_url + action,
        data={**hidden, "first_name": "Fenna", "last_name": "Smit", "email": email, "phone": "06-12345678"},
        headers={"Accept": "text/html", "Accept-Language": "nl"},
    )


def _find_contact(base_url: str, api_key: str, email: str) -> dict:
    def lookup():
        response = httpx.get(
            f"{base_url}/api/v1/contacts",
            params={"email": email},
            headers={"Authorization": f"Bearer {api_key}"},
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]

    return wait_for(lookup, timeout=30)[0]


def test_it_runs_the_embedded_default_end_to_end(tmp_path):
    with landform_server(tmp_path) as landform:
        demo = landform.demo
        assert set(demo) >= {
            "tenant_slug",
            "page_url",
            "form_key",
            "api_key",
            "login_email",
            "login_password",
        }
        response = _submit_like_a_browser(landform.base_url, demo["page_url"], "fenna@example.nl")
        assert response.status_code == 200
        assert "Bedankt" in response.text
        contact = _find_contact(landform.base_url, demo["api_key"], "fenna@example.nl")
        assert (contact["first_name"], contact["phone"]) == ("Fenna", "+31612345678")
        # Seeding again changes nothing and prints the same object.
        assert json.loads(landform.command("demo").strip().splitlines()[-1]) == demo


def _fresh_postgres_url(name: str) -> str:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        unavailable("PostgreSQL", str(error).strip())
    return re.sub(r"/[^/]*$", f"/{name}", POSTGRES_ADMIN_URL)


def test_it_runs_on_postgresql_and_redis_with_worker_processes_that_may_die(tmp_path):
    redis_available()
    database_url = _fresh_postgres_url(f"landform_e2e_{os.getpid()}")
    overrides = {
        "LANDFORM_DATABASE_URL": database_url,
        "LANDFORM_REDIS_URL": REDIS_URL,
        "LANDFORM_QUEUE_NAMESPACE": f"landform-e2e-{int(time.time())}",
        "LANDFORM_OUTBOX_REDISPATCH_SECONDS": "2",
        "LANDFORM_OUTBOX_SWEEP_SECONDS": "1",
    }
    with landform_server(tmp_path, **overrides) as landform:
        demo = landform.demo
        worker = landform.start("worker", "--processes", "1", "--threads", "4", log=tmp_path / "worker.log")
        assert (
            _submit_like_a_browser(landform.base_url, demo["page_url"], "first@example.nl").status_code == 200
        )
        _find_contact(landform.base_url, demo["api_key"], "first@example.nl")

        # A worker killed without warning, submissions arriving meanwhile: delayed, never lost.
        landform.stop(worker, signal.SIGKILL)
        for n in range(3):
            assert (
                _submit_like_a_browser(landform.base_url, demo["page_url"], f"late{n}@example.nl").status_code
                == 200
            )
        landform.start("worker", "--processes", "1", "--threads", "4", log=tmp_path / "worker.log")
        for n in range(3):
            _find_contact(landform.base_url, demo["api_key"], f"late{n}@example.nl")
        everyone = httpx.get(
            f"{landform.base_url}/api/v1/contacts",
            params={"limit": 100},
            headers={"Authorization": f"Bearer {demo['api_key']}"},
        ).json()
        emails = [c["email"] for c in everyone["data"]]
        assert len(emails) == len(set(emails)) == 3 + 4  # three demo leads and four new ones, no duplicates


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def _intake_statuses(landform, forged: list[str]) -> list[int]:
    """POST to the demo form once per forged X-Forwarded-For value, from this one loopback client."""
    url = f"{landform.base_url}/f/{landform.demo['form_key']}"
    return [
        httpx.post(url, data={"email": "x@example.nl"}, headers={"X-Forwarded-For": ip}).status_code
        for ip in forged
    ]


def test_it_believes_x_forwarded_for_only_from_the_trusted_proxies(tmp_path):
    forged = [f"203.0.113.{n}" for n in range(1, 5)]
    (tmp_path / "alone").mkdir()
    with landform_server(tmp_path / "alone", LANDFORM_INTAKE_LIMIT_PER_IP="3") as landform:
        # No trusted proxy: whatever the header says, this is one client, and its fourth POST is refused.
        statuses = _intake_statuses(landform, forged)
        assert 429 not in statuses[:3] and statuses[3] == 429, statuses
    (tmp_path / "proxied").mkdir()
    with landform_server(
        tmp_path / "proxied", LANDFORM_INTAKE_LIMIT_PER_IP="3", LANDFORM_TRUSTED_PROXIES="127.0.0.1"
    ) as landform:
        # Behind a proxy on 127.0.0.1 the header names the visitor: four visitors, one POST each.
        assert 429 not in _intake_statuses(landform, forged)


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_it_exits_non_zero_when_one_of_its_worker_processes_is_killed(tmp_path):
    """dramatiq does not restart a dead worker process: the whole `landform worker` exits with an error
    at once, and its supervisor (systemd's Restart=always, a container's restart policy) starts it again."""
    redis_available()
    landform = RunningLandform(
        base_url="",
        env=environment(
            tmp_path,
            free_port(),
            LANDFORM_REDIS_URL=REDIS_URL,
            LANDFORM_QUEUE_NAMESPACE=f"landform-e2e-kill-{os.getpid()}",
        ),
    )
    landform.command("db", "upgrade")
    log = tmp_path / "worker.log"
    worker = landform.start("worker", "--processes", "2", "--threads", "2", log=log)
    try:
        wait_for(lambda: log.read_text().count("Worker process is ready for action.") == 2, timeout=60)
        victim = _children(worker.pid)[0]
        os.kill(victim, signal.SIGKILL)
        assert worker.wait(timeout=30) != 0
        assert "exited unexpectedly" in log.read_text()
    finally:
        landform.stop(worker, signal.SIGKILL)
