"""A consent box always names the purpose it records: chosen, created on the spot, or changed later."""

from __future__ import annotations

from sqlalchemy import select

from landform.consent.models import ConsentText, Purpose
from landform.forms.models import Form
from tests.conftest import csrf_token, log_in, make_form, post_form, republish


def _form(db, form_id):
    db.expire_all()
    return db.get(Form, form_id)


def _purposes(db):
    db.expire_all()
    return db.execute(select(Purpose).execution_options(all_tenants=True)).scalars().all()


def test_it_refuses_a_consent_box_without_a_purpose(client, db, marketer):
    log_in(client, marketer)
    form = make_form(db, marketer)
    response = post_form(client, f"/app/forms/{form.id}/fields", {"type": "consent", "label_nl": "Ja, graag"})
    assert response.status_code == 422
    assert "Choose the purpose this consent box records" in response.text
    assert all(f["type"] != "consent" for f in _form(db, form.id).fields)


def test_it_creates_a_purpose_on_the_spot_from_the_field_panel(client, db, marketer):
    log_in(client, marketer)
    form = make_form(db, marketer)
    builder = client.get(f"/app/forms/{form.id}")
    assert '<option value="new"' in builder.text
    response = post_form(
        client,
        f"/app/forms/{form.id}/fields",
        {
            "type": "consent",
            "purpose_id": "new",
            "new_purpose_nl": "Nieuwsbrief",
            "new_purpose_en": "Newsletter",
            "label_nl": "Stuur mij de nieuwsbrief.",
            "label_en": "Send me the newsletter.",
        },
    )
    assert response.status_code == 200, response.text
    (purpose,) = _purposes(db)
    assert purpose.name == {"nl": "Nieuwsbrief", "en": "Newsletter"}
    text = db.execute(
        select(ConsentText).where(ConsentText.purpose_id == purpose.id).execution_options(all_tenants=True)
    ).scalar_one()
    assert text.text == {"nl": "Stuur mij de nieuwsbrief.", "en": "Send me the newsletter."}
    field = _form(db, form.id).fields[-1]
    assert (field["purpose_id"], field["consent_text_id"]) == (str(purpose.id), str(text.id))


def test_it_creates_nothing_when_the_new_purpose_has_no_name(client, db, marketer):
    log_in(client, marketer)
    form = make_form(db, marketer)
    response = post_form(
        client,
        f"/app/forms/{form.id}/fields",
        {"type": "consent", "purpose_id": "new", "label_nl": "Ja"},
    )
    assert response.status_code == 422
    assert "Give the purpose a name" in response.text
    assert _purposes(db) == []


def test_it_changes_the_purpose_of_an_existing_consent_box(client, db, marketer):
    log_in(client, marketer)
    form = make_form(db, marketer)
    for name in ("Nieuwsbrief", "Acties"):
        post_form(
            client,
            f"/app/forms/{form.id}/fields",
            {"type": "consent", "purpose_id": "new", "new_purpose_nl": name, "label_nl": f"Ja: {name}"},
        )
    first, second = _form(db, form.id).fields[-2:]
    assert first["purpose_id"] != second["purpose_id"]
    response = post_form(
        client,
        f"/app/forms/{form.id}/fields/{first['name']}",
        {"purpose_id": second["purpose_id"], "label_nl": "Ja: acties"},
    )
    assert response.status_code == 200, response.text
    assert _form(db, form.id).fields[-2]["purpose_id"] == second["purpose_id"]
    # Saved without choosing: the box keeps the purpose it records.
    post_form(client, f"/app/forms/{form.id}/fields/{first['name']}", {"label_nl": "Ja: acties!"})
    assert _form(db, form.id).fields[-2]["purpose_id"] == second["purpose_id"]


def test_it_refuses_to_publish_a_consent_box_without_a_purpose(client, db, marketer):
    form = make_form(db, marketer)
    form.fields = [
        *form.fields,
        {"name": "ok", "type": "consent", "required": False, "label": {"nl": "Mag het?", "en": "May we?"}},
    ]
    db.commit()
    log_in(client, marketer)
    response = post_form(client, f"/app/forms/{form.id}/publish")
    assert response.status_code == 200
    assert "The consent box “May we?” does not say which purpose it records" in response.text
    assert _form(db, form.id).published_version == 1
    assert "no purpose: choose one before publishing" in client.get(f"/app/forms/{form.id}").text


def test_it_still_publishes_a_box_with_its_purpose(db, marketer):
    form = make_form(db, marketer)
    form.fields = [
        *form.fields,
        {"name": "ok", "type": "consent", "label": {"nl": "Ja", "en": "Yes"}, "purpose_id": "x"},
    ]
    republish(db, form)
    assert _form(db, form.id).published_version == 2


def _save(client, form, fields):
    draft = client.get(f"/app/forms/{form.id}/draft").json()
    return client.post(
        f"/app/forms/{form.id}/draft",
        json={"revision": draft["revision"], "fields": [*draft["fields"], *fields]},
        headers={"x-csrftoken": csrf_token(client)},
    )


def test_it_creates_a_purpose_from_the_autosaved_draft_and_tells_the_builder(client, db, marketer):
    log_in(client, marketer)
    form = make_form(db, marketer)
    box = {"key": "new-1", "name": "", "type": "consent", "label": {"nl": "Ja, bel me", "en": ""}}
    response = _save(client, form, [{**box, "purpose_id": ""}])
    assert response.status_code == 422
    assert "Choose the purpose" in response.json()["errors"]["new-1"]
    response = _save(client, form, [{**box, "purpose_id": "new", "new_purpose": "Terugbellen"}])
    assert response.status_code == 200, response.text
    (purpose,) = _purposes(db)
    answer = response.json()
    assert answer["new_purposes"] == {"new-1": str(purpose.id)}
    assert [p["name"] for p in answer["purposes"]] == ["Terugbellen"]
    assert _form(db, form.id).fields[-1]["purpose_id"] == str(purpose.id)


def test_it_saves_a_file_fields_settings_from_the_draft(client, db, marketer):
    log_in(client, marketer)
    form = make_form(db, marketer)
    upload = {"key": "new-1", "name": "", "type": "file", "label": {"nl": "Offerte", "en": "Quote"}}
    response = _save(client, form, [{**upload, "accept": ["pdf"], "max_mb": 2, "max_files": 3}])
    assert response.status_code == 200, response.text
    field = _form(db, form.id).fields[-1]
    assert (field["accept"], field["max_mb"], field["max_files"]) == (["pdf"], 2, 3)
    response = _save(client, form, [{**upload, "key": "new-2", "accept": [], "max_mb": 50}])
    assert response.status_code == 422
    assert "kinds of file" in response.json()["errors"]["new-2"]
