"""A production rehearsal: Caddy terminating TLS in front of two app processes and two `landform worker`
processes on PostgreSQL and Redis, as docs/deploy.md describes, with the Caddyfile taken from that page.

Everything runs as subprocesses on free loopback ports and is killed when the module ends. The client
connects from other loopback addresses (127.0.0.2, 127.0.0.3, ...) than Caddy's (127.0.0.1), so the
address the app believes can be told apart from the proxy's and from a forged header.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from landform.accounts.models import Tenant
from landform.billing.models import Subscription
from landform.core.db import sync_session
from landform.core.settings import DatabaseSettings
from landform.site.models import SiteDomain
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    REDIS_URL,
    Inbox,
    _as_app_role,
    redis_available,
    unavailable,
    wait_for,
)
from tests.server import RunningLandform, environment, free_port, wait_until_healthy

DEPLOY_MD = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
CUSTOM_HOST = "go.rehearsal.test"
PENDING_HOST = "soon.rehearsal.test"
INTAKE_LIMIT = 3
# Start-up (migrations, the demo, four processes, Caddy) is most of it: about 40 s on an idle machine.
pytestmark = pytest.mark.timeout(180)


def caddyfile(*, apps: list[str], https_port: int, http_port: int, storage: Path) -> str:
    """deploy.md's Caddyfile, pointed at this rehearsal's processes and told to use its own CA."""
    blocks = re.findall(r"```caddyfile\n(.*?)```", DEPLOY_MD.read_text(), re.DOTALL)
    assert len(blocks) == 1, "docs/deploy.md should show one Caddyfile, the one rehearsed here"
    text = blocks[0].replace("forms.example.com", "https://127.0.0.1")
    text = text.replace("10.0.0.11:8000", apps[0]).replace("10.0.0.12:8000", apps[1])
    # `local_certs` is `tls internal` for every site (the on-demand ones too); nothing is installed in the
    # system's trust store, and Caddy's state stays in this test's directory.
    rehearsal_options = (
        f"\tadmin off\n\tstorage file_system {storage}\n\tlocal_certs\n\tskip_install_trust\n"
        f"\thttp_port {http_port}\n\thttps_port {https_port}\n"
    )
    return text.replace("{\n", "{\n" + rehearsal_options, 1)


@dataclass
class Rehearsal:
    base_url: str
    root_ca: Path
    demo: dict[str, Any]
    inbox: Inbox
    https_port: int

    def client(self, source: str) -> httpx.Client:
        """A browser on loopback address SOURCE that trusts Caddy's internal root and nothing else."""
        context = ssl.create_default_context(cafile=str(self.root_ca))
        return httpx.Client(
            base_url=self.base_url,
            verify=context,
            transport=httpx.HTTPTransport(local_address=source, verify=context),
            timeout=20,
        )


def _fresh_database(name: str) -> str:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        unavailable("PostgreSQL", str(error).strip() or "no answer")
    return re.sub(r"/[^/]*$", f"/{name}", POSTGRES_ADMIN_URL)


def _drop_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _give_the_demo_tenant_a_custom_host(owner_url: str, slug: str) -> None:
    """A Business tenant with one verified host and one still pending, as the domains screen leaves them."""
    url = DatabaseSettings(url=owner_url).sync_url
    with sync_session(url) as db:
        tenant_id = db.scalar(select(Tenant.id).where(Tenant.slug == slug))
    with sync_session(url, tenant_id) as db:
        subscription = db.scalar(select(Subscription).where(Subscription.tenant_id == tenant_id))
        if subscription is None:
            subscription = Subscription(tenant_id=tenant_id)
            db.add(subscription)
        subscription.plan, subscription.status = "business", "active"
        db.add(SiteDomain(host=CUSTOM_HOST, token="t1", status="verified"))
        db.add(SiteDomain(host=PENDING_HOST, token="t2", status="pending"))
        db.commit()


