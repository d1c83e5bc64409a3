"""The dashboard's form builder: create, add, move and remove fields, settings; with and without htmx."""

from __future__ import annotations

from sqlalchemy import select

from landform.forms.models import Form
from tests.conftest import log_in, make_form, post_form


def _form(db, form_id=None) -> Form:
    db.expire_all()
    query = select(Form).execution_options(all_tenants=True)
    if form_id:
        query = query.where(Form.id == form_id)
    return db.execute(query).scalar_one()


def test_it_creates_a_form_with_name_and_email_fields(client, db, marketer):
    log_in(client, marketer)
    response = post_form(client, "/app/forms/", {"name": "Brochure"}, follow_redirects=False)
    form = _form(db)
    assert response.headers["location"] == f"/app/forms/{form.id}"
    assert [f["type"] for f in form.fields] == ["text", "text", "email"]
    assert form.tenant_id == marketer.tenant_id
    assert "Brochure" in client.get("/app/forms/").text


def test_it_adds_a_field_and_returns_the_fragment_to_htmx(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    response = post_form(
        client,
        f"/app/forms/{form.id}/fields",
        {"type": "phone", "label_nl": "Telefoon", "label_en": "Phone", "required": "on"},
        headers={"HX-Request": "true", "HX-Target": "fields"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text and "Phone" in response.text
    added = _form(db, form.id).fields[-1]
    assert added == {
        "type": "phone",
        "required": True,
        "name": "phone",
        "label": {"nl": "Telefoon", "en": "Phone"},
    }


def test_it_refuses_to_remove_the_last_email_field(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    response = post_form(client, f"/app/forms/{form.id}/fields/email/remove")
    assert response.status_code == 422
    assert "e-mail field" in response.text
    assert any(f["type"] == "email" for f in _form(db, form.id).fields)
    response = post_form(client, f"/app/forms/{form.id}/fields/last_name/remove", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert [f["name"] for f in _form(db, form.id).fields] == ["first_name", "email"]


def test_it_moves_fields(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    post_form(client, f"/app/forms/{form.id}/fields/email/move", {"direction": "up"})
    assert [f["name"] for f in _form(db, form.id).fields] == ["first_name", "email", "last_name"]


def test_it_refuses_a_thank_you_address_that_is_not_http(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    response = post_form(
        client,
        f"/app/forms/{form.id}/settings",
        {
            "name": "Brochure",
            "redirect_url": "javascript:alert(1)",
            "thank_you_nl": "Dank",
            "thank_you_en": "Thanks",
            "submit_nl": "Stuur",
            "submit_en": "Send",
        },
    )
    assert response.status_code == 422
    assert "javascript:alert(1)" in response.text  # kept in the field to correct
    assert _form(db, form.id).redirect_url is None
    response = post_form(
        client,
        f"/app/forms/{form.id}/settings",
        {
            "name": "Brochure 2",
            "redirect_url": "https://acme.example.com/thanks",
            "thank_you_nl": "Dank",
            "thank_you_en": "Thanks",
            "submit_nl": "Stuur",
            "submit_en": "Send",
        },
        follow_redirects=False,
    )
    assert response.status_code in (302, 303)
    saved = _form(db, form.id)
    assert (saved.name, saved.redirect_url, saved.submit_label) == (
        "Brochure 2",
        "https://acme.example.com/thanks",
        {"nl": "Stuur", "en": "Send"},
    )


def test_it_shows_builder_errors_for_unknown_types_and_hidden_sources(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    assert (
        post_form(client, f"/app/forms/{form.id}/fields", {"type": "bsn", "label_en": "BSN"}).status_code
        == 422
    )
    response = post_form(client, f"/app/forms/{form.id}/fields", {"type": "hidden", "source": "cookie"})
    assert response.status_code == 422
    assert len(_form(db, form.id).fields) == 3


def test_it_edits_a_fields_texts_options_and_settings_keeping_its_name(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    post_form(
        client,
        f"/app/forms/{form.id}/fields",
        {"type": "select", "label_nl": "Dak", "label_en": "Roof", "options": "Plat | Flat\nSchuin | Pitched"},
    )
    response = post_form(
        client,
        f"/app/forms/{form.id}/fields/roof",
        {
            "label_nl": "Soort dak",
            "label_en": "Kind of roof",
            "help_nl": "Kies wat het meest lijkt.",
            "options": "Plat | Flat\nSchuin | Pitched\nRiet | Thatched",
            "required": "on",
        },
        headers={"HX-Request": "true", "HX-Target": "fields"},
    )
    assert response.status_code == 200 and "Kind of roof" in response.text
    roof = _form(db, form.id).fields[-1]
    assert roof["name"] == "roof" and roof["type"] == "select" and roof["required"] is True
    assert roof["label"] == {"nl": "Soort dak", "en": "Kind of roof"}
    assert [o["value"] for o in roof["options"]] == ["flat", "pitched", "thatched"]
    assert "Soort dak" not in client.get(f"/f/{form.key}").text, "visitors see it once published"


def test_an_edit_is_checked_like_a_new_field_and_changes_nothing_when_refused(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    before = _form(db, form.id).fields
    refused = post_form(
        client,
        f"/app/forms/{form.id}/fields/first_name",
        {"label_nl": "Uw religie", "label_en": "Your religion"},
    )
    assert refused.status_code == 422 and "special categories" in refused.text
    empty = post_form(client, f"/app/forms/{form.id}/fields/first_name", {"label_nl": "", "label_en": ""})
    assert empty.status_code == 422 and "label" in empty.text
    missing = post_form(client, f"/app/forms/{form.id}/fields/nothing_here", {"label_nl": "X"})
    assert missing.status_code == 422
    assert _form(db, form.id).fields == before


def test_saving_settings_says_whether_visitors_wait_for_a_publish(client, db, owner):
    form = make_form(db, owner)  # published
    log_in(client, owner)
    same = {
        "name": form.name,
        "submit_nl": form.submit_label.get("nl", ""),
        "submit_en": form.submit_label.get("en", ""),
        "thank_you_nl": form.thank_you.get("nl", ""),
        "thank_you_en": form.thank_you.get("en", ""),
    }
    # Allowing a website works at once: no "publish" for a button that is disabled.
    saved = post_form(
        client, f"/app/forms/{form.id}/settings", {**same, "allowed_origins": "https://acme.example"}
    )
    assert "Saved. This applies at once." in saved.text and "Publish to show" not in saved.text
    assert client.get(f"/f/{form.key}/embed", headers={"Origin": "https://acme.example"}).status_code == 200

    changed = post_form(client, f"/app/forms/{form.id}/settings", {**same, "thank_you_en": "Thank you!"})
    assert "Saved. Publish to show the changes to visitors." in changed.text
