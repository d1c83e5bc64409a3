"""Fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL, Redis and Chromium are required in CI (CI=true): there a missing service fails the run
instead of skipping. On a newcomer's machine without them those tests skip and say why.
"""

from __future__ import annotations

import contextlib
import email
import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
import redis
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from landform.accounts.models import Role, Tenant, User
from landform.core import memo, security
from landform.core.db import scope_to_tenant, sync_engine, sync_session, utcnow
from landform.core.migrate import upgrade
from landform.core.settings import DatabaseSettings, Settings, get_settings
from landform.forms.builder.services import new_form, publish
from landform.forms.models import Form
from landform.models import metadata
from landform.ops import schedule
from landform.site import services as site_services
from landform.site.models import Page
from landform.wiring import wire

wire()  # tests call the domains' services directly, as the app and workers do once wired

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_ADMIN_URL = os.environ.get(
    "LANDFORM_TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
# One database per test process, so two test runs on one machine do not drop each other's.
POSTGRES_DB = os.environ.get("LANDFORM_TEST_POSTGRES_DB", f"landform_test_{os.getpid()}")
# pytest-xdist runs `make test` in several processes (gw0, gw1, ...): each gets a Redis database of its own
# (1, 2, ...), so their rate limits, heartbeats and queues never meet; a plain run uses database 15.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_REDIS_DB = 1 + int(_XDIST_WORKER.removeprefix("gw")) if _XDIST_WORKER.startswith("gw") else 15
# LANDFORM_TEST_REDIS_SERVER: another Redis server for the whole run (two people's suites on one machine).
_REDIS_SERVER = os.environ.get("LANDFORM_TEST_REDIS_SERVER", "redis://127.0.0.1:6379").rstrip("/")
REDIS_URL = os.environ.get("LANDFORM_TEST_REDIS_URL", f"{_REDIS_SERVER}/{_REDIS_DB}")
PASSWORD = "correct horse battery"

# Argon2 at production cost takes about 0.4 s a hash on this machine, and every test user, log-in and
# sign-up pays it. Tests hash with the same algorithm (argon2id) at the lowest cost instead; the cost
# itself is argon2-cffi's default, which tests/accounts/test_auth.py does not need to re-measure.
security._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
security._DUMMY_HASH = security._hasher.hash("not anyone's password")


def unavailable(what: str, reason: str) -> None:
    """Skip on a newcomer's machine; fail in CI, where every service must be there."""
    message = f"{what} is not available ({reason})"
    if IN_CI:
        pytest.fail(message + ": CI must run these tests", pytrace=False)
    pytest.skip(message)


def _postgres_url() -> str:
    admin = POSTGRES_ADMIN_URL
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DB}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{POSTGRES_DB}"')
    except psycopg.Error as error:
        unavailable("PostgreSQL", str(error).strip().splitlines()[0] if str(error).strip() else "no answer")
    return re.sub(r"/[^/]*$", f"/{POSTGRES_DB}", admin)


# The PostgreSQL variant connects as an ordinary role (no superuser, not the tables' owner), as the app
# and workers do in production (docs/deploy.md), so row-level security applies to everything the tests
# and the app do: a cross-tenant query that forgets `all_tenants` fails here, not in production.
# Backups get the owner's URL (LANDFORM_BACKUP_DATABASE_URL), as in production.
# LANDFORM_TEST_POSTGRES_AS_APP=0 connects as the owner instead.
AS_APP_ROLE = os.environ.get("LANDFORM_TEST_POSTGRES_AS_APP", "1") == "1"
APP_ROLE = "landform_test_app"


def _as_app_role(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as connection:
        # Shared by concurrent test runs: whichever creates it first wins the race.
        with contextlib.suppress(psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
            connection.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
        connection.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
        connection.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}"
        )
        connection.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    return re.sub(r"://[^@/]*@", f"://{APP_ROLE}@", url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database, once per backend per test run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'landform.sqlite3'}"
    else:
        url = _postgres_url()
    upgrade(Settings(database=DatabaseSettings(url=url)))
    if not (AS_APP_ROLE and request.param == "postgresql"):
        return url
    app_url = _as_app_role(url)
    OWNER_URLS[app_url] = url
    return app_url


