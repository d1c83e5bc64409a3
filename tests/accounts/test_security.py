"""Log-in throttling without enumeration, two-factor, sessions, password rules, the audit log."""

from __future__ import annotations

import dataclasses
import re

import pyotp
from litestar.testing import TestClient
from sqlalchemy import select

from landform.accounts.models import AuditEvent, User, UserSession
from landform.app import create_app
from tests.accounts.helpers import audit_kinds, link_in, mail_to
from tests.conftest import PASSWORD, log_in, post_form, wait_for


def _try(client, email, password="not the password", **kwargs):
    return post_form(client, "/login", {"email": email, "password": password}, **kwargs)


def test_it_locks_out_an_address_from_one_ip_without_telling_whether_it_exists(client, db, owner):
    for _ in range(5):
        assert _try(client, owner.email).status_code == 422
        assert _try(client, "ghost@acme.example.com").status_code == 422
    known = _try(client, owner.email)
    unknown = _try(client, "ghost@acme.example.com")
    assert known.status_code == unknown.status_code == 429
    assert known.text.replace(owner.email, "X") == unknown.text.replace("ghost@acme.example.com", "X")
    assert "try again in 15 minutes" in known.text
    assert int(known.headers["retry-after"]) > 0
    # Even the right password waits: the lock is on trying, not on being wrong.
    assert _try(client, owner.email, PASSWORD).status_code == 429
    assert client.get("/app", follow_redirects=False).status_code in (302, 303)
    kinds = audit_kinds(db, owner.tenant_id)
    assert kinds.count("login_failed") == 5 and "lockout" in kinds


def test_it_does_not_lock_the_owner_out_from_another_network(settings, db, owner):
    """An attacker's failures lock only their own IP's tries: the owner elsewhere logs in as usual."""
    behind_proxy = dataclasses.replace(
        settings, server=dataclasses.replace(settings.server, trusted_proxies=("testclient",))
    )
    with TestClient(create_app(behind_proxy), base_url="http://testserver.local") as client:
        attacker = {"x-forwarded-for": "203.0.113.9"}
        for _ in range(6):
            _try(client, owner.email, headers=attacker)
        assert _try(client, owner.email, PASSWORD, headers=attacker).status_code == 429
        response = _try(
            client, owner.email, PASSWORD, headers={"x-forwarded-for": "198.51.100.7"}, follow_redirects=False
        )
        assert response.status_code in (302, 303)
    db.expire_all()
    row = db.execute(select(UserSession).execution_options(all_tenants=True)).scalar_one()
    assert row.ip_prefix == "198.51.100.0/24"
    failure = db.execute(
        select(AuditEvent).where(AuditEvent.kind == "lockout").execution_options(all_tenants=True)
    ).scalar_one()
    assert failure.ip_prefix == "203.0.113.0/24"


def _enable_two_factor(client) -> tuple[str, list[str]]:
    page = post_form(client, "/app/me/security/2fa/start")
    assert page.status_code == 200
    assert "<svg" in page.text
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    wrong = post_form(client, "/app/me/security/2fa/confirm", {"code": "000000"})
    assert wrong.status_code == 422
    done = post_form(client, "/app/me/security/2fa/confirm", {"code": pyotp.TOTP(secret).now()})
    assert "Two-factor authentication is on" in done.text
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    assert len(codes) == 10
    return secret, codes


