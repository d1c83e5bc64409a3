"""The age check: under 16 a lead waits for a parent's consent by e-mail (real SMTP); refused, it is gone."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import JSON, String, Text, select

from landform.billing import plans, quotas
from landform.billing.quotas import release_held_job
from landform.consent.minors import purge_expired_holds
from landform.consent.models import ConsentRecord, ParentalConsent
from landform.core.db import utcnow
from landform.core.jobs.models import OutboxJob
from landform.core.settings import get_settings
from landform.crm_sink.models import Submission
from landform.forms.models import Form
from landform.models import metadata
from tests.conftest import form_token, log_in, make_form, post_form, republish, wait_for
from tests.consent.helpers import consent_form, contact_by_email, make_purpose

CHILD = {"first_name": "Pippeloentje", "email": "pippeloentje.kind@example.com", "newsletter": "on"}
PARENT = "ouder.van.pip@example.org"


def _born(years_ago: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years_ago).isoformat()


@pytest.fixture
def age_form(db, owner):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text, requires_age_check=True)
    form.fields = [
        *form.fields,
        {
            "name": "date_of_birth",
            "type": "date_of_birth",
            "required": True,
            "label": {"nl": "Geboortedatum", "en": "Date of birth"},
        },
    ]
    republish(db, form)
    return form


def _send(client, form, answers: dict[str, Any], **kwargs: Any):
    token = form_token(client, f"/f/{form.key}")
    return client.post(f"/f/{form.key}", data={**answers, "_lf_token": token}, **kwargs)


def _submissions(db):
    db.expire_all()
    return db.execute(select(Submission).execution_options(all_tenants=True)).scalars().all()


def _parent_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    match = re.search(r"http://testserver\.local(/consent/parent\?token=[\w.\-]+&lang=\w+)", body)
    assert match, body
    return match.group(1)


def _hold_for_child(client, age_form) -> None:
    response = _send(
        client,
        age_form,
        {**CHILD, "date_of_birth": _born(13), "parent_email": PARENT},
        headers={"Accept": "text/html", "Accept-Language": "nl"},
    )
    assert response.status_code == 200, response.text
    assert "ouder of voogd" in response.text


def _rows_mentioning(db, *needles: str) -> list[str]:
    """Every row of every table whose text or JSON columns mention one of these."""
    db.expire_all()
    found = []
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in db.execute(select(*columns)).all():
            text = str(tuple(row)).casefold()
            found += [f"{table.name}: {row}" for needle in needles if needle.casefold() in text]
    return found


def test_it_asks_a_visitor_under_16_for_a_parents_address_keeping_the_answers(client, db, age_form):
    response = _send(
        client,
        age_form,
        {**CHILD, "date_of_birth": _born(13)},
        headers={"Accept": "text/html", "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert 'name="parent_email"' in response.text
    assert "parent or guardian" in response.text
    assert 'value="Pippeloentje"' in response.text
    assert _submissions(db) == []

    as_json = client.post(
        f"/f/{age_form.key}",
        json={
            **CHILD,
            "date_of_birth": _born(15),
            "parent_email": CHILD["email"],
            "_lf_token": form_token(client, f"/f/{age_form.key}"),
        },
    )
    assert as_json.status_code == 422
    assert set(as_json.json()["errors"]) == {"parent_email"}


def test_it_lets_a_visitor_of_16_through_without_a_parent(client, db, age_form):
    response = _send(
        client, age_form, {**CHILD, "date_of_birth": _born(16)}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 201, response.text
    assert wait_for(lambda: contact_by_email(db, CHILD["email"]))


def test_it_holds_the_lead_until_a_parent_consents_by_email(client, db, age_form, inbox):
    _hold_for_child(client, age_form)
    (submission,) = _submissions(db)
    assert db.execute(select(OutboxJob).where(OutboxJob.actor_name == "route_submission")).first() is None
    message = wait_for(lambda: inbox.messages and inbox.messages[0])
    assert message["To"] == PARENT
    assert "Acme Zonwering" in message["Subject"]
    link = _parent_link(message)
    assert contact_by_email(db, CHILD["email"]) is None

    page = client.get(link)
    assert page.status_code == 200
    assert "Pippeloentje" in page.text and "Ik geef toestemming" in page.text
    assert contact_by_email(db, CHILD["email"]) is None  # opening the link decides nothing

    token = link.split("token=", 1)[1].split("&", 1)[0]
    done = client.post("/consent/parent?lang=nl", data={"token": token, "decision": "consent"})
    assert done.status_code == 200
    assert "toestemming gegeven" in done.text.casefold()
    contact = wait_for(lambda: contact_by_email(db, CHILD["email"]))
    record = wait_for(
        lambda: db.execute(select(ConsentRecord).execution_options(all_tenants=True)).scalar_one_or_none()
    )
    assert (record.confirmed_by, record.submission_id) == ("parent", submission.id)
    assert record.evidence["parental_consent_id"]
    wait_for(lambda: (db.expire_all(), db.get(ConsentRecord, record.id).contact_id == contact.id)[1])
    # The link is used up.
    assert client.post("/consent/parent", data={"token": token, "decision": "refuse"}).status_code == 400
    assert contact_by_email(db, CHILD["email"]) is not None


def test_it_leaves_nothing_of_the_child_when_the_parent_refuses(client, db, age_form, inbox):
    _hold_for_child(client, age_form)
    link = _parent_link(wait_for(lambda: inbox.messages and inbox.messages[0]))
    assert _rows_mentioning(db, CHILD["email"], CHILD["first_name"], PARENT)
    token = link.split("token=", 1)[1].split("&", 1)[0]
    assert client.post("/consent/parent", data={"token": token}).status_code == 400  # no choice, no deletion
    assert _submissions(db)
    done = client.post(
        "/consent/parent", data={"token": token, "decision": "refuse"}, headers={"Accept-Language": "en"}
    )
    assert done.status_code == 200
    assert "deleted" in done.text
    assert _rows_mentioning(db, CHILD["email"], CHILD["first_name"], PARENT) == []
    assert contact_by_email(db, CHILD["email"]) is None


def test_it_purges_a_lead_no_parent_answered_within_7_days(client, db, age_form):
    _hold_for_child(client, age_form)
    _hold_for_child(client, age_form)
    db.expire_all()
    old, recent = db.execute(select(ParentalConsent).execution_options(all_tenants=True)).scalars().all()
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.commit()
    assert purge_expired_holds(db) == 1
    db.commit()
    assert [s.id for s in _submissions(db)] == [recent.submission_id]
    # That the worker runs it hourly: tests/ops/test_schedule.py.


def test_it_adds_a_date_of_birth_when_a_form_turns_the_age_check_on(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    response = post_form(
        client,
        f"/app/forms/{form.id}/settings",
        {"name": form.name, "submit_nl": "Versturen", "requires_age_check": "on"},
    )
    assert response.status_code == 200
    db.expire_all()
    saved = db.get(Form, form.id)
    assert saved.requires_age_check is True
    assert [f["type"] for f in saved.fields].count("date_of_birth") == 1
    assert (
        'id="f-requires_age_check" name="requires_age_check" checked'
        in client.get(f"/app/forms/{form.id}").text
    )


def test_it_asks_for_the_parent_in_the_embed_once_the_birth_date_says_under_16_and_holds_a_minor(
    client, db, age_form
):
    site = "https://www.acme-zonwering.example"
    age_form.allowed_origins = [site]
    db.commit()
    definition = client.get(
        f"/f/{age_form.key}/embed", headers={"Origin": site, "Accept-Language": "en"}
    ).json()
    parent = next(f for f in definition["fields"] if f["name"] == "parent_email")
    # Shown by a rule (embed-steps.js runs it) right after the date of birth, as a normal question.
    assert definition["ext"] == ["steps", "altcha"]
    assert parent["show_if"]["rules"] == [{"field": "date_of_birth", "op": "younger_than", "value": 16}]
    names = [f["name"] for f in definition["fields"]]
    assert names.index("parent_email") == names.index("date_of_birth") + 1
    response = client.post(
        f"/f/{age_form.key}",
        data={**CHILD, "date_of_birth": _born(14), "parent_email": PARENT, "_lf_token": definition["token"]},
        headers={"Origin": site, "Accept": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["redirect_url"] is None
    (hold,) = db.execute(select(ParentalConsent).execution_options(all_tenants=True)).scalars().all()
    assert hold.how["embed_host"] == site and hold.how["method"] == "embed"
    assert contact_by_email(db, CHILD["email"]) is None


def test_it_checks_the_age_by_an_i_am_16_or_older_box_when_the_tenant_prefers_it(client, db, owner):
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    log_in(client, owner)
    response = post_form(
        client,
        f"/app/forms/{form.id}/settings",
        {
            "name": form.name,
            "submit_nl": "Versturen",
            "requires_age_check": "on",
            "age_check_method": "declaration",
        },
    )
    assert response.status_code == 200
    db.expire_all()
    saved = db.get(Form, form.id)
    assert not any(f["type"] == "date_of_birth" for f in saved.fields), "no birth date collected"
    declaration = next(f for f in saved.fields if f.get("age_declaration"))
    republish(db, saved)
    client.cookies.clear()

    # Not ticked: treated as under 16, the parent is asked, nothing is stored yet.
    unticked = _send(client, saved, CHILD, headers={"Accept": "application/json", "Accept-Language": "en"})
    assert unticked.status_code == 422
    assert "16 or older" in unticked.json()["errors"]["parent_email"]
    assert _submissions(db) == []
    # Ticked: through, like a date of birth of 16 or more.
    ticked = _send(
        client, saved, {**CHILD, declaration["name"]: "on"}, headers={"Accept": "application/json"}
    )
    assert ticked.status_code == 201, ticked.text
    assert wait_for(lambda: contact_by_email(db, CHILD["email"]))


def test_a_form_with_a_birth_date_cannot_switch_to_the_declaration(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    settings = {"name": form.name, "submit_nl": "Versturen", "requires_age_check": "on"}
    post_form(client, f"/app/forms/{form.id}/settings", settings)
    refused = post_form(
        client, f"/app/forms/{form.id}/settings", {**settings, "age_check_method": "declaration"}
    )
    assert refused.status_code == 422 and "date of birth" in refused.text


def test_a_parent_confirmed_lead_counts_against_the_month_and_waits_at_the_limit(
    client, db, owner, age_form, inbox, monkeypatch
):
    one_lead = replace(plans.FREE, leads_per_month=1)
    monkeypatch.setattr(quotas, "FREE", one_lead)
    monkeypatch.setitem(plans.PLANS, "free", one_lead)
    _hold_for_child(client, age_form)
    # Waiting for a parent is not a lead yet: an adult's lead still fits in this month's one.
    adult = {**CHILD, "email": "volwassen@example.com", "date_of_birth": _born(40)}
    assert _send(client, age_form, adult).status_code == 200
    wait_for(lambda: contact_by_email(db, "volwassen@example.com"))

    link = _parent_link(inbox.wait(PARENT))
    token = link.split("token=", 1)[1].split("&", 1)[0]
    assert client.post("/consent/parent", data={"token": token, "decision": "consent"}).status_code == 200
    # The month's lead is used: the child's lead is held like any other, and the dashboard says so.
    log_in(client, owner)
    assert "1 lead is held" in client.get("/app/billing/", headers={"Accept-Language": "en"}).text
    assert contact_by_email(db, CHILD["email"]) is None

    with time_machine.travel(quotas.next_month_start(utcnow()) + timedelta(hours=1)):
        assert release_held_job(get_settings()) == 1
    wait_for(lambda: contact_by_email(db, CHILD["email"]))
