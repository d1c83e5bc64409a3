"""/app/consent/purposes: purposes with consent texts per language; a changed text is a new version."""

from __future__ import annotations

from sqlalchemy import select

from landform.consent.models import ConsentText, Purpose
from landform.forms.models import Form
from tests.conftest import log_in, make_form, post_form


def _purposes(db):
    db.expire_all()
    return db.execute(select(Purpose).execution_options(all_tenants=True)).scalars().all()


def _texts(db, purpose):
    db.expire_all()
    return (
        db.execute(
            select(ConsentText)
            .where(ConsentText.purpose_id == purpose.id)
            .order_by(ConsentText.version)
            .execution_options(all_tenants=True)
        )
        .scalars()
        .all()
    )


def test_it_creates_a_purpose_and_keeps_every_version_of_its_text(client, db, marketer):
    log_in(client, marketer)
    response = post_form(
        client,
        "/app/consent/purposes/",
        {
            "name_nl": "Nieuwsbrief",
            "name_en": "Newsletter",
            "text_nl": "Stuur mij de nieuwsbrief.",
            "text_en": "",
        },
    )
    assert response.status_code == 200
    assert "Nieuwsbrief" in response.text or "Newsletter" in response.text
    (purpose,) = _purposes(db)
    assert purpose.tenant_id == marketer.tenant_id
    # One language given: it stands in for the other until someone translates it.
    assert _texts(db, purpose)[0].text == {
        "nl": "Stuur mij de nieuwsbrief.",
        "en": "Stuur mij de nieuwsbrief.",
    }

    edit = {"name_nl": "Nieuwsbrief", "name_en": "Newsletter", "text_nl": "Stuur mij de nieuwsbrief."}
    post_form(client, f"/app/consent/purposes/{purpose.id}", {**edit, "text_en": "Send me the newsletter."})
    post_form(client, f"/app/consent/purposes/{purpose.id}", {**edit, "text_en": "Send me the newsletter."})
    versions = _texts(db, purpose)
    assert [v.version for v in versions] == [1, 2]  # saving the same text again makes no version
    assert versions[0].text["en"] == "Stuur mij de nieuwsbrief."
    assert versions[1].text["en"] == "Send me the newsletter."
    page = client.get(f"/app/consent/purposes/{purpose.id}")
    assert "Version 2" in page.text and "Version 1" in page.text


def test_it_explains_what_is_missing(client, db, owner):
    log_in(client, owner)
    response = post_form(client, "/app/consent/purposes/", {"name_nl": "Nieuwsbrief", "text_nl": ""})
    assert response.status_code == 422
    assert "consent text" in response.text
    assert 'value="Nieuwsbrief"' in response.text
    assert _purposes(db) == []


def test_it_is_for_builders_only_and_per_tenant(client, db, owner, sales_rep, stranger):
    log_in(client, owner)
    post_form(client, "/app/consent/purposes/", {"name_nl": "Nieuwsbrief", "text_nl": "Ja, graag."})
    (purpose,) = _purposes(db)
    client.cookies.clear()
    log_in(client, sales_rep)
    assert client.get("/app/consent/purposes/").status_code == 403
    client.cookies.clear()
    log_in(client, stranger)
    assert "Nieuwsbrief" not in client.get("/app/consent/purposes/").text
    assert client.get(f"/app/consent/purposes/{purpose.id}").status_code == 404
    stolen = post_form(client, f"/app/consent/purposes/{purpose.id}", {"name_nl": "Weg", "text_nl": "Weg"})
    assert stolen.status_code == 404


def test_it_links_a_consent_box_to_a_purpose_with_its_text_as_label(client, db, owner):
    log_in(client, owner)
    post_form(
        client,
        "/app/consent/purposes/",
        {
            "name_nl": "Nieuwsbrief",
            "name_en": "Newsletter",
            "text_nl": "Ja, stuur mij de nieuwsbrief.",
            "text_en": "Yes, send me the newsletter.",
        },
    )
    (purpose,) = _purposes(db)
    form = make_form(db, owner)
    builder = client.get(f"/app/forms/{form.id}")
    assert f'<option value="{purpose.id}"' in builder.text
    response = post_form(
        client, f"/app/forms/{form.id}/fields", {"type": "consent", "purpose_id": str(purpose.id)}
    )
    assert response.status_code == 200
    db.expire_all()
    field = db.get(Form, form.id).fields[-1]
    assert field["type"] == "consent"
    assert field["purpose_id"] == str(purpose.id)
    assert field["consent_text_id"] == str(_texts(db, purpose)[0].id)
    assert field["label"] == {"nl": "Ja, stuur mij de nieuwsbrief.", "en": "Yes, send me the newsletter."}


def test_it_refuses_a_purpose_of_another_tenant_in_the_builder(client, db, owner, stranger):
    log_in(client, stranger)
    post_form(client, "/app/consent/purposes/", {"name_nl": "Nieuwsbrief", "text_nl": "Ja, graag."})
    (purpose,) = _purposes(db)
    client.cookies.clear()
    log_in(client, owner)
    form = make_form(db, owner)
    response = post_form(
        client,
        f"/app/forms/{form.id}/fields",
        {"type": "consent", "purpose_id": str(purpose.id), "label_nl": "Ja"},
    )
    assert response.status_code == 422
    assert "purposes offered" in response.text