def test_it_asks_for_the_authenticator_code_after_the_password(client, db, owner):
    log_in(client, owner)
    secret, codes = _enable_two_factor(client)
    db.expire_all()
    user = db.execute(
        select(User).where(User.id == owner.user_id).execution_options(all_tenants=True)
    ).scalar_one()
    assert user.totp_enabled_at is not None
    assert not any(
        code in str(row) for code in codes for row in db.execute(select(AuditEvent.__table__)).all()
    )
    post_form(client, "/logout")

    response = _try(client, owner.email, PASSWORD, follow_redirects=False)
    assert response.headers["location"] == "/login/code"
    # The password alone is not enough (and leaving the second step means starting again).
    assert client.get("/app", follow_redirects=False).status_code in (302, 303)
    assert "Please log in again" in post_form(client, "/login/code", {"code": "123456"}).text
    _try(client, owner.email, PASSWORD)
    wrong = post_form(client, "/login/code", {"code": "123456"})
    assert wrong.status_code == 422
    assert "This code is not right" in wrong.text
    code = pyotp.TOTP(secret).now()
    before = client.cookies["landform_session"]
    assert post_form(client, "/login/code", {"code": code}, follow_redirects=False).status_code in (302, 303)
    assert client.get("/app").status_code == 200
    # A new session id once logged in: whoever knew the half-way session's id gets nothing.
    after = client.cookies["landform_session"]
    assert after != before
    client.cookies.set("landform_session", before)
    assert client.get("/app", follow_redirects=False).status_code in (302, 303)
    client.cookies.set("landform_session", after)

    # The same code cannot be replayed for a second log-in.
    post_form(client, "/logout")
    _try(client, owner.email, PASSWORD)
    assert post_form(client, "/login/code", {"code": code}).status_code == 422


def test_it_accepts_each_recovery_code_once(client, db, owner):
    log_in(client, owner)
    _secret, codes = _enable_two_factor(client)
    post_form(client, "/logout")
    _try(client, owner.email, PASSWORD)
    response = post_form(client, "/login/code", {"code": codes[0].upper()})
    assert "You used a recovery code" in response.text
    security = client.get("/app/me/security/")
    assert "9 recovery codes left" in security.text
    post_form(client, "/logout")
    _try(client, owner.email, PASSWORD)
    assert post_form(client, "/login/code", {"code": codes[0]}).status_code == 422
    assert "recovery_code_used" in audit_kinds(db, owner.tenant_id)


def test_it_turns_two_factor_off_only_with_the_password(client, db, owner):
    log_in(client, owner)
    _enable_two_factor(client)
    refused = post_form(client, "/app/me/security/2fa/disable", {"disable_password": "guess"})
    assert refused.status_code == 422
    done = post_form(client, "/app/me/security/2fa/disable", {"disable_password": PASSWORD})
    assert "Two-factor authentication is off" in done.text
    post_form(client, "/logout")
    assert _try(client, owner.email, PASSWORD, follow_redirects=False).headers["location"] == "/app"
    assert {"mfa_enabled", "mfa_disabled"} <= set(audit_kinds(db, owner.tenant_id))


def test_it_lists_sessions_and_signs_another_one_out(client, db, owner):
    log_in(client, owner)
    phone = client.cookies["landform_session"]
    client.cookies.clear()
    log_in(client, owner)
    page = client.get("/app/me/security/")
    assert page.text.count("this device") == 1
    rows = db.execute(select(UserSession).execution_options(all_tenants=True)).scalars().all()
    assert len(rows) == 2
    laptop = client.cookies["landform_session"]
    other = [row for row in rows if f"/sessions/{row.id}/revoke" in page.text]
    assert len(other) == 1
    response = post_form(client, f"/app/me/security/sessions/{other[0].id}/revoke")
    assert "That session is signed out" in response.text

    client.cookies.clear()
    client.cookies.set("landform_session", phone)
    assert client.get("/app", follow_redirects=False).status_code in (302, 303)
    assert client.get("/login").status_code == 200  # no redirect loop: the dead session is forgotten
    client.cookies.clear()
    client.cookies.set("landform_session", laptop)
    assert client.get("/app").status_code == 200
    assert "session_revoked" in audit_kinds(db, owner.tenant_id)


def test_it_signs_other_sessions_out_when_the_password_changes(client, db, owner):
    log_in(client, owner)
    other = client.cookies["landform_session"]
    client.cookies.clear()
    log_in(client, owner)
    short = post_form(
        client, "/app/me/security/password", {"current_password": PASSWORD, "password": "short"}
    )
    assert short.status_code == 422
    assert "Use at least 12 characters" in short.text
    wrong = post_form(
        client, "/app/me/security/password", {"current_password": "nope", "password": "a new long passphrase"}
    )
    assert "This is not your current password" in wrong.text
    done = post_form(
        client,
        "/app/me/security/password",
        {"current_password": PASSWORD, "password": "a new long passphrase"},
    )
    assert "Your other sessions are signed out" in done.text
    assert client.get("/app").status_code == 200
    client.cookies.clear()
    client.cookies.set("landform_session", other)
    assert client.get("/app", follow_redirects=False).status_code in (302, 303)
    assert "password_changed" in audit_kinds(db, owner.tenant_id)


