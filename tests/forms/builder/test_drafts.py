"""The builder's draft endpoint: autosave with a revision check, errors by where they are, tenants apart."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from landform.forms.models import Form
from tests.conftest import csrf_token, log_in, make_form


def _form(db, form_id) -> Form:
    db.expire_all()
    return db.execute(select(Form).where(Form.id == form_id).execution_options(all_tenants=True)).scalar_one()


def _save(client, form, body: Any) -> Any:
    return client.post(
        f"/app/forms/{form.id}/draft",
        content=body if isinstance(body, bytes) else None,
        json=None if isinstance(body, bytes) else body,
        headers={"x-csrftoken": csrf_token(client)},
    )


def _draft(client, form) -> dict[str, Any]:
    response = client.get(f"/app/forms/{form.id}/draft")
    assert response.status_code == 200
    return response.json()


def test_it_saves_the_draft_and_says_publishing_has_something_to_do(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    draft = _draft(client, form)
    assert draft["can_publish"] is False
    fields = draft["fields"]
    fields[0]["label"] = {"nl": "Roepnaam", "en": ""}
    phone = {"key": "new-1", "name": "", "type": "phone", "label": {"nl": "", "en": "Phone"}}
    response = _save(client, form, {"revision": draft["revision"], "fields": [*fields[:2], phone, fields[2]]})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer == {
        "revision": draft["revision"] + 1,
        "errors": {},
        "renamed": {"new-1": "phone"},
        "can_publish": True,
    }
    stored = _form(db, form.id)
    assert [f["name"] for f in stored.fields] == ["first_name", "last_name", "phone", "email"]
    # A missing translation stays missing (visitors get the other language), so the builder can flag it.
    assert stored.fields[0]["label"] == {"nl": "Roepnaam", "en": ""}
    assert stored.fields[0]["maps_to"] == "first_name"
    assert _draft(client, form)["revision"] == answer["revision"]


def test_it_refuses_a_save_from_a_stale_revision_and_changes_nothing(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    draft = _draft(client, form)
    first = _save(client, form, {"revision": draft["revision"], "fields": draft["fields"][1:]})
    assert first.status_code == 200
    second = _save(
        client, form, {"revision": draft["revision"], "fields": draft["fields"][:1] + draft["fields"][2:]}
    )
    assert second.status_code == 409
    assert second.json()["revision"] == first.json()["revision"]
    assert second.json()["saved_by"]
    assert [f["name"] for f in second.json()["fields"]] == ["last_name", "email"]  # theirs, to show
    assert [f["name"] for f in _form(db, form.id).fields] == ["last_name", "email"]


def test_it_names_the_field_that_breaks_a_rule_and_keeps_the_rest(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    draft = _draft(client, form)
    fields = draft["fields"]
    fields[0]["label"] = {"nl": "", "en": ""}
    fields[1]["label"] = {"nl": "Familienaam", "en": "Family name"}
    health = {"key": "new-2", "type": "text", "label": {"nl": "Medische klachten", "en": ""}}
    response = _save(client, form, {"revision": draft["revision"], "fields": [*fields, health]})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"first_name", "new-2"}
    assert "label" in errors["first_name"] and "special categories" in errors["new-2"]
    stored = _form(db, form.id)
    assert [f["name"] for f in stored.fields] == ["first_name", "last_name", "email"]
    assert stored.fields[0]["label"]["nl"] == "Voornaam"
    assert stored.fields[1]["label"]["nl"] == "Familienaam"


def test_it_answers_bad_input_with_a_4xx_that_says_where(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    revision = _draft(client, form)["revision"]
    assert _save(client, form, b"{not json").status_code == 400
    response = _save(client, form, {"revision": revision, "fields": "all of them"})
    assert response.status_code == 400 and "fields" in response.json()["errors"]
    response = _save(client, form, {"revision": revision, "fields": [{"key": "x", "type": "bsn"}]})
    assert response.status_code == 400 and "x" in response.json()["errors"]
    response = _save(
        client, form, {"revision": revision, "fields": [{"key": "n", "type": "text", "label": {"nl": "A"}}]}
    )
    assert response.status_code == 400 and "e-mail" in response.json()["errors"]["fields"]
    assert _save(client, form, {"fields": []}).status_code == 400
    assert len(_form(db, form.id).fields) == 3


def test_it_keeps_another_tenants_draft_out_of_reach(client, db, owner, stranger):
    form = make_form(db, owner)
    log_in(client, stranger)
    assert client.get(f"/app/forms/{form.id}/draft").status_code == 404
    assert _save(client, form, {"revision": 0, "fields": []}).status_code == 404
    assert client.get(f"/app/forms/{form.id}/canvas").status_code == 404


def test_it_draws_the_canvas_with_the_visitors_template(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    page = client.get(f"/app/forms/{form.id}/canvas?lang=en")
    assert page.status_code == 200
    assert 'data-field="email"' in page.text and "E-mail address" in page.text
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
    fields = _draft(client, form)["fields"]
    fields.append(
        {"key": "new-3", "type": "radio", "label": {"nl": "Wanneer?"}, "options": [{"label": {"nl": "Nu"}}]}
    )
    drawn = client.post(
        f"/app/forms/{form.id}/canvas",
        json={"fields": fields, "language": "nl"},
        headers={"x-csrftoken": csrf_token(client)},
    )
    assert drawn.status_code == 200
    assert 'data-field="new-3"' in drawn.text and "Wanneer?" in drawn.text and "<html" not in drawn.text
    # A visitor's form never carries the builder's marks.
    assert "data-field" not in client.get(f"/f/{form.key}").text


def test_it_updates_the_publish_button_after_publishing(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    draft = _draft(client, form)
    draft["fields"][0]["label"] = {"nl": "Naam", "en": "Name"}
    assert _save(client, form, {"revision": draft["revision"], "fields": draft["fields"]}).json()[
        "can_publish"
    ]
    client.post(f"/app/forms/{form.id}/publish", data={"_csrf_token": csrf_token(client)})
    assert _draft(client, form)["can_publish"] is False
    assert "Name" in client.get(f"/f/{form.key}?lang=en").text or "Naam" in client.get(f"/f/{form.key}").text


def test_it_saves_an_unchanged_draft_as_what_is_live(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    draft = _draft(client, form)
    answer = _save(client, form, {"revision": draft["revision"], "fields": draft["fields"]}).json()
    assert answer["can_publish"] is False, _form(db, form.id).fields


def test_a_plain_post_of_the_builder_raises_the_revision_too(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    draft = _draft(client, form)
    client.post(
        f"/app/forms/{form.id}/fields/email/move",
        data={"_csrf_token": csrf_token(client), "direction": "up"},
    )
    assert _save(client, form, {"revision": draft["revision"], "fields": draft["fields"]}).status_code == 409


def test_a_boosted_link_to_the_builder_loads_it_as_a_page_of_its_own(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    response = client.get(f"/app/forms/{form.id}", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert response.headers["hx-redirect"] == f"/app/forms/{form.id}"
    page = client.get(f"/app/forms/{form.id}")
    assert "form-builder-1.js" in page.text and "data-canvas" in page.text