def _wait_for_tls(url: str, root_ca: Path, caddy: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if caddy.poll() is not None:
            raise AssertionError(f"caddy exited:\n{log.read_text()[-3000:]}")
        if root_ca.exists():
            try:
                if httpx.get(f"{url}/healthz", verify=str(root_ca), timeout=2).status_code == 200:
                    return
            except (httpx.HTTPError, ssl.SSLError):
                pass
        time.sleep(0.2)
    raise AssertionError(f"caddy did not serve {url}:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rehearsal]:
    caddy_binary = shutil.which("caddy")
    if caddy_binary is None:
        unavailable("caddy", "not on PATH (Debian's package `caddy`)")
    redis_available()
    tmp = tmp_path_factory.mktemp("rehearsal")
    database = f"landform_rehearsal_{os.getpid()}"
    owner_url = _fresh_database(database)

    smtp_port = free_port()
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    https_port, http_port, app_ports = free_port(), free_port(), [free_port(), free_port()]
    base_url = f"https://127.0.0.1:{https_port}"
    # Every setting the production start-up check asks for (docs/deploy.md, *Configuration*).
    production = {
        "LANDFORM_ENV": "production",
        "LANDFORM_DATABASE_URL": owner_url,
        "LANDFORM_BACKUP_DATABASE_URL": owner_url,
        "LANDFORM_REDIS_URL": REDIS_URL,
        "LANDFORM_QUEUE_NAMESPACE": f"landform-rehearsal-{uuid.uuid4().hex[:8]}",
        "LANDFORM_BASE_URL": base_url,
        "LANDFORM_SECRET_KEY": "rehearsal-" + "k" * 40,
        "LANDFORM_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LANDFORM_MAIL_FROM": "Landform <no-reply@example.com>",
        "LANDFORM_PRIVACY_EMAIL": "privacy@example.com",
        "LANDFORM_DOMAIN_VERIFY": "dns",
        "LANDFORM_TRUSTED_PROXIES": "127.0.0.1",
        "LANDFORM_INTAKE_LIMIT_PER_IP": str(INTAKE_LIMIT),
        "LANDFORM_LOG_FORMAT": "console",
    }
    landform = RunningLandform(base_url=base_url, env=environment(tmp, app_ports[0], **production))
    started: list[subprocess.Popen[bytes]] = landform.processes
    try:
        # The release step and the demo's rows run as the schema's owner; the processes as a role that
        # row-level security applies to, as docs/deploy.md asks.
        landform.command("db", "upgrade", timeout=60)
        # `landform demo` refuses production (its log-in is public): the rehearsal's rows are seeded as on a
        # staging copy, then every process runs in production.
        landform.env["LANDFORM_ENV"] = "development"
        landform.demo = json.loads(landform.command("demo", timeout=60).strip().splitlines()[-1])
        landform.env["LANDFORM_ENV"] = "production"
        _give_the_demo_tenant_a_custom_host(owner_url, landform.demo["tenant_slug"])
        landform.env["LANDFORM_DATABASE_URL"] = _as_app_role(owner_url)

        apps = []
        for n, port in enumerate(app_ports):
            log = tmp / f"app{n}.log"
            apps.append((landform.start("run", "--port", str(port), "--wc", "1", log=log), port, log))
        for n in range(2):
            landform.start("worker", "--processes", "1", "--threads", "4", log=tmp / f"worker{n}.log")
        for process, port, log in apps:
            wait_until_healthy(f"http://127.0.0.1:{port}", process, log, timeout=40)

        storage = tmp / "caddy"
        config = tmp / "Caddyfile"
        config.write_text(
            caddyfile(
                apps=[f"127.0.0.1:{port}" for port in app_ports],
                https_port=https_port,
                http_port=http_port,
                storage=storage,
            )
        )
        caddy_log = tmp / "caddy.log"
        caddy_env = {**os.environ, "HOME": str(tmp), "XDG_DATA_HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp)}
        started.append(
            subprocess.Popen(
                [caddy_binary, "run", "--config", str(config), "--adapter", "caddyfile"],
                env=caddy_env,
                stdout=caddy_log.open("ab"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        root_ca = storage / "pki" / "authorities" / "local" / "root.crt"
        _wait_for_tls(base_url, root_ca, started[-1], caddy_log)
        yield Rehearsal(base_url, root_ca, landform.demo, inbox, https_port)
    finally:
        for process in reversed(started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        smtp.stop()
        _drop_database(database)


def _submit(client: httpx.Client, page_url: str, email: str) -> httpx.Response:
    page = client.get(page_url)
    assert page.status_code == 200
    action = re.search(r'<form class="lf-form" method="post" action="([^"]+)"', page.text).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    time.sleep(1.1)  # a person takes a moment; faster is a bot
    return client.post(
        action,
        data={**hidden, "first_name": "Fenna", "last_name": "Smit", "email": email, "phone": "06-12345678"},
        headers={"Accept": "text/html"},
    )


def test_it_routes_a_submission_through_the_proxy_into_the_crm_once(rehearsal):
    with rehearsal.client("127.0.0.2") as browser:
        response = _submit(browser, rehearsal.demo["page_url"], "rehearsal@example.nl")
        assert response.status_code == 200, response.text
        api = {"Authorization": f"Bearer {rehearsal.demo['api_key']}"}

        def routed() -> list[dict[str, Any]]:
            found = browser.get("/api/v1/contacts", params={"email": "rehearsal@example.nl"}, headers=api)
            assert found.status_code == 200, found.text
            return found.json()["data"]

        contacts = wait_for(routed, timeout=30)
        assert len(contacts) == 1 and contacts[0]["phone"] == "+31612345678"
        contact_id = contacts[0]["id"]
        # Both workers have had time to see the job: still one contact, one submission, one activity.
        time.sleep(2)
        assert len(routed()) == 1
        submissions = browser.get("/api/v1/submissions", params={"contact_id": contact_id}, headers=api)
        assert len(submissions.json()["data"]) == 1
        activities = browser.get(f"/api/v1/contacts/{contact_id}/activities", headers=api)
        assert len(activities.json()["data"]) == 1


def test_it_counts_the_address_caddy_saw_and_not_a_forged_one(rehearsal):
    form = f"/f/{rehearsal.demo['form_key']}"
    with rehearsal.client("127.0.0.3") as visitor:
        statuses = [
            visitor.post(form, data={"email": "x@example.nl"}, headers={"X-Forwarded-For": f"203.0.113.{n}"})
            for n in range(INTAKE_LIMIT + 1)
        ]
    # One visitor however it disguises itself: Caddy replaced its X-Forwarded-For with 127.0.0.3.
    assert [r.status_code == 429 for r in statuses] == [False] * INTAKE_LIMIT + [True]
    with rehearsal.client("127.0.0.4") as neighbour:
        # Another visitor behind the same proxy is not the proxy's address: it has its own allowance.
        assert neighbour.post(form, data={"email": "x@example.nl"}).status_code != 429


def test_it_sets_only_secure_cookies_over_tls(rehearsal):
    with rehearsal.client("127.0.0.5") as browser:
        login = browser.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text).group(1)
        response = browser.post(
            "/login",
            data={
                "_csrf_token": token,
                "email": rehearsal.demo["login_email"],
                "password": rehearsal.demo["login_password"],
            },
        )
        assert response.status_code in (302, 303), response.text
        cookies = login.headers.get_list("set-cookie") + response.headers.get_list("set-cookie")
        assert any(c.startswith("landform_session=") for c in cookies)
        assert cookies and all("; secure" in c.lower() for c in cookies), cookies
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_it_lets_caddy_fetch_certificates_for_verified_custom_hosts_only(rehearsal):
    with rehearsal.client("127.0.0.6") as client:
        ask = "/domains/allowed"
        assert client.get(ask, params={"domain": CUSTOM_HOST}).status_code == 200
        assert client.get(ask, params={"domain": PENDING_HOST}).status_code == 404
        assert client.get(ask, params={"domain": "elsewhere.test"}).status_code == 404
    # The same question decides Caddy's on-demand certificate: a TLS handshake naming the verified host
    # gets one (and its pages), one naming any other host gets none. A new connection for each: the
    # handshake is what is tested.
    with rehearsal.client("127.0.0.6") as browser:
        named = {"headers": {"Host": CUSTOM_HOST}, "extensions": {"sni_hostname": CUSTOM_HOST}}
        page = browser.get("/welcome", **named)
        assert page.status_code == 200 and f"https://{CUSTOM_HOST}/welcome" in page.text
    with rehearsal.client("127.0.0.6") as browser, pytest.raises(httpx.ConnectError):
        browser.get("/", headers={"Host": PENDING_HOST}, extensions={"sni_hostname": PENDING_HOST})
