"""Zero loss, zero duplicates: real `landform` processes on PostgreSQL and their own Redis, hurt on purpose.

A worker is killed with SIGKILL while a batch's transaction is open, Redis is stopped while submissions
arrive, both come back: every accepted submission is routed exactly once. Several app processes taking
the same address at once make one contact.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import wait_for
from tests.server import LANDFORM, RunningLandform, free_port, landform_server, wait_until_healthy
from tests.test_end_to_end import _fresh_postgres_url

pytestmark = pytest.mark.redis


@contextmanager
def own_redis(tmp: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class RedisServer:
    """A redis-server of this test's own on a free port (never the shared one), which it may stop."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.dir = tmp / "redis"
        self.dir.mkdir(exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if not Path("/usr/bin/redis-server").exists():
            pytest.skip("redis-server is not installed")
        # No persistence: a restarted Redis has forgotten every queued message; the outbox must not care.
        self.process = subprocess.Popen(
            ["/usr/bin/redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _redis_answers(self.port), timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def _redis_answers(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


class Visitors:
    """Sends submissions to the demo form and remembers every one that was accepted (201)."""

    def __init__(self, base_urls: list[str], form_key: str) -> None:
        self.base_urls = base_urls
        self.form_key = form_key
        self.accepted: list[str] = []
        self.lock = threading.Lock()

    def submit(self, n: int, email: str) -> None:
        base = self.base_urls[n % len(self.base_urls)]
        with httpx.Client(base_url=base, timeout=30) as http:
            html = http.get(f"/f/{self.form_key}").text
            token = re.search(r'name="_lf_token" value="([^"]+)"', html)
            assert token, html[:500]
            response = http.post(
                f"/f/{self.form_key}",
                json={
                    "first_name": f"Lead{n}",
                    "last_name": "Smit",
                    "email": email,
                    "_lf_token": token.group(1),
                },
                headers={"Accept": "application/json"},
            )
        assert response.status_code == 201, response.text
        with self.lock:
            self.accepted.append(email.casefold())

    def burst(self, numbers: range, email_of, threads: int = 4) -> None:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda n: self.submit(n, email_of(n)), numbers))


def _counts(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            """
            SELECT
              (SELECT count(*) FROM submission),
              (SELECT count(*) FROM submission WHERE routed_at IS NOT NULL),
              (SELECT count(*) FROM contact),
              -- Only the activities of leads: the demo also seeds notes, calls, tasks and stage changes.
              (SELECT count(*) FROM activity WHERE submission_id IS NOT NULL),
              (SELECT count(DISTINCT submission_id) FROM activity),
              (SELECT count(*) FROM outbox_job WHERE actor_name = 'route_submission' AND done_at IS NULL)
            """
        ).fetchone()
    assert row is not None
    keys = ("submissions", "routed", "contacts", "activities", "activity_submissions", "pending_jobs")
    return dict(zip(keys, row, strict=True))


def _batch_in_flight(database_url: str) -> bool:
    """A worker's routing transaction is open and has written (its locks held, nothing committed)."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        return bool(
            connection.execute(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                  AND backend_xid IS NOT NULL
                  AND (query ILIKE '%%unnest%%' OR query ILIKE '%%FROM contact%%FOR UPDATE%%')
                """
            ).fetchone()[0]  # type: ignore[index]
        )


def _environment(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        "LANDFORM_DATABASE_URL": database_url,
        "LANDFORM_REDIS_URL": redis_url,
        "LANDFORM_QUEUE_NAMESPACE": f"landform-faults-{os.getpid()}",
        "LANDFORM_OUTBOX_REDISPATCH_SECONDS": "2",
        "LANDFORM_OUTBOX_SWEEP_SECONDS": "1",
        "LANDFORM_FORM_MIN_SECONDS": "0",
        "LANDFORM_INTAKE_LIMIT_PER_IP": "1000000",
        "LANDFORM_INTAKE_LIMIT_PER_FORM": "1000000",
    }


