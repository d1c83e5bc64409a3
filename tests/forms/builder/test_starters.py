"""Form templates: the "new form" screen, a draft form from each template, quotas and tenants."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import func, select

from landform.billing import plans, quotas
from landform.consent.models import ConsentText, Purpose
from landform.forms.builder import starters
from landform.forms.models import Form
from tests.conftest import log_in, post_form

EN = {"Accept-Language": "en-GB,en;q=0.8"}


def _forms(db: Any) -> list[Form]:
    db.expire_all()
    return list(
        db.execute(select(Form).order_by(Form.created_at).execution_options(all_tenants=True)).scalars()
    )


def test_it_offers_every_form_template_and_a_blank_form(client, marketer):
    log_in(client, marketer)
    screen = client.get("/app/forms/new", headers=EN)
    assert screen.status_code == 200
    assert len(starters.catalogue()) >= 8
    for starter in starters.catalogue():
        assert f'href="/app/forms/new?template={starter.key}"' in screen.text
    assert "Youth workshop (with age check)" in screen.text and "Blank form" in screen.text
    chosen = client.get("/app/forms/new?template=youth_workshop", headers=EN).text
    assert '<input type="hidden" name="starter" value="youth_workshop">' in chosen
    assert "<li>Date of birth</li>" in chosen and "a parent or guardian is asked for consent" in chosen
    assert 'href="/app/forms/new"' in client.get("/app/forms/").text


def test_it_makes_a_draft_form_from_every_template(client, db, owner, monkeypatch):
    roomy = replace(plans.FREE, forms=None)
    monkeypatch.setattr(quotas, "FREE", roomy)
    monkeypatch.setitem(plans.PLANS, "free", roomy)
    log_in(client, owner)
    for starter in starters.catalogue():
        response = post_form(client, "/app/forms/new", {"starter": starter.key}, follow_redirects=False)
        form = _forms(db)[-1]
        assert response.headers["location"] == f"/app/forms/{form.id}", starter.key
        assert form.published_version is None  # a draft the marketer edits, then publishes
        assert form.name == starter.name["en"]
        assert any(f["type"] == "email" and f["required"] for f in form.fields)
        assert form.requires_age_check == starter.age_check
        assert form.submit_label["nl"] and form.submit_label["en"] and form.thank_you["nl"]
        for field in form.fields:
            if field["type"] != "hidden":
                assert field["label"]["nl"] and field["label"]["en"], (starter.key, field)
            if field["type"] == "consent":
                text = db.execute(
                    select(ConsentText)
                    .where(ConsentText.id == field["consent_text_id"])
                    .execution_options(all_tenants=True)
                ).scalar_one()
                assert field["label"] == text.text  # the purpose's own words, so the record proves them
        assert client.get(f"/app/forms/{form.id}").status_code == 200
    youth = next(f for f in _forms(db) if f.requires_age_check)
    assert any(f["type"] == "date_of_birth" for f in youth.fields)
    purposes = db.execute(select(func.count(Purpose.id)).execution_options(all_tenants=True)).scalar_one()
    assert purposes == 5


def test_it_uses_the_tenants_own_purpose_of_that_name(client, db, owner):
    log_in(client, owner)
    post_form(
        client,
        "/app/consent/purposes/",
        {
            "name_nl": "Nieuwsbrief",
            "name_en": "Newsletter",
            "text_nl": "Ja, mail me.",
            "text_en": "Yes, mail me.",
        },
    )
    post_form(client, "/app/forms/new", {"starter": "newsletter", "name": "Signup"})
    form = _forms(db)[-1]
    consent = next(f for f in form.fields if f["type"] == "consent")
    assert form.name == "Signup" and consent["label"]["en"] == "Yes, mail me."
    assert db.execute(select(func.count(Purpose.id)).execution_options(all_tenants=True)).scalar_one() == 1


def test_a_blank_form_needs_a_name_and_bad_choices_are_named(client, db, marketer):
    log_in(client, marketer)
    missing = post_form(client, "/app/forms/new", {"starter": "blank"}, headers=EN)
    assert missing.status_code == 422 and "Give the form a name." in missing.text
    odd = post_form(client, "/app/forms/new", {"starter": "nope"}, headers=EN)
    assert odd.status_code == 422 and "Choose a template, or a blank form." in odd.text
    post_form(client, "/app/forms/new", {"starter": "blank", "name": "Contact"})
    assert [f.name for f in _forms(db)] == ["Contact"]


def test_the_plan_limits_forms_made_from_templates(client, db, marketer, monkeypatch):
    full = replace(plans.FREE, forms=0)
    monkeypatch.setattr(quotas, "FREE", full)
    monkeypatch.setitem(plans.PLANS, "free", full)
    log_in(client, marketer)
    refused = post_form(client, "/app/forms/new", {"starter": "quote"}, headers=EN)
    assert refused.status_code == 403 and "Your Free plan allows 0 of these (forms)" in refused.text
    assert _forms(db) == []


def test_another_tenant_never_sees_the_form(client, db, marketer, stranger, sales_rep):
    log_in(client, marketer)
    post_form(client, "/app/forms/new", {"starter": "event"})
    form = _forms(db)[-1]
    log_in(client, stranger)
    assert client.get(f"/app/forms/{form.id}").status_code == 404
    assert form.name not in client.get("/app/forms/").text
    log_in(client, sales_rep)
    assert client.get("/app/forms/new").status_code == 403