# The owner's URL of each application-role URL: emptying tables and backups see every row.
OWNER_URLS: dict[str, str] = {}


def _empty_tables(url: str) -> None:
    engine = sync_engine(DatabaseSettings(url=url).sync_url)
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    # DELETE, children first, rather than TRUNCATE: a test leaves a few rows, and PostgreSQL's TRUNCATE of
    # fifty tables costs about a second (new files for each) where DELETE costs milliseconds.
    with engine.begin() as connection:
        for table in tables:
            connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings for one test: an empty database, a private data directory, no form time trap."""
    _empty_tables(OWNER_URLS.get(database_url, database_url))
    memo.forget_everything()  # rows the last test's app remembered are gone from the database
    env = {
        "LANDFORM_DATABASE_URL": database_url,
        "LANDFORM_DATA_DIR": str(tmp_path / "var"),
        "LANDFORM_SECRET_KEY": "test-secret-key",
        "LANDFORM_FORM_MIN_SECONDS": "0",
        # Tests send many submissions from one address; tests of the proof of work lower it.
        "LANDFORM_PROOF_OF_WORK_AFTER": "100000",
        "LANDFORM_OUTBOX_SWEEP_SECONDS": "0.2",
        "LANDFORM_BASE_URL": "http://testserver.local",
    }
    if database_url in OWNER_URLS:
        env["LANDFORM_BACKUP_DATABASE_URL"] = OWNER_URLS[database_url]
    for name in (
        "LANDFORM_REDIS_URL",
        "LANDFORM_SMTP_URL",
        "LANDFORM_BACKUP_DATABASE_URL",
        "LANDFORM_PRIVACY_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _only_interval_jobs_in_the_embedded_scheduler(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's scheduler keeps its interval jobs (the outbox sweep, the heartbeat, scheduled publishing)
    but not the cron jobs. A test that travels in time (a month turns, day 8 of a deletion) would wake them:
    they would race the test's own call of the same job (which then finds nothing left to do) and take a
    full backup (pg_dump and a verifying restore: seconds) that the test waits for at shutdown. Tests call
    cron jobs themselves; the schedule and backup tests keep every job."""
    if request.node.path.name in {"test_backup.py", "test_schedule.py"}:
        return
    jobs = {name: job for name, job in schedule._schedule.items() if job.interval is not None}
    monkeypatch.setattr(schedule, "_schedule", jobs)


