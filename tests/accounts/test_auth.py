"""Sign-up, confirmation, log-in, log-out and password reset, without telling strangers who has an account."""

from __future__ import annotations

import dataclasses
import re
import uuid

from litestar.testing import TestClient
from sqlalchemy import Engine, event, select

from landform.accounts.models import PasswordResetRequest, Role, Tenant, User
from landform.app import create_app
from landform.core.mail import EmailMessage
from tests.accounts.helpers import settled
from tests.conftest import log_in, post_form, wait_for


def _mail_to(db, address: str) -> list[EmailMessage]:
    db.expire_all()
    return list(
        db.execute(
            select(EmailMessage).where(EmailMessage.recipient == address).order_by(EmailMessage.created_at)
        ).scalars()
    )


def _link(message: EmailMessage, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}\?token=[\w.\-]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


SIGN_UP = {
    "company": "Bakkerij Brood & Zo",
    "first_name": "Bea",
    "last_name": "Bakker",
    "email": "Bea@Brood.example.com",
    "password": "a long enough password",
    "language": "nl",
}


def test_it_signs_up_confirms_by_mail_and_logs_in(client, db):
    response = post_form(client, "/signup", SIGN_UP)
    assert response.status_code == 200
    assert "bea@brood.example.com" in response.text.lower()
    tenant = db.execute(select(Tenant)).scalar_one()
    assert tenant.slug == "bakkerij-brood-zo"
    user = db.execute(select(User).execution_options(all_tenants=True)).scalar_one()
    assert (user.role, user.email, user.email_confirmed_at) == (Role.OWNER, "bea@brood.example.com", None)
    assert user.password_hash.startswith("$argon2id$")

    # Not confirmed yet: the right password still does not open the dashboard.
    response = post_form(client, "/login", {"email": SIGN_UP["email"], "password": SIGN_UP["password"]})
    assert response.status_code == 422
    assert "confirm" in response.text.lower()

    message = wait_for(lambda: [m for m in _mail_to(db, "bea@brood.example.com") if m.sent_at])[0]
    assert "Bevestig" in message.subject  # she chose Dutch
    response = client.get(_link(message, "/signup/confirm"), follow_redirects=False)
    assert response.status_code in (302, 303)
    dashboard = client.get("/app")
    assert dashboard.status_code == 200
    assert "Bakkerij Brood &amp; Zo" in dashboard.text


def test_without_a_mail_server_the_check_your_mail_page_points_at_the_local_outbox(client, monkeypatch):
    response = post_form(client, "/signup", SIGN_UP)
    assert 'href="/_outbox/"' in response.text  # the only place the message is, in development

    settings = client.app.state.settings
    mail = dataclasses.replace(settings.mail, smtp_url="smtp://mail.example.com:25")
    monkeypatch.setattr(client.app.state, "settings", dataclasses.replace(settings, mail=mail))
    response = post_form(client, "/password/forgot", {"email": "bea@brood.example.com"})
    assert "Check your e-mail" in response.text and "/_outbox/" not in response.text


def test_it_answers_sign_up_for_a_known_address_the_same_and_mails_the_owner(client, db, owner):
    response = post_form(client, "/signup", {**SIGN_UP, "email": owner.email})
    fresh = post_form(client, "/signup", {**SIGN_UP, "email": "nobody-yet@example.com"})
    assert response.status_code == fresh.status_code == 200
    assert response.text.replace(owner.email, "X") == fresh.text.replace("nobody-yet@example.com", "X")
    assert db.execute(select(Tenant).where(Tenant.name == SIGN_UP["company"])).scalars().all().__len__() == 1
    notice = wait_for(lambda: _mail_to(db, owner.email))[0]
    assert "already has one" in notice.body_text


def test_it_shows_sign_up_errors_per_field_keeping_input(client):
    response = post_form(client, "/signup", {**SIGN_UP, "email": "nope", "password": "short", "company": ""})
    assert response.status_code == 422
    assert 'value="Bea"' in response.text
    assert response.text.count('class="error"') == 3


