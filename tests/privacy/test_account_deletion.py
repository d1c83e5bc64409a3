"""Deleting an account: 7 days to change one's mind (dashboard or e-mailed link), then no personal data."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from landform.accounts.models import User
from landform.core.db import utcnow
from landform.privacy.deletion import run_due
from landform.privacy.models import AccountDeletion
from tests.conftest import log_in, make_form, post_form, wait_for
from tests.consent.helpers import contact_by_email, submit
from tests.privacy.conftest import link_in, rows_mentioning
from tests.privacy.test_end_to_end import _counts

VISITOR = "lotte.bakker@example.org"


def _account_with_a_lead(client, db, owner):
    form = make_form(db, owner)
    submit(client, form, {"first_name": "Lotte", "last_name": "Bakker", "email": VISITOR})
    wait_for(lambda: contact_by_email(db, VISITOR))
    log_in(client, owner)
    refused = post_form(client, "/app/account/delete/", {"confirm": "wrong"}, follow_redirects=True)
    assert "Type the account" in refused.text
    response = post_form(client, "/app/account/delete/", {"confirm": "acme"}, follow_redirects=True)
    assert response.status_code == 200 and "will be deleted on" in response.text


def test_on_day_6_nothing_changed_and_the_emailed_link_cancels(client, db, settings, owner, inbox):
    _account_with_a_lead(client, db, owner)
    link = link_in(inbox.wait(owner.email, "will be deleted"), "/privacy/acme/keep-account")
    before = _counts(db, owner.tenant_id)
    with time_machine.travel(utcnow() + timedelta(days=6), tick=True):
        assert run_due(settings) == 0
        assert contact_by_email(db, VISITOR).first_name == "Lotte"
        client.cookies.clear()
        page = client.get(link)
        assert page.status_code == 200 and "Cancel the deletion" in page.text
        assert (
            db.execute(select(AccountDeletion)).scalar_one().cancelled_at is None
        )  # opening changes nothing
        token = link.split("token=", 1)[1]
        assert client.post("/privacy/acme/keep-account", data={"token": token}).status_code == 200
        assert client.post("/privacy/acme/keep-account", data={"token": token}).status_code == 400
    with time_machine.travel(utcnow() + timedelta(days=8), tick=True):
        assert run_due(settings) == 0
    assert contact_by_email(db, VISITOR).first_name == "Lotte"
    assert _counts(db, owner.tenant_id) == before


def test_the_dashboard_cancels_too(client, db, owner, inbox):
    _account_with_a_lead(client, db, owner)
    response = post_form(client, "/app/account/delete/cancel", follow_redirects=True)
    assert "Deletion cancelled" in response.text
    db.expire_all()
    assert db.execute(select(AccountDeletion)).scalar_one().cancelled_at is not None


def test_on_day_8_the_account_holds_no_personal_data_and_the_counts_remain(
    client, db, settings, owner, stranger, inbox
):
    _account_with_a_lead(client, db, owner)
    before = _counts(db, owner.tenant_id)
    with time_machine.travel(utcnow() + timedelta(days=8), tick=True):
        assert run_due(settings) == 1
        assert run_due(settings) == 0
    inbox.wait(owner.email, "has been deleted")
    wait_for(
        lambda: not rows_mentioning(db, owner.email, VISITOR, "Lotte", "Bakker", "Olga", "Acme Zonwering")
    )
    assert _counts(db, owner.tenant_id) == before
    # Nobody can log in to it any more; the other tenant is untouched.
    db.expire_all()
    users = {u.tenant_id: u for u in db.execute(select(User).execution_options(all_tenants=True)).scalars()}
    assert users[owner.tenant_id].password_hash == ""
    assert (
        users[stranger.tenant_id].email == stranger.email and users[stranger.tenant_id].first_name == "Stan"
    )
    client.cookies.clear()
    response = post_form(client, "/login", {"email": owner.email, "password": owner.password})
    assert response.status_code != 303


def test_only_the_owner_may_delete_the_account(client, db, owner, marketer):
    log_in(client, marketer)
    assert client.get("/app/account/delete/").status_code == 403


def test_a_user_deletes_only_their_own_user_after_the_cooling_off(
    client, db, settings, owner, marketer, inbox
):
    log_in(client, marketer)
    assert "Delete my user" in client.get("/app/me/delete/?lang=en").text
    post_form(client, "/app/me/delete/", {"confirm": "acme"})
    assert "will be deleted on" in client.get("/app/me/delete/?lang=en").text
    inbox.wait(marketer.email, "will be deleted")
    with time_machine.travel(utcnow() + timedelta(days=8), tick=True):
        assert run_due(settings) == 1
    inbox.wait(marketer.email, "has been deleted")
    wait_for(lambda: not rows_mentioning(db, marketer.email))
    db.expire_all()
    gone = db.execute(
        select(User).where(User.id == marketer.user_id).execution_options(all_tenants=True)
    ).scalar_one()
    assert (gone.first_name, gone.password_hash) == ("", "")
    kept = db.execute(
        select(User).where(User.id == owner.user_id).execution_options(all_tenants=True)
    ).scalar_one()
    assert (kept.email, kept.first_name) == (owner.email, "Olga")
    assert rows_mentioning(db, "Acme Zonwering")
    # An owner deletes the whole account instead.
    log_in(client, owner)
    assert client.get("/app/me/delete/", follow_redirects=False).status_code in (302, 303)
