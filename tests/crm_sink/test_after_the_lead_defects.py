"""Defects a new user found: option keys on the timeline, the embed called the hosted form, a thin CSV."""

from __future__ import annotations

import csv
import io

from landform.consent.models import ConsentRecord
from landform.core.db import scope_to_tenant
from tests.conftest import log_in, make_form, republish, wait_for
from tests.consent.helpers import consent_form, contact_by_email, make_purpose, submit

SITE = "https://www.acme-zonwering.example"


def _form_with_choices(db, owner, form=None):
    form = form or make_form(db, owner)
    form.fields = [
        *form.fields,
        {
            "name": "employees",
            "type": "select",
            "required": False,
            "label": {"nl": "Aantal medewerkers", "en": "Employees"},
            "options": [
                {"value": "f_1_10", "label": {"nl": "1 tot 10", "en": "1 to 10"}},
                {"value": "f_11_50", "label": {"nl": "11 tot 50", "en": "11 to 50"}},
            ],
        },
        {
            "name": "season",
            "type": "radio",
            "required": False,
            "label": {"nl": "Seizoen", "en": "Season"},
            "options": [{"value": "autumn", "label": {"nl": "Herfst", "en": "Autumn"}}],
        },
    ]
    form.crm_tags = ["brochure"]
    republish(db, form)
    return form


def test_the_timeline_shows_the_labels_the_visitor_saw_not_option_keys(client, db, owner):
    form = _form_with_choices(db, owner)
    answers = {"first_name": "Anna", "email": "anna@example.com", "employees": "f_11_50", "season": "autumn"}
    submit(client, form, answers, **{"Accept-Language": "nl"})
    contact = wait_for(lambda: contact_by_email(db, "anna@example.com"))
    log_in(client, owner)
    page = client.get(f"/app/contacts/{contact.id}", headers={"Accept-Language": "en"}).text
    assert "<dt>Aantal medewerkers</dt><dd>11 tot 50</dd>" in page
    assert "<dt>Seizoen</dt><dd>Herfst</dd>" in page
    assert "f_11_50" not in page and "autumn" not in page


def test_the_timeline_names_the_website_a_lead_came_from_through_the_embed(client, db, owner):
    form = make_form(db, owner)
    form.allowed_origins = [SITE]
    db.commit()
    definition = client.get(f"/f/{form.key}/embed", headers={"Origin": SITE}).json()
    sent = client.post(
        f"/f/{form.key}",
        data={"first_name": "Bo", "email": "bo@example.com", "_lf_token": definition["token"]},
        headers={"Origin": SITE, "Accept": "application/json"},
    )
    assert sent.status_code == 201, sent.text
    contact = wait_for(lambda: contact_by_email(db, "bo@example.com"))
    log_in(client, owner)
    page = client.get(f"/app/contacts/{contact.id}", headers={"Accept-Language": "en"}).text
    assert f"on the form embedded on {SITE}" in page
    assert "on the hosted form" not in page


def test_the_csv_has_the_answers_owner_tags_and_consent(client, db, owner):
    purpose, text = make_purpose(db, owner)
    form = _form_with_choices(db, owner, consent_form(db, owner, purpose, text))
    answers = {"first_name": "Anna", "email": "anna@example.com", "employees": "f_1_10", "newsletter": "on"}
    submit(client, form, answers, **{"Accept-Language": "en"})
    contact = wait_for(lambda: contact_by_email(db, "anna@example.com"))
    scope_to_tenant(db, owner.tenant_id)
    db.get_one(type(contact), contact.id).owner_id = owner.user_id
    db.commit()
    wait_for(lambda: db.query(ConsentRecord).filter(ConsentRecord.contact_id == contact.id).first())
    log_in(client, owner)
    response = client.get("/app/contacts/export.csv", headers={"Accept-Language": "en"})
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert row["owner"] == "Olga User <owner@acme.example.com>"
    assert row["tags"] == "brochure"
    assert row["consent"].startswith("Newsletter (")
    assert row["form"] == form.name
    assert "Employees: 1 to 10" in row["answers"] and "f_1_10" not in row["answers"]