def test_it_logs_in_and_out(client, owner):
    assert client.get("/app", follow_redirects=False).headers["location"].startswith("/login")
    log_in(client, owner)
    assert client.get("/app").status_code == 200
    response = post_form(client, "/logout", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert client.get("/app", follow_redirects=False).status_code in (302, 303)


def test_it_gives_one_answer_for_a_wrong_password_and_an_unknown_address(client, owner):
    wrong = post_form(client, "/login", {"email": owner.email, "password": "not the password"})
    unknown = post_form(client, "/login", {"email": "ghost@example.com", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 422
    assert wrong.headers["content-type"].startswith("text/html")
    assert client.get("/login").headers["content-type"].startswith("text/html")
    message = "That e-mail address and password do not match an account."
    assert message in wrong.text and message in unknown.text


def test_it_refuses_a_dashboard_post_without_csrf_token(client, owner):
    log_in(client, owner)
    response = client.post("/app/forms/", data={"name": "No token"})
    assert response.status_code == 403


def test_it_resets_a_password_once_by_mailed_link(client, db, owner):
    response = post_form(client, "/password/forgot", {"email": owner.email.upper()})
    unknown = post_form(client, "/password/forgot", {"email": "ghost@example.com"})
    assert response.status_code == unknown.status_code == 200
    message = wait_for(lambda: _mail_to(db, owner.email))[0]
    link = _link(message, "/password/reset")
    assert client.get(link).status_code == 200
    token = link.split("token=")[1]
    response = post_form(
        client,
        "/password/reset",
        {"token": token, "password": "a brand new password"},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303)
    # The link worked once; now it is spent.
    assert client.get(link).status_code == 400
    again = post_form(client, "/password/reset", {"token": token, "password": "yet another password"})
    assert again.status_code == 400
    client.cookies.clear()
    log_in(client, type(owner)(**{**owner.__dict__, "password": "a brand new password"}))
    assert not _mail_to(db, "ghost@example.com")


def test_it_refuses_a_forged_or_expired_reset_link(client, owner, monkeypatch):
    assert client.get("/password/reset?token=forged").status_code == 400
    from landform.core import security

    token = security.sign("password-reset", [str(owner.user_id), "x" * 16])
    assert client.get(f"/password/reset?token={token}").status_code == 400


def test_it_keeps_roles_apart(client, sales_rep, marketer):
    log_in(client, sales_rep)
    assert client.get("/app/contacts/").status_code == 200
    assert client.get("/app/forms/").status_code == 403
    assert client.get("/app/settings/api-keys/").status_code == 403
    client.cookies.clear()
    log_in(client, marketer)
    assert client.get("/app/forms/").status_code == 200
    assert client.get("/app/settings/api-keys/").status_code == 403


def test_it_switches_the_dashboard_language_and_remembers_it(client, db, owner):
    log_in(client, owner)
    english = client.get("/app").text
    assert '<html lang="en">' in english and ">Overview<" in english
    response = post_form(client, "/app/me/language", {"language": "nl", "next": "/app"})
    assert response.status_code == 200
    dutch = client.get("/app").text
    assert '<html lang="nl">' in dutch and ">Overzicht<" in dutch
    db.expire_all()
    user = db.execute(
        select(User).where(User.id == owner.user_id).execution_options(all_tenants=True)
    ).scalar_one()
    assert user.language == "nl"


def _statements_of(client, url: str, data: dict[str, str]) -> list[str]:
    """The SQL the app's request ran (the worker's own statements are not the request's)."""
    seen: list[str] = []

    def note(conn, _cursor, statement, _parameters, _context, _many) -> None:
        if conn.dialect.is_async:
            seen.append(statement)

    post_form(client, url, {})  # the CSRF cookie, and anything done once per process, before counting
    event.listen(Engine, "before_cursor_execute", note)
    try:
        assert post_form(client, url, data).status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    return seen


def test_it_does_the_same_work_for_a_reset_of_a_known_and_an_unknown_address(client, owner):
    known = _statements_of(client, "/password/forgot", {"email": owner.email})
    unknown = _statements_of(client, "/password/forgot", {"email": "ghost@example.com"})
    assert known == unknown
    assert not [s for s in known if "user_account" in s]


def test_it_answers_the_sixth_reset_a_minute_from_one_client_with_429(client):
    for n in range(5):
        assert post_form(client, "/password/forgot", {"email": f"p{n}@example.com"}).status_code == 200
    refused = post_form(
        client, "/password/forgot", {"email": "p6@example.com"}, headers={"accept-language": "nl"}
    )
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "Even rustig aan" in refused.text


def test_it_mails_one_reset_link_however_many_clients_ask_within_minutes(settings, db, owner, inbox):
    behind_proxy = dataclasses.replace(
        settings, server=dataclasses.replace(settings.server, trusted_proxies=("testclient",))
    )
    with TestClient(create_app(behind_proxy), base_url="http://testserver.local") as client:
        answers = {
            post_form(
                client,
                "/password/forgot",
                {"email": owner.email},
                headers={"x-forwarded-for": f"203.0.113.{n}"},
            ).text
            for n in range(4)
        }
        assert len(answers) == 1  # a limited request looks like the first
        inbox.wait(owner.email)
        settled(db)
    assert len(inbox.to(owner.email)) == 1


def test_it_tells_an_existing_owner_once_however_many_clients_sign_up_with_the_address(
    settings, db, owner, inbox
):
    behind_proxy = dataclasses.replace(
        settings, server=dataclasses.replace(settings.server, trusted_proxies=("testclient",))
    )
    with TestClient(create_app(behind_proxy), base_url="http://testserver.local") as client:
        for n in range(3):
            response = post_form(
                client,
                "/signup",
                {**SIGN_UP, "email": owner.email},
                headers={"x-forwarded-for": f"203.0.113.{n}"},
            )
            assert response.status_code == 200
        inbox.wait(owner.email)
        settled(db)
    assert len(inbox.to(owner.email)) == 1


def test_on_redis_app_processes_share_the_limit_per_address(db, owner, monkeypatch):
    """Production: two app processes on one Redis queue one reset for an address between them."""
    from landform.core.settings import get_settings
    from tests.conftest import REDIS_URL, redis_available

    redis_available()
    monkeypatch.setenv("LANDFORM_REDIS_URL", REDIS_URL)
    monkeypatch.setenv("LANDFORM_QUEUE_NAMESPACE", f"landform-test-{uuid.uuid4().hex[:8]}")
    get_settings.cache_clear()
    with (
        TestClient(create_app(get_settings()), base_url="http://testserver.local") as first,
        TestClient(create_app(get_settings()), base_url="http://testserver.local") as second,
    ):
        for client in (first, second, first):
            assert post_form(client, "/password/forgot", {"email": owner.email}).status_code == 200
    db.expire_all()
    assert len(db.execute(select(PasswordResetRequest)).scalars().all()) == 1


def test_it_hashes_the_password_for_a_sign_up_with_a_known_address_too(client, owner, monkeypatch):
    """The hash is most of a sign-up's time: skipping it for a known address would tell it by timing."""
    from landform.core import security

    hashed: list[str] = []
    real = security.hash_password
    monkeypatch.setattr(security, "hash_password", lambda password: hashed.append(password) or real(password))
    post_form(client, "/signup", {**SIGN_UP, "email": owner.email})
    post_form(client, "/signup", {**SIGN_UP, "email": "nobody-yet@example.com"})
    assert hashed == [SIGN_UP["password"]] * 2


def test_it_mails_the_confirmation_of_a_sign_up_corrected_after_an_error(client, db):
    assert post_form(client, "/signup", {**SIGN_UP, "password": "short"}).status_code == 422
    assert post_form(client, "/signup", SIGN_UP).status_code == 200
    assert wait_for(lambda: _mail_to(db, "bea@brood.example.com"))