def _expect_exactly_once(database_url: str, accepted: list[str]) -> None:
    def settled() -> dict[str, int] | None:
        counts = _counts(database_url)
        return counts if counts["routed"] == counts["submissions"] and not counts["pending_jobs"] else None

    counts = wait_for(settled, timeout=120, interval=0.5)
    demo_leads = counts["submissions"] - len(accepted)
    assert demo_leads >= 0
    assert counts["submissions"] == len(accepted) + demo_leads  # every accepted lead stored
    assert counts["activities"] == counts["activity_submissions"] == counts["submissions"]  # once each
    with psycopg.connect(database_url) as connection:
        emails = [row[0] for row in connection.execute("SELECT email_key FROM contact")]
    assert len(emails) == len(set(emails))  # no duplicate contact
    assert set(accepted) <= set(emails)  # no lost lead


def test_it_routes_every_lead_exactly_once_through_a_killed_worker_and_a_redis_outage(tmp_path):
    database_url = _fresh_postgres_url(f"landform_faults_{os.getpid()}")
    with own_redis(tmp_path) as redis_server:
        overrides = _environment(database_url, redis_server.url)
        with landform_server(tmp_path, **overrides) as landform:
            visitors = Visitors([landform.base_url], landform.demo["form_key"])

            def address(n: int) -> str:
                return f"lead{n % 40}@example{n % 7}.nl"  # addresses come back: updates, not new contacts

            # 1. A worker killed without warning while a batch's transaction is open.
            worker = landform.start(
                "worker", "--processes", "1", "--threads", "4", log=tmp_path / "worker.log"
            )
            stop = threading.Event()

            failures: list[BaseException] = []

            def keep_submitting() -> None:
                n = 0
                try:
                    while not stop.is_set():
                        visitors.submit(n, address(n))
                        n += 1
                except BaseException as error:
                    failures.append(error)
                    raise

            sender = threading.Thread(target=keep_submitting)
            sender.start()
            try:
                wait_for(lambda: failures or _batch_in_flight(database_url), timeout=60, interval=0.002)
                assert not failures, failures
                landform.stop(worker, signal.SIGKILL)
            finally:
                stop.set()
                sender.join()
            killed_at = len(visitors.accepted)
            assert killed_at > 0

            # 2. Redis goes away while visitors keep coming: they are answered, the leads wait.
            redis_server.stop()
            visitors.burst(range(1000, 1060), address)
            assert len(visitors.accepted) == killed_at + 60

            # 3. Both come back (Redis empty: every queued message is lost); the outbox sends again.
            redis_server.start()
            landform.start("worker", "--processes", "1", "--threads", "4", log=tmp_path / "worker.log")
            visitors.burst(range(2000, 2040), address)
            _expect_exactly_once(database_url, visitors.accepted)


def _another_app(landform: RunningLandform, tmp: Path, name: str) -> str:
    port = free_port()
    env = {**landform.env, "LANDFORM_PORT": str(port)}
    log = tmp / f"{name}.log"
    process = subprocess.Popen(
        [LANDFORM, "run"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )
    landform.processes.append(process)
    base_url = f"http://127.0.0.1:{port}"
    wait_until_healthy(base_url, process, log)
    return base_url


def test_the_same_address_from_several_app_processes_at_once_is_one_contact(tmp_path):
    database_url = _fresh_postgres_url(f"landform_same_{os.getpid()}")
    with own_redis(tmp_path) as redis_server:
        overrides = _environment(database_url, redis_server.url)
        with landform_server(tmp_path, **overrides) as landform:
            apps = [
                landform.base_url,
                _another_app(landform, tmp_path, "app2"),
                _another_app(landform, tmp_path, "app3"),
            ]
            landform.start("worker", "--processes", "2", "--threads", "4", log=tmp_path / "worker.log")
            visitors = Visitors(apps, landform.demo["form_key"])
            visitors.burst(
                range(60), lambda n: "Same.Person@Example.com" if n % 2 else "other@example.com", threads=9
            )
            assert len(visitors.accepted) == 60
            _expect_exactly_once(database_url, visitors.accepted)
            with psycopg.connect(database_url) as connection:
                same = connection.execute(
                    "SELECT count(*) FROM contact WHERE email_key = 'same.person@example.com'"
                ).fetchone()
            assert same == (1,)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
