"""Double opt-in: a purpose that asks it records a ticked box only once the person confirms by e-mail."""

from __future__ import annotations

import dataclasses
import re

from litestar.testing import TestClient
from sqlalchemy import select

from landform.app import create_app
from landform.consent.models import ConsentRecord
from landform.core.mail import EmailMessage
from landform.crm_sink.models import Submission
from tests.accounts.helpers import settled
from tests.conftest import wait_for
from tests.consent.helpers import consent_form, contact_by_email, make_purpose, submit


def _records(db):
    db.expire_all()
    return db.execute(select(ConsentRecord).execution_options(all_tenants=True)).scalars().all()


def _confirmation_link(db, address: str) -> str:
    db.expire_all()
    message = db.execute(
        select(EmailMessage).where(EmailMessage.recipient == address).execution_options(all_tenants=True)
    ).scalar_one()
    match = re.search(r"http://testserver\.local(/consent/confirm\?token=[\w.\-]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def test_a_ticked_box_counts_only_once_the_person_confirms(client, db, owner):
    purpose, text = make_purpose(db, owner)
    purpose.double_opt_in = True
    db.commit()
    form = consent_form(db, owner, purpose, text)
    response = submit(client, form, {"first_name": "Anna", "email": "anna@example.com", "newsletter": "on"})
    assert response.status_code == 201
    contact = wait_for(lambda: contact_by_email(db, "anna@example.com"))
    assert _records(db) == [], "not recorded before confirmation"
    link = _confirmation_link(db, "anna@example.com")

    page = client.get(link, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Yes, I confirm" in page.text
    assert _records(db) == [], "opening the link (a mail scanner) confirms nothing"

    token = link.split("token=", 1)[1]
    done = client.post("/consent/confirm/", data={"token": token}, headers={"Accept-Language": "en"})
    assert done.status_code == 200 and "recorded your consent" in done.text
    [record] = _records(db)
    assert (record.given, record.purpose_id, record.contact_id) == (True, purpose.id, contact.id)
    assert record.confirmed_by == "double_opt_in" and record.method == "form"
    assert record.text_id == text.id and "confirmed_at" in record.evidence

    again = client.post("/consent/confirm/", data={"token": token}, headers={"Accept-Language": "en"})
    assert "confirmed this already" in again.text
    assert len(_records(db)) == 1


def test_without_double_opt_in_the_box_is_recorded_at_once_and_no_mail_is_sent(client, db, owner):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    submit(client, form, {"first_name": "Bert", "email": "bert@example.com", "newsletter": "on"})
    wait_for(lambda: contact_by_email(db, "bert@example.com"))
    assert [r.given for r in _records(db)] == [True]
    db.expire_all()
    assert db.execute(select(EmailMessage).execution_options(all_tenants=True)).first() is None


def test_a_forged_or_foreign_confirmation_link_is_refused(client, db, owner):
    assert client.get("/consent/confirm/?token=nonsense").status_code == 400
    assert client.post("/consent/confirm/", data={"token": "nonsense"}).status_code == 400


def test_it_mails_one_confirmation_however_many_clients_send_the_form_with_one_address(
    settings, db, owner, inbox
):
    """A flood of submissions naming one address sends one e-mail; every lead is still stored."""
    purpose, text = make_purpose(db, owner)
    purpose.double_opt_in = True
    db.commit()
    form = consent_form(db, owner, purpose, text)
    behind_proxy = dataclasses.replace(
        settings, server=dataclasses.replace(settings.server, trusted_proxies=("testclient",))
    )
    with TestClient(create_app(behind_proxy), base_url="http://testserver.local") as client:
        for n in range(3):
            answers = {"first_name": "Anna", "email": "anna@example.com", "newsletter": "on"}
            response = submit(client, form, answers, **{"x-forwarded-for": f"203.0.113.{n}"})
            assert response.status_code == 201
        inbox.wait("anna@example.com")
        settled(db)
    assert len(inbox.to("anna@example.com")) == 1
    db.expire_all()
    assert len(db.execute(select(Submission).execution_options(all_tenants=True)).scalars().all()) == 3
