"""Proof of consent on request: the evidence bundle per contact and the report per purpose."""

from __future__ import annotations

import csv
import hashlib
import io
import json

from sqlalchemy import select

from landform.consent.models import ConsentRecord
from tests.conftest import log_in, post_form, wait_for
from tests.consent.helpers import NEWSLETTER_EN, consent_form, contact_by_email, make_purpose, submit


def _linked_records(db, count):
    def ready():
        db.expire_all()
        rows = db.execute(select(ConsentRecord).execution_options(all_tenants=True)).scalars().all()
        return rows if len(rows) == count and all(r.contact_id for r in rows) else None

    return wait_for(ready)


def test_the_evidence_bundle_holds_what_the_person_saw_and_did(client, db, owner):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    submit(
        client,
        form,
        {"first_name": "Anna", "email": "anna@example.com", "newsletter": "on"},
        **{"Accept-Language": "en"},
    )
    submit(client, form, {"first_name": "Bert", "email": "bert@example.com", "newsletter": "on"})
    contact = wait_for(lambda: contact_by_email(db, "anna@example.com"))
    _linked_records(db, 2)

    log_in(client, owner)
    page = client.get(f"/app/contacts/{contact.id}").text
    assert f"/app/consent/evidence/{contact.id}" in page
    response = client.get(f"/app/consent/evidence/{contact.id}")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    bundle = response.json()
    assert bundle["data_subject"]["email"] == "anna@example.com"
    [record] = bundle["records"]  # Anna's only, not Bert's
    assert record["given"] is True and record["text_version"] == 1 and record["method"] == "form"
    assert record["text_shown"] == NEWSLETTER_EN
    assert bundle["texts"][0]["text"]["en"] == NEWSLETTER_EN
    expected = hashlib.sha256(
        json.dumps(bundle["records"], sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    assert bundle["records_sha256"] == expected


def test_the_purpose_report_counts_per_version_and_lists_every_record(client, db, owner):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    for name in ("anna", "bert", "cees"):
        submit(client, form, {"first_name": name, "email": f"{name}@example.com", "newsletter": "on"})
    _linked_records(db, 3)
    log_in(client, owner)
    # A new text version: consents already given stay on version 1.
    post_form(
        client,
        f"/app/consent/purposes/{purpose.id}",
        {
            "name_nl": "Nieuwsbrief",
            "name_en": "Newsletter",
            "text_nl": "Ja, mail mij.",
            "text_en": "Yes, mail me.",
        },
    )
    report = client.get(f"/app/consent/purposes/{purpose.id}/report")
    assert report.status_code == 200
    assert "Yes, mail me." in report.text
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/app/consent/purposes/{purpose.id}/report.csv").text))
    )
    assert len(rows) == 3
    assert {r["text_version"] for r in rows} == {"1"}
    assert not any("@" in value for row in rows for value in row.values()), "people by contact id only"


def test_evidence_is_not_for_sales_reps_nor_another_tenant(client, db, owner, sales_rep, stranger):
    purpose, _text = make_purpose(db, owner)
    log_in(client, sales_rep)
    assert client.get(f"/app/consent/purposes/{purpose.id}/report").status_code == 403
    client.cookies.clear()
    log_in(client, stranger)
    assert client.get(f"/app/consent/purposes/{purpose.id}/report").status_code == 404
    assert client.get(f"/app/consent/purposes/{purpose.id}/report.csv").status_code == 404
