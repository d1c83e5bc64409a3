"""LANDFORM_ENV=production: the app and the worker refuse unsafe settings; development is untouched."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy import select

from landform.accounts.models import Role
from landform.core.mail import EmailMessage
from landform.core.settings import get_settings
from landform.ops.production import ProductionMisconfigured, check_production, production_problems
from tests.conftest import make_tenant, make_user

GOOD = {
    "LANDFORM_ENV": "production",
    "LANDFORM_SECRET_KEY": "k" * 48 + ",an-old-key-still-verifying",
    "LANDFORM_BASE_URL": "https://forms.example.com",
    "LANDFORM_DATABASE_URL": "postgresql://landform@db.internal:5432/landform",
    "LANDFORM_REDIS_URL": "redis://redis.internal:6379/0",
    "LANDFORM_PRIVACY_EMAIL": "privacy@example.com",
    "LANDFORM_SMTP_URL": "smtp+starttls://landform:secret@smtp.example.com:587",
}


def _settings(monkeypatch, **overrides):
    for name, value in {**GOOD, **overrides}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return get_settings()


def test_it_accepts_a_proper_production_setup(monkeypatch):
    assert production_problems(_settings(monkeypatch)) == []
    assert production_problems(_settings(monkeypatch), worker=True) == []


def test_it_refuses_to_start_the_app_with_each_unsafe_setting(monkeypatch, tmp_path):
    from landform.app import create_app

    unsafe = _settings(
        monkeypatch,
        LANDFORM_SECRET_KEY=None,
        LANDFORM_BASE_URL="http://forms.example.com",
        LANDFORM_DATABASE_URL=f"sqlite:///{tmp_path}/landform.sqlite3",
    )
    with pytest.raises(ProductionMisconfigured) as refused:
        create_app(unsafe)
    message = str(refused.value)
    assert "development key" in message
    assert "http://forms.example.com" in message
    assert "SQLite" in message


def test_it_refuses_to_start_when_nobody_would_hear_of_privacy_requests(monkeypatch):
    for command in (check_production, lambda settings: check_production(settings, worker=True)):
        with pytest.raises(ProductionMisconfigured, match="LANDFORM_PRIVACY_EMAIL is not set") as refused:
            command(_settings(monkeypatch, LANDFORM_PRIVACY_EMAIL=None))
        assert "72 hours" in str(refused.value) and "/privacy" in str(refused.value)
    (problem,) = production_problems(_settings(monkeypatch, LANDFORM_PRIVACY_EMAIL="Privacy <privacy@>"))
    assert "not an e-mail address" in problem and "privacy@>" not in problem
    development = _settings(monkeypatch, LANDFORM_ENV=None, LANDFORM_PRIVACY_EMAIL=None)
    assert development.privacy.email == ""
    check_production(development)


def test_it_refuses_a_short_signing_key_but_not_a_short_old_one(monkeypatch):
    (problem,) = production_problems(_settings(monkeypatch, LANDFORM_SECRET_KEY="short," + "k" * 48))
    assert "shorter than 32" in problem
    assert production_problems(_settings(monkeypatch, LANDFORM_SECRET_KEY="k" * 48 + ",short")) == []


def test_it_refuses_sqlite_for_the_worker_and_beside_redis(monkeypatch):
    sqlite = _settings(
        monkeypatch, LANDFORM_DATABASE_URL="sqlite:///var/landform.sqlite3", LANDFORM_REDIS_URL=None
    )
    assert production_problems(sqlite) == []  # one process, the embedded default
    assert "SQLite" in production_problems(sqlite, worker=True)[0]
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    assert "SQLite" in production_problems(sqlite)[0]
    with_redis = _settings(
        monkeypatch, LANDFORM_DATABASE_URL="sqlite:///var/landform.sqlite3", WEB_CONCURRENCY="1"
    )
    assert "SQLite" in production_problems(with_redis)[0]


def test_it_leaves_development_alone_and_catches_a_mistyped_environment(monkeypatch):
    development = _settings(
        monkeypatch, LANDFORM_ENV=None, LANDFORM_SECRET_KEY=None, LANDFORM_BASE_URL="http://127.0.0.1:8000"
    )
    check_production(development)
    with pytest.raises(ProductionMisconfigured, match="LANDFORM_ENV must be"):
        check_production(_settings(monkeypatch, LANDFORM_ENV="prod"))


def test_it_refuses_to_start_without_smtp(monkeypatch):
    for command in (check_production, lambda settings: check_production(settings, worker=True)):
        with pytest.raises(ProductionMisconfigured, match="LANDFORM_SMTP_URL is not set") as refused:
            command(_settings(monkeypatch, LANDFORM_SMTP_URL=None))
        assert "smtp+starttls://" in str(refused.value)  # how to fix it
    assert check_production(_settings(monkeypatch, LANDFORM_ENV=None, LANDFORM_SMTP_URL=None)) is None


def test_it_refuses_development_only_switches(monkeypatch):
    (problem,) = production_problems(_settings(monkeypatch, LANDFORM_WEBHOOK_ALLOW_PRIVATE="true"))
    assert "LANDFORM_WEBHOOK_ALLOW_PRIVATE" in problem
    for variable in ("LITESTAR_DEBUG", "LITESTAR_PDB"):
        (problem,) = production_problems(
            _settings(monkeypatch, LANDFORM_WEBHOOK_ALLOW_PRIVATE=None, **{variable: "1"})
        )
        assert variable in problem
        monkeypatch.delenv(variable)


def _outbox_with_a_reset_link(settings, db, monkeypatch, environment: str) -> TestClient:
    from landform import app as app_module
    from landform.core.mail import queue_email

    user = make_user(db, make_tenant(db, "acme", "Acme"), "owner@acme.example.com", Role.OWNER)
    queue_email(db, to=user.email, template="password_reset", language="en", first_name="O", token="t0k3n")
    db.commit()
    monkeypatch.setenv("LANDFORM_ENV", environment)
    get_settings.cache_clear()
    # Past the start-up check (which would demand SMTP): the outbox must be gone even so.
    monkeypatch.setattr(app_module, "check_production", lambda settings: None)
    return TestClient(app_module.create_app(get_settings()), base_url="http://testserver.local")


def test_it_never_serves_the_local_outbox_in_production(settings, db, monkeypatch):
    with _outbox_with_a_reset_link(settings, db, monkeypatch, "production") as client:
        message = db.execute(select(EmailMessage)).scalar_one()
        for path in ("/_outbox/", f"/_outbox/{message.id}", f"/_outbox/{message.id}/html"):
            assert client.get(path).status_code == 404, path


def test_it_serves_the_local_outbox_with_the_html_part_sandboxed_in_development(settings, db, monkeypatch):
    with _outbox_with_a_reset_link(settings, db, monkeypatch, "development") as client:
        listing = client.get("/_outbox/")
        assert listing.status_code == 200 and "owner@acme.example.com" in listing.text
        message = db.execute(select(EmailMessage)).scalar_one()
        page = client.get(f"/_outbox/{message.id}")
        assert f'<iframe class="mail-html" sandbox src="/_outbox/{message.id}/html"' in page.text
        html = client.get(f"/_outbox/{message.id}/html")
        assert html.status_code == 200 and html.text == message.body_html
        policy = html.headers["content-security-policy"]
        assert policy.startswith("sandbox;") and "script-src" not in policy and "default-src 'none'" in policy


def test_it_refuses_to_seed_the_demo_in_production(monkeypatch):
    from landform.__main__ import demo_command

    _settings(monkeypatch)
    result = CliRunner().invoke(demo_command)
    assert result.exit_code != 0
    assert "LANDFORM_ENV=production" in result.output
