"""Rules and steps at the intake: hidden fields are neither required nor stored; one step per request."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from landform.crm_sink.models import Submission
from landform.forms.models import Form
from tests.conftest import form_token, make_form, republish
from tests.consent.helpers import make_purpose

JSON = {"Accept": "application/json"}
COMPANY_RULE = {"match": "all", "rules": [{"field": "kind", "op": "equals", "value": "business"}]}


def _label(text: str) -> dict[str, str]:
    return {"nl": text, "en": text}


def _stepped(db, owner, *, company_rule: bool = True) -> Form:
    """Step 1: your name and whether you buy for a business; step 2: the company (by a rule) and e-mail."""
    form = make_form(db, owner)
    company = {"name": "company", "type": "text", "required": True, "label": _label("Company")}
    if company_rule:
        company["show_if"] = COMPANY_RULE
    form.fields = [
        {
            "name": "first_name",
            "type": "text",
            "required": True,
            "maps_to": "first_name",
            "label": _label("First name"),
        },
        {
            "name": "kind",
            "type": "radio",
            "required": True,
            "label": _label("For"),
            "options": [
                {"value": "private", "label": _label("Myself")},
                {"value": "business", "label": _label("A business")},
            ],
        },
        {"name": "about_you", "type": "step", "label": _label("About you")},
        company,
        {
            "name": "email",
            "type": "email",
            "required": True,
            "label": _label("Thanks, {first_name}! Your e-mail"),
        },
        {"name": "score", "type": "nps", "required": False, "label": _label("Recommend us?")},
    ]
    republish(db, form)
    return form


def _submissions(db) -> list[Submission]:
    db.expire_all()
    return list(db.execute(select(Submission).execution_options(all_tenants=True)).scalars())


def test_it_neither_requires_nor_stores_a_field_the_answers_hide(client, db, owner):
    form = _stepped(db, owner)
    token = form_token(client, f"/f/{form.key}")
    crafted = {"first_name": "Anna", "kind": "private", "company": "Sneaky BV", "email": "anna@example.com"}
    response = client.post(f"/f/{form.key}", json={**crafted, "_lf_token": token}, headers=JSON)
    assert response.status_code == 201, response.text
    [stored] = _submissions(db)
    assert "company" not in stored.data
    assert stored.data["first_name"] == "Anna"


def test_it_requires_a_field_the_answers_show(client, db, owner):
    form = _stepped(db, owner)
    token = form_token(client, f"/f/{form.key}")
    answers = {"first_name": "Bo", "kind": "business", "email": "bo@example.com", "_lf_token": token}
    response = client.post(f"/f/{form.key}", json=answers, headers=JSON)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"company"}
    assert _submissions(db) == []


def test_it_checks_one_step_at_a_time_and_stores_one_lead_at_the_end(client, db, owner):
    form = _stepped(db, owner)
    token = form_token(client, f"/f/{form.key}")
    first = client.post(
        f"/f/{form.key}", json={"_step": "", "first_name": "", "_lf_token": token}, headers=JSON
    )
    assert first.status_code == 422
    assert set(first.json()["errors"]) == {"first_name", "kind"}, "only the first step's fields"
    step = {"_step": "", "first_name": "Cas", "kind": "business", "_lf_token": token}
    moved = client.post(f"/f/{form.key}", json=step, headers=JSON)
    assert moved.status_code == 200 and moved.json() == {"status": "step", "step": "about_you"}
    assert _submissions(db) == []
    final = {**step, "_step": "about_you", "company": "Acme", "email": "cas@example.com", "score": "9"}
    assert client.post(f"/f/{form.key}", json=final, headers=JSON).status_code == 201
    [stored] = _submissions(db)
    assert stored.data["company"] == "Acme" and stored.data["score"] == 9


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} in the page"
    return match.group(1)


def test_it_goes_one_step_per_request_without_javascript(client, db, owner):
    form = _stepped(db, owner)
    page = client.get(f"/f/{form.key}").text
    assert "Step 1 of 2" in page and 'name="email"' not in page
    token = _hidden(page, "_lf_token")
    step_one = {"_step": "", "first_name": "<b>Dirk</b>", "kind": "business", "_lf_token": token}
    second = client.post(f"/f/{form.key}", data=step_one)
    assert second.status_code == 200
    assert "Step 2 of 2" in second.text and 'name="email"' in second.text
    # Piped into the label, escaped.
    assert "Thanks, &lt;b&gt;Dirk&lt;/b&gt;! Your e-mail" in second.text
    assert _hidden(second.text, "_lf_token") == token, "one token for the whole form"
    carry = _hidden(second.text, "_carry")

    back = client.post(
        f"/f/{form.key}", data={"_step": "about_you", "_carry": carry, "_nav": "back", "_lf_token": token}
    )
    assert "Step 1 of 2" in back.text and 'value="&lt;b&gt;Dirk&lt;/b&gt;"' in back.text

    tampered = client.post(
        f"/f/{form.key}",
        data={
            "_step": "about_you",
            "_carry": carry[:-3] + "abc",
            "company": "Acme",
            "email": "d@example.com",
            "_lf_token": token,
        },
    )
    assert tampered.status_code == 422, "altered answers are dropped, so the first step's are missing"

    last = {
        "_step": "about_you",
        "_carry": carry,
        "company": "Acme",
        "email": "dirk@example.com",
        "_lf_token": token,
    }
    done = client.post(f"/f/{form.key}", data=last)
    assert done.status_code == 200 and "Step" not in done.text
    [stored] = _submissions(db)
    assert stored.data["first_name"] == "<b>Dirk</b>" and stored.data["company"] == "Acme"


def test_it_asks_the_step_again_with_its_errors_focused(client, db, owner):
    form = _stepped(db, owner)
    token = form_token(client, f"/f/{form.key}")
    again = client.post(f"/f/{form.key}", data={"_step": "", "first_name": "", "_lf_token": token})
    assert again.status_code == 422
    assert "Step 1 of 2" in again.text
    first_input = re.search(r'<input id="[^"]*first_name"[^>]*>', again.text)
    assert first_input and "autofocus" in first_input.group(0)
    assert db.execute(select(func.count(Submission.id)).execution_options(all_tenants=True)).scalar() == 0


def test_it_tells_the_embed_which_extension_a_form_needs(client, db, owner):
    plain = make_form(db, owner, "Plain")
    # Every embedded form loads the proof-of-work solver (last); only a form with steps or rules loads steps.
    definition = client.get(f"/f/{plain.key}/embed").json()
    assert definition["ext"] == ["altcha"] and "steps" not in definition
    form = _stepped(db, owner)
    definition = client.get(f"/f/{form.key}/embed").json()
    assert definition["ext"] == ["steps", "altcha"]
    assert [s["name"] for s in definition["steps"]] == ["", "about_you"]
    company = next(f for f in definition["fields"] if f["name"] == "company")
    assert company["step"] == 1 and company["show_if"] == COMPANY_RULE
    script = client.get("/embed-steps.js")
    assert script.status_code == 200 and "LandformX" in script.text
    assert script.headers["access-control-allow-origin"] == "*"


def test_it_asks_for_a_parent_as_soon_as_the_date_of_birth_says_under_16(client, db, owner):
    form = make_form(db, owner)
    form.requires_age_check = True
    form.fields = [
        *form.fields,
        {"name": "born", "type": "date_of_birth", "required": True, "label": _label("Born")},
    ]
    republish(db, form)
    page = client.get(f"/f/{form.key}").text
    parent = re.search(r'<div class="lf-field"[^>]*data-show-if="([^"]*)" data-name="parent_email"', page)
    assert parent and "younger_than" in parent.group(1)
    assert "logic-1.js" in page


def test_it_keeps_a_named_url_parameter_only_with_consent_and_cut_to_length(client, db, owner):
    form = make_form(db, owner)
    purpose, text = make_purpose(db, owner)  # a consent box always names the purpose it records
    box = {
        "name": "partners",
        "type": "consent",
        "required": False,
        "label": _label("Share with partners"),
        "purpose_id": str(purpose.id),
        "consent_text_id": str(text.id),
    }
    ref = {
        "name": "ref",
        "type": "hidden",
        "source": "url_param",
        "param": "ref",
        "consent_field": "partners",
    }
    form.fields = [*form.fields, box, ref]
    republish(db, form)
    page = client.get(f"/f/{form.key}?ref=" + "x" * 300).text
    assert f'name="ref" value="{"x" * 200}"' in page
    for ticked, email in (("on", "yes@example.com"), ("", "no@example.com")):
        token = form_token(client, f"/f/{form.key}")
        answers = {
            "first_name": "Eva",
            "email": email,
            "ref": "x" * 200,
            "partners": ticked,
            "_lf_token": token,
        }
        assert client.post(f"/f/{form.key}", json=answers, headers=JSON).status_code == 201
    kept = {s.contact_fields["email"]: s.data.get("ref") for s in _submissions(db)}
    assert kept == {"yes@example.com": "x" * 200, "no@example.com": None}
