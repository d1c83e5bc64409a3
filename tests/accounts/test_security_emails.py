"""E-mails to a user about their account: a log-in from a new browser or network, and a lock-out."""

from __future__ import annotations

from sqlalchemy import select, update

from landform.accounts.models import KnownDevice, Role, User
from tests.conftest import csrf_token, make_tenant, make_user, post_form
from tests.privacy.conftest import text_of

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)


def _log_in_with(client, persona, user_agent: str) -> None:
    client.cookies.clear()
    response = client.post(
        "/login",
        data={"_csrf_token": csrf_token(client), "email": persona.email, "password": persona.password},
        headers={"User-Agent": user_agent},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text


def _failed_log_in(client, email: str):
    return post_form(client, "/login", {"email": email, "password": "not the password at all"})


def test_a_log_in_from_a_new_browser_is_emailed_with_a_link_to_the_sessions(client, db, owner, inbox):
    _log_in_with(client, owner, FIREFOX)  # the first browser ever: nothing to report
    _log_in_with(client, owner, FIREFOX)  # known
    assert inbox.to(owner.email) == []
    _log_in_with(client, owner, CHROME_ON_WINDOWS)
    message = inbox.wait(owner.email, "New log-in")
    body = text_of(message)
    assert "Chrome / Windows" in body
    assert "http://testserver.local/app/me/security/" in body
    _log_in_with(client, owner, CHROME_ON_WINDOWS)
    assert len(inbox.to(owner.email, "New log-in")) == 1
    # The database keeps a keyed hash, never the browser or the address.
    stored = [
        device.fingerprint
        for device in db.execute(select(KnownDevice).execution_options(all_tenants=True)).scalars()
    ]
    assert len(stored) == 2 and not any("Chrome" in mark or "Windows" in mark for mark in stored)


def test_the_new_browser_email_is_in_the_users_language(client, db, owner, inbox):
    db.execute(
        update(User).where(User.id == owner.user_id).values(language="nl").execution_options(all_tenants=True)
    )
    db.commit()
    _log_in_with(client, owner, FIREFOX)
    _log_in_with(client, owner, CHROME_ON_WINDOWS)
    message = inbox.wait(owner.email, "Nieuwe aanmelding")
    assert "Was jij dit niet?" in text_of(message)


def test_a_lock_out_is_emailed_to_the_account_and_a_stranger_sees_the_same_either_way(client, db, inbox):
    tenant = make_tenant(db, "zon", "Zonnig B.V.")
    olga = make_user(db, tenant, "olga@zonnig.example.com", Role.OWNER)
    known = [_failed_log_in(client, olga.email) for _ in range(6)]
    unknown = [_failed_log_in(client, "nobody@zonnig.example.com") for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [422] * 5 + [429]
    assert known[-2].text.replace(olga.email, "X") == unknown[-2].text.replace(
        "nobody@zonnig.example.com", "X"
    )
    assert known[-1].text.replace(olga.email, "X") == unknown[-1].text.replace(
        "nobody@zonnig.example.com", "X"
    )
    message = inbox.wait(olga.email, "paused")
    body = text_of(message)
    assert "15 minutes" in body
    assert "http://testserver.local/app/me/security/" in body
    assert "http://testserver.local/password/forgot" in body
    assert inbox.to("nobody@zonnig.example.com") == []
