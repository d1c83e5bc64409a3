"""The builder keeps steps and rules with the draft; rules on a removed field go with it."""

from __future__ import annotations

from tests.conftest import log_in, make_form, post_form
from tests.forms.builder.test_drafts import _draft, _form, _save

RULE = {"match": "all", "rules": [{"field": "first_name", "op": "filled", "value": ""}]}


def test_it_saves_a_step_and_a_rule_that_survive_reordering(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    draft = _draft(client, form)
    first, last, email = draft["fields"]
    step = {"key": "new-step", "name": "", "type": "step", "label": {"nl": "Contact", "en": "Contact"}}
    last["show_if"] = {**RULE, "rules": [*RULE["rules"], {"field": "nobody", "op": "filled"}]}
    response = _save(client, form, {"revision": draft["revision"], "fields": [first, step, last, email]})
    assert response.status_code == 200, response.text
    assert response.json()["renamed"] == {"new-step": "step_contact"}
    stored = _form(db, form.id)
    assert [f["name"] for f in stored.fields] == ["first_name", "step_contact", "last_name", "email"]
    assert stored.fields[2]["show_if"] == RULE, "the rule on a field that does not exist is left out"

    again = _draft(client, form)
    fields = again["fields"]
    moved = [fields[0], fields[1], fields[3], fields[2]]
    assert _save(client, form, {"revision": again["revision"], "fields": moved}).status_code == 200
    assert _form(db, form.id).fields[3]["show_if"] == RULE


def test_it_removes_the_rules_that_use_a_removed_field(client, db, owner):
    form = make_form(db, owner)
    form.fields = [form.fields[0], {**form.fields[1], "show_if": RULE}, form.fields[2]]
    db.commit()
    log_in(client, owner)
    page = client.get(f"/app/forms/{form.id}").text
    assert "form-rules-1.js" in page
    response = post_form(client, f"/app/forms/{form.id}/fields/first_name/remove", follow_redirects=False)
    assert response.status_code in (200, 302, 303), response.text
    assert "show_if" not in _form(db, form.id).fields[0]
