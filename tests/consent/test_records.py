"""The consent ledger: the exact text version a person saw, how and when; append-only by construction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from landform.consent.models import ConsentRecord, ConsentText, LedgerIsAppendOnly, Purpose
from landform.consent.services import browser_family
from landform.core.db import scope_to_tenant
from tests.conftest import log_in, post_form, republish, wait_for
from tests.consent.helpers import NEWSLETTER_EN, consent_form, contact_by_email, make_purpose, submit

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"


def _records(db):
    db.expire_all()
    return db.execute(select(ConsentRecord).execution_options(all_tenants=True)).scalars().all()


def test_it_records_the_text_version_shown_and_learns_the_contact_when_routed(client, db, owner):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    response = submit(
        client,
        form,
        {"first_name": "Anna", "email": "anna@example.com", "newsletter": True},
        **{"User-Agent": FIREFOX, "Accept-Language": "en"},
    )
    assert response.status_code == 201, response.text
    contact = wait_for(lambda: contact_by_email(db, "anna@example.com"))
    record = wait_for(lambda: (r := _records(db)) and r[0].contact_id and r[0])
    assert record.contact_id == contact.id
    assert (record.purpose_id, record.text_id, record.given) == (purpose.id, text.id, True)
    assert (record.text_shown, record.language) == (NEWSLETTER_EN, "en")
    assert (record.method, record.form_id, record.form_version) == ("form", form.id, form.published_version)
    assert record.user_agent_family == "Firefox"
    assert record.ip_hash and "testclient" not in record.ip_hash and len(record.ip_hash) == 32

    # A new text later does not change what this person agreed to.
    log_in(client, owner)
    post_form(
        client,
        f"/app/consent/purposes/{purpose.id}",
        {"name_nl": "Nieuwsbrief", "text_nl": "Nieuwe tekst", "text_en": "New text"},
    )
    db.expire_all()
    assert db.get(ConsentText, record.text_id).text["en"] == NEWSLETTER_EN
    assert _records(db)[0].text_id == text.id


def test_it_records_each_ticked_box_with_the_lead_and_none_for_the_box_left_empty(client, db, owner):
    newsletter, newsletter_text = make_purpose(db, owner)
    offers = Purpose(tenant_id=owner.tenant_id, name={"nl": "Aanbiedingen", "en": "Offers"})
    db.add(offers)
    db.flush()
    offers_text = ConsentText(
        tenant_id=owner.tenant_id, purpose_id=offers.id, version=1, text={"nl": "Bel mij", "en": "Call me"}
    )
    calls = Purpose(tenant_id=owner.tenant_id, name={"nl": "Enquêtes", "en": "Surveys"})
    db.add_all([offers_text, calls])
    db.flush()
    calls_text = ConsentText(
        tenant_id=owner.tenant_id, purpose_id=calls.id, version=1, text={"nl": "Vraag mij", "en": "Ask me"}
    )
    db.add(calls_text)
    db.commit()
    form = consent_form(db, owner, newsletter, newsletter_text)
    form.fields = [
        *form.fields,
        *(
            {
                "name": name,
                "type": "consent",
                "required": False,
                "label": dict(text.text),
                "purpose_id": str(purpose.id),
                "consent_text_id": str(text.id),
            }
            for name, purpose, text in (("offers", offers, offers_text), ("surveys", calls, calls_text))
        ),
    ]
    republish(db, form)

    answers = {"first_name": "Anna", "email": "anna@example.com", "newsletter": True, "offers": True}
    response = submit(client, form, answers, **{"Accept-Language": "en"})
    assert response.status_code == 201, response.text
    contact = wait_for(lambda: contact_by_email(db, "anna@example.com"))
    records = wait_for(lambda: (r := _records(db)) and all(x.contact_id for x in r) and r)
    shown = sorted((record.text_shown, record.text_id, record.contact_id) for record in records)
    assert shown == sorted(
        [(NEWSLETTER_EN, newsletter_text.id, contact.id), ("Call me", offers_text.id, contact.id)]
    )
    submission_ids = {record.submission_id for record in records}
    assert len(submission_ids) == 1 and None not in submission_ids


def test_it_records_nothing_for_an_unticked_box(client, db, owner):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    submit(client, form, {"first_name": "Bob", "email": "bob@example.com"})
    wait_for(lambda: contact_by_email(db, "bob@example.com"))
    assert _records(db) == []


def test_it_refuses_to_change_or_delete_a_record(client, db, owner):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    submit(client, form, {"first_name": "Anna", "email": "anna@example.com", "newsletter": "on"})
    (record,) = wait_for(lambda: _records(db))
    scope_to_tenant(db, owner.tenant_id)
    record.given = False
    with pytest.raises(LedgerIsAppendOnly):
        db.flush()
    db.rollback()
    db.delete(db.get(ConsentRecord, record.id))
    with pytest.raises(LedgerIsAppendOnly):
        db.flush()
    db.rollback()
    (kept,) = _records(db)
    assert kept.given is True


def test_it_shows_consent_on_the_contacts_page(client, db, owner):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    submit(
        client,
        form,
        {"first_name": "Anna", "email": "anna@example.com", "newsletter": "on"},
        **{"Accept-Language": "en"},
    )
    contact = wait_for(lambda: contact_by_email(db, "anna@example.com"))
    wait_for(lambda: (r := _records(db)) and r[0].contact_id)
    log_in(client, owner)
    page = client.get(f"/app/contacts/{contact.id}", headers={"Accept-Language": "en"}).text
    assert "Gave consent" in page
    assert NEWSLETTER_EN in page
    assert "text version 1" in page


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (FIREFOX, "Firefox"),
        (
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {WEBKIT} Chrome/131.0 Safari/537.36",
            "Chrome",
        ),
        (
            f"Mozilla/5.0 (Windows NT 10.0) {WEBKIT} Chrome/131.0 Safari/537.36 Edg/131.0",
            "Edge",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Version/17.0 Safari/604.1",
            "Safari",
        ),
        ("Googlebot/2.1 (+http://www.google.com/bot.html)", "Bot"),
        ("", ""),
    ],
)
def test_it_keeps_only_the_browser_family(agent, family):
    assert browser_family(agent) == family