def test_it_refuses_common_passwords_whatever_their_length(client, db, owner):
    signup = post_form(
        client,
        "/signup",
        {
            "company": "Nieuw B.V.",
            "first_name": "Nico",
            "last_name": "Nieuw",
            "email": "nico@nieuw.example.com",
            "password": "1234567890QWERTY",
            "language": "en",
        },
    )
    assert signup.status_code == 422
    assert "one of the most used ones" in signup.text
    assert "At least 12 characters" in signup.text

    post_form(client, "/password/forgot", {"email": owner.email})
    link = link_in(wait_for(lambda: mail_to(db, owner.email))[-1], "/password/reset")  # the worker mails it
    token = link.split("token=")[1]
    for password, message in (
        ("elevenchars", "Use at least 12 characters"),
        ("x" * 129, "Use at most 128 characters"),
        ("111222333444555", "one of the most used ones"),
    ):
        response = post_form(client, "/password/reset", {"token": token, "password": password})
        assert response.status_code == 422, password
        assert message in response.text
    # 64 characters of anything, spaces and all, with no composition rules.
    long_one = "my cat likes the radiator on cold mornings, and so do i!!  " + "abcde"
    assert len(long_one) == 64
    response = post_form(
        client, "/password/reset", {"token": token, "password": long_one}, follow_redirects=False
    )
    assert response.status_code in (302, 303)
    assert "password_reset" in audit_kinds(db, owner.tenant_id)


def test_it_shows_the_audit_log_to_owners_without_secrets(client, db, owner, marketer):
    _try(client, marketer.email, "my secret guess 123")
    log_in(client, marketer)
    client.cookies.clear()
    log_in(client, owner)
    page = client.get("/app/settings/audit")
    assert page.status_code == 200
    assert "Log-in failed" in page.text and "Logged in" in page.text
    assert marketer.email in page.text
    assert "my secret guess" not in page.text
    stored = " ".join(str(row) for row in db.execute(select(AuditEvent.__table__)).all())
    assert "my secret guess" not in stored and PASSWORD not in stored


def test_it_forgets_ended_sessions_expired_invitations_and_year_old_events(client, db, settings, owner):
    from datetime import timedelta

    from landform.accounts.models import Invitation
    from landform.accounts.retention import purge_account_records_job
    from landform.core.db import utcnow

    log_in(client, owner)
    post_form(client, "/app/team/invite", {"email": "late@example.com", "role": "marketer"})
    post_form(client, "/app/team/invite", {"email": "fresh@example.com", "role": "marketer"})
    log_in(client, owner)  # a second session; the first stays live
    db.expire_all()
    every = {"all_tenants": True}
    sessions = (
        db.execute(select(UserSession).order_by(UserSession.id).execution_options(**every)).scalars().all()
    )
    sessions[0].last_seen_at = utcnow() - timedelta(days=15)
    late = db.execute(
        select(Invitation).where(Invitation.email == "late@example.com").execution_options(**every)
    )
    late.scalar_one().created_at = utcnow() - timedelta(days=8)
    events = db.execute(select(AuditEvent).execution_options(**every)).scalars().all()
    events[0].created_at = utcnow() - timedelta(days=400)
    db.commit()

    assert purge_account_records_job(settings) == 3
    db.expire_all()
    assert len(db.execute(select(UserSession).execution_options(**every)).all()) == len(sessions) - 1
    left = db.execute(select(Invitation.email).execution_options(**every)).scalars().all()
    assert left == ["fresh@example.com"]
    assert len(db.execute(select(AuditEvent).execution_options(**every)).all()) == len(events) - 1
    assert client.get("/app").status_code == 200
