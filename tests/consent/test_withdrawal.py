"""Withdrawal as easy as giving: a one-click link in every e-mail to a contact; GET asks, POST withdraws."""

from __future__ import annotations

import re

from sqlalchemy import select

from landform.consent.models import ConsentRecord
from landform.core.db import scope_to_tenant
from landform.core.mail import EmailMessage, queue_email
from landform.crm_sink.models import Contact
from tests.conftest import wait_for
from tests.consent.helpers import consent_form, contact_by_email, make_purpose, submit


def _records(db):
    db.expire_all()
    return (
        db.execute(
            select(ConsentRecord).order_by(ConsentRecord.occurred_at).execution_options(all_tenants=True)
        )
        .scalars()
        .all()
    )


def _mail_to_contact(db, contact: Contact) -> EmailMessage:
    scope_to_tenant(db, contact.tenant_id)
    message = queue_email(
        db,
        to=contact.email,
        template="password_reset",  # any template: the link is added to every e-mail to a contact
        language="en",
        tenant_id=contact.tenant_id,
        contact_id=contact.id,
        first_name=contact.first_name,
        token="x",
    )
    db.commit()
    return message


def _link(message: EmailMessage) -> str:
    match = re.search(r"http://testserver\.local(/consent/withdraw\?token=[\w.\-]+)", message.body_text)
    assert match, message.body_text
    assert match.group(1).replace("&", "&amp;") in message.body_html or match.group(1) in message.body_html
    return match.group(1)


def test_it_withdraws_with_one_confirming_click_from_any_email(client, db, owner):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    submit(client, form, {"first_name": "Anna", "email": "anna@example.com", "newsletter": "on"})
    contact = wait_for(lambda: contact_by_email(db, "anna@example.com"))
    wait_for(lambda: (r := _records(db)) and r[0].contact_id)
    link = _link(_mail_to_contact(db, contact))

    # Mail scanners open links: a GET only asks.
    page = client.get(link, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Withdraw my consent" in page.text
    assert len(_records(db)) == 1
    assert "set-cookie" not in page.headers
    token = link.split("token=", 1)[1]
    assert f'href="?token={token}&amp;lang=nl"' in page.text  # switching language keeps the link

    done = client.post("/consent/withdraw", data={"token": token}, headers={"Accept-Language": "en"})
    assert done.status_code == 200
    assert "Your consent is withdrawn" in done.text
    given, withdrawn = _records(db)
    assert (withdrawn.given, withdrawn.purpose_id, withdrawn.contact_id) == (False, purpose.id, contact.id)
    assert (withdrawn.method, withdrawn.text_id) == ("email", given.text_id)
    assert contact_by_email(db, "anna@example.com").do_not_contact is True
    assert client.get("/consent/withdraw?token=" + token).status_code == 200  # still works, says so


def test_it_withdraws_everything_for_a_contact_without_recorded_consents(client, db, owner):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    submit(client, form, {"first_name": "Bob", "email": "bob@example.com"})
    contact = wait_for(lambda: contact_by_email(db, "bob@example.com"))
    token = _link(_mail_to_contact(db, contact)).split("token=", 1)[1]
    client.post("/consent/withdraw", data={"token": token})
    (record,) = _records(db)
    assert (record.given, record.purpose_id, record.contact_id) == (False, None, contact.id)
    assert contact_by_email(db, "bob@example.com").do_not_contact is True


def test_it_refuses_a_forged_or_mangled_link(client, db, owner):
    assert client.get("/consent/withdraw?token=forged").status_code == 400
    assert client.post("/consent/withdraw", data={"token": "forged.token"}).status_code == 400
    assert _records(db) == []


def test_it_adds_no_withdrawal_link_to_mail_for_users(db, settings):
    message = queue_email(
        db, to="owner@acme.example.com", template="password_reset", language="en", first_name="O", token="x"
    )
    assert "/consent/withdraw" not in message.body_text + message.body_html


def test_it_offers_mailboxes_a_one_click_unsubscribe_that_withdraws(client, db, owner, inbox):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    submit(client, form, {"first_name": "Anna", "email": "anna@example.com", "newsletter": "on"})
    contact = wait_for(lambda: contact_by_email(db, "anna@example.com"))
    wait_for(lambda: (r := _records(db)) and r[0].contact_id)
    link = _link(_mail_to_contact(db, contact))

    sent = inbox.wait("anna@example.com")
    assert sent["List-Unsubscribe"] == f"<http://testserver.local{link}>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["Auto-Submitted"] == "auto-generated"

    # What Gmail and Yahoo send (RFC 8058): a POST to that address, no cookies, no CSRF token.
    client.cookies.clear()
    done = client.post(
        link,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"},
    )
    assert done.status_code == 200, done.text
    assert "Your consent is withdrawn" in done.text
    _given, withdrawn = _records(db)
    assert (withdrawn.given, withdrawn.purpose_id, withdrawn.method) == (False, purpose.id, "email")
    assert contact_by_email(db, "anna@example.com").do_not_contact is True


def test_it_dates_identifies_and_marks_every_email_as_automated(client, db, owner, inbox):
    from email.utils import parsedate_to_datetime

    from landform.core.db import utcnow

    queued = queue_email(
        db, to="owner@acme.example.com", template="password_reset", language="en", first_name="O", token="x"
    )
    db.commit()
    sent = inbox.wait("owner@acme.example.com")
    assert abs((parsedate_to_datetime(sent["Date"]) - utcnow()).total_seconds()) < 60
    assert sent["Message-ID"] == f"<{queued.id}@landform.localhost>"
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent["List-Unsubscribe"] is None  # a user's own account mail: nothing to unsubscribe from
    assert sent.get_body(("html",)) is not None
