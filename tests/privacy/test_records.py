"""The processor's paperwork: terms accepted at sign-up and asked again, and the record of processing."""

from __future__ import annotations

from sqlalchemy import select

from landform.accounts import terms
from landform.accounts.models import TermsAcceptance
from tests.conftest import log_in, make_form, post_form
from tests.consent.helpers import make_purpose

SIGN_UP = {
    "company": "Bakkerij Brood",
    "first_name": "Bea",
    "last_name": "Bakker",
    "email": "bea@brood.example.com",
    "password": "deeg rijst langzaam in de oven",
    "language": "en",
}


def _acceptances(db) -> list[TermsAcceptance]:
    db.expire_all()
    return list(db.execute(select(TermsAcceptance).execution_options(all_tenants=True)).scalars())


def test_it_records_the_version_accepted_at_sign_up_and_by_whom(client, db):
    page = client.get("/signup?lang=en")
    assert "data processing agreement" in page.text and 'href="/terms"' in page.text
    assert post_form(client, "/signup", SIGN_UP).status_code == 200
    (accepted,) = _acceptances(db)
    assert (accepted.version, accepted.accepted_by_name) == (terms.TERMS_VERSION, "Bea Bakker")
    assert accepted.accepted_at is not None
    shown = client.get("/terms?lang=en")
    assert shown.status_code == 200 and "Data processing agreement (GDPR art. 28)" in shown.text


def test_it_asks_owners_and_admins_again_when_the_version_changes(client, db, owner, marketer, monkeypatch):
    log_in(client, marketer)
    assert "New terms and processing agreement" not in client.get("/app?lang=en").text
    assert post_form(client, "/app/terms/accept").status_code == 403
    client.get("/logout")

    log_in(client, owner)
    asked = client.get("/app?lang=en")
    assert "New terms and processing agreement" in asked.text
    done = post_form(client, "/app/terms/accept")
    assert "the terms and the processing agreement are accepted" in done.text
    assert "New terms and processing agreement" not in done.text
    assert [a.version for a in _acceptances(db)] == [terms.TERMS_VERSION]

    monkeypatch.setattr(terms, "TERMS_VERSION", "2027-06-01")
    assert "New terms and processing agreement" in client.get("/app?lang=en").text
    post_form(client, "/app/terms/accept")
    assert sorted(a.version for a in _acceptances(db)) == sorted([terms.TERMS_VERSION, "2026-12-07"])


def test_it_generates_the_record_of_processing_as_a_page_and_as_json(client, db, owner):
    make_purpose(db, owner)
    make_form(db, owner, "Offerte zonnepanelen")
    log_in(client, owner)
    post_form(client, "/app/terms/accept")
    page = client.get("/app/privacy/record/?lang=en")
    assert page.status_code == 200
    for words in (
        "Record of processing activities",
        "Acme Zonwering",
        "Newsletter",  # the tenant's own consent purpose
        "Capturing leads through forms",
        "Contacts in the CRM",
        "first name",
        "Offerte zonnepanelen",
        "E-mail address (E-mail address)",
        "The e-mail provider",
        "Leads with no activity",
        "730 days",
        "Every connection is encrypted",
        "accepted on",
    ):
        assert words in page.text, words
    record = client.get("/app/privacy/record/record.json?lang=en")
    assert record.status_code == 200 and "attachment" in record.headers["content-disposition"]
    data = record.json()
    assert {"Landform", "The e-mail provider"} <= {r["name"] for r in data["recipients"]}
    assert "Newsletter" in [p["purpose"] for p in data["purposes"]]
    assert any(
        c["category"] == "Contacts in the CRM" and "e-mail address" in c["data"]
        for c in data["data_categories"]
    )
    assert data["processor"]["acceptances"][0]["accepted_by"] == "Olga User"


def test_it_shows_the_record_to_owners_and_admins_only(client, db, marketer):
    log_in(client, marketer)
    assert client.get("/app/privacy/record/").status_code == 403