@pytest.fixture
def app(settings: Settings) -> Litestar:
    from landform.app import create_app

    return create_app(settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
def db(settings: Settings) -> Iterator[Session]:
    """A sync session for arranging and checking rows; it sees every tenant (row-level security too)."""
    with sync_session(settings.database.sync_url) as session:
        session.info["all_tenants"] = True
        yield session


def redis_available() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        unavailable("Redis", str(error))


@dataclass
class Persona:
    """A user of a tenant, with the objects a test usually needs of them."""

    user_id: UUID
    tenant_id: UUID
    tenant_slug: str
    email: str
    password: str = PASSWORD


def make_tenant(db: Session, slug: str, name: str) -> Tenant:
    tenant = Tenant(slug=slug, name=name, default_language="nl", country="NL")
    db.add(tenant)
    db.flush()
    return tenant


def make_user(db: Session, tenant: Tenant, email: str, role: Role, *, first_name: str = "Test") -> Persona:
    user = User(
        tenant_id=tenant.id,
        email=email,
        password_hash=security.hash_password(PASSWORD),
        first_name=first_name,
        last_name="User",
        language="en",
        role=role,
        email_confirmed_at=utcnow(),
    )
    db.add(user)
    db.commit()
    return Persona(user_id=user.id, tenant_id=tenant.id, tenant_slug=tenant.slug, email=email)


@pytest.fixture
def owner(db: Session) -> Persona:
    """The owner of tenant A ("acme")."""
    return make_user(
        db, make_tenant(db, "acme", "Acme Zonwering"), "owner@acme.example.com", Role.OWNER, first_name="Olga"
    )


@pytest.fixture
def marketer(db: Session, owner: Persona) -> Persona:
    tenant = db.get_one(Tenant, owner.tenant_id)
    return make_user(db, tenant, "marketer@acme.example.com", Role.MARKETER, first_name="Mark")


@pytest.fixture
def sales_rep(db: Session, owner: Persona) -> Persona:
    tenant = db.get_one(Tenant, owner.tenant_id)
    return make_user(db, tenant, "sales@acme.example.com", Role.SALES_REP, first_name="Sam")


@pytest.fixture
def stranger(db: Session) -> Persona:
    """The owner of another tenant ("globex"), who must never see tenant A's data."""
    return make_user(
        db,
        make_tenant(db, "globex", "Globex Kozijnen"),
        "owner@globex.example.com",
        Role.OWNER,
        first_name="Stan",
    )


PRIVACY_OFFICER = "privacy@landform.example.com"


@pytest.fixture
def privacy_officer(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """The operator's privacy contact (LANDFORM_PRIVACY_EMAIL), told of what is sent to Landform itself."""
    monkeypatch.setenv("LANDFORM_PRIVACY_EMAIL", PRIVACY_OFFICER)
    get_settings.cache_clear()
    return PRIVACY_OFFICER


def make_form(db: Session, persona: Persona, name: str = "Brochure request") -> Form:
    scope_to_tenant(db, persona.tenant_id)
    form = new_form(name)
    form.tenant_id = persona.tenant_id
    db.add(form)
    db.flush()
    publish(db, form)
    db.commit()
    return form


def republish(db: Session, form: Form) -> None:
    """Publish a form's draft after a test changed it directly."""
    publish(db, form)
    db.commit()


def make_page(
    db: Session, persona: Persona, form: Form | None, slug: str = "offer", published: bool = True
) -> Page:
    scope_to_tenant(db, persona.tenant_id)
    page = Page(
        tenant_id=persona.tenant_id,
        slug=slug,
        form_id=form.id if form else None,
        content={
            "nl": {"title": "Aanbieding", "headline": "Onze aanbieding", "body": "Lees **meer**."},
            "en": {"title": "Offer", "headline": "Our offer", "body": "Read **more**."},
        },
    )
    site_services.set_blocks(page, site_services.blocks_from_content(page.content, page.form_id))
    db.add(page)
    db.flush()
    if published:
        site_services.publish_sync(db, page)
    db.commit()
    return page


def csrf_token(client: TestClient[Litestar]) -> str:
    if "landform_csrf" not in client.cookies:
        client.get("/login")
    return client.cookies["landform_csrf"]


def post_form(
    client: TestClient[Litestar], url: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> Any:
    """POST like the dashboard's forms do, CSRF token included."""
    return client.post(url, data={"_csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def log_in(client: TestClient[Litestar], persona: Persona) -> None:
    response = post_form(
        client, "/login", {"email": persona.email, "password": persona.password}, follow_redirects=False
    )
    assert response.status_code == 302 or response.status_code == 303, response.text
    assert client.cookies.get("landform_session")


def form_token(client: TestClient[Litestar], url: str) -> str:
    """The time-trap token a hosted page or form hands out."""
    html = client.get(url).text
    match = re.search(r'name="_lf_token" value="([^"]+)"', html)
    assert match, "no form token on " + url
    return match.group(1)


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05) -> Any:
    """Poll until the background worker has done its part."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
        time.sleep(interval)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str, subject_part: str = "") -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address and subject_part in str(m["Subject"])]

    def wait(self, address: str, subject_part: str = "", count: int = 1) -> email.message.EmailMessage:
        return wait_for(
            lambda: len(self.to(address, subject_part)) >= count and self.to(address, subject_part)[-1]
        )


@pytest.fixture
def inbox(settings, monkeypatch) -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on localhost; the worker delivers the e-mails to it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    monkeypatch.setenv("LANDFORM_SMTP_URL", f"smtp://127.0.0.1:{port}")
    get_settings.cache_clear()
    yield handler
    server.stop()
