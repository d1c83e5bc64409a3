"""The list of forms: duplicate, archive, restore and delete; only the tenant's own, only for builders."""

from __future__ import annotations

from sqlalchemy import select

from landform.crm_sink.models import Submission
from landform.forms.builder.services import new_form
from landform.forms.models import Form
from tests.conftest import form_token, log_in, make_form, make_page, post_form, wait_for


def _forms(db) -> dict[str, Form]:
    db.expire_all()
    return {f.name: f for f in db.execute(select(Form).execution_options(all_tenants=True)).scalars()}


def _draft(db, persona, name: str) -> Form:
    form = new_form(name)
    form.tenant_id = persona.tenant_id
    db.add(form)
    db.commit()
    return form


def test_duplicate_makes_a_draft_copy_with_a_new_key(client, db, marketer):
    form = make_form(db, marketer, "Brochure")
    form.allowed_origins = ["https://www.example.nl"]
    db.commit()
    log_in(client, marketer)
    response = post_form(client, f"/app/forms/{form.id}/duplicate", follow_redirects=False)
    copy = _forms(db)["Brochure (copy)"]
    assert response.headers["location"] == f"/app/forms/{copy.id}"
    assert copy.key != form.key and copy.published_version is None
    assert copy.fields == form.fields and copy.allowed_origins == ["https://www.example.nl"]
    nl = post_form(client, f"/app/forms/{form.id}/duplicate?lang=nl")
    assert nl.status_code == 200
    assert "Brochure (kopie)" in _forms(db)


def test_archive_closes_the_form_keeps_its_leads_and_restore_reopens_it(client, db, owner):
    form = make_form(db, owner, "Beurs 2026")
    token = form_token(client, f"/f/{form.key}")
    client.post(f"/f/{form.key}", json={"first_name": "Ada", "email": "ada@example.com", "_lf_token": token})
    wait_for(lambda: db.execute(select(Submission).execution_options(all_tenants=True)).first())
    log_in(client, owner)
    # A form with leads is archived, never deleted.
    assert "/delete" not in client.get("/app/forms/").text
    assert "Archive it instead" in client.get(f"/app/forms/{form.id}/delete").text
    post_form(client, f"/app/forms/{form.id}/delete")
    assert "Beurs 2026" in _forms(db)

    post_form(client, f"/app/forms/{form.id}/archive")
    assert _forms(db)["Beurs 2026"].archived_at is not None
    screen = client.get(f"/app/forms/{form.id}?lang=en").text
    assert "This form is archived" in screen
    assert "Beurs 2026" not in client.get("/app/forms/").text
    assert "Beurs 2026" in client.get("/app/forms/?archived=true").text
    assert client.get(f"/f/{form.key}").status_code == 404
    assert db.execute(select(Submission).execution_options(all_tenants=True)).scalar_one()

    post_form(client, f"/app/forms/{form.id}/restore")
    assert _forms(db)["Beurs 2026"].archived_at is None
    assert client.get(f"/f/{form.key}").status_code == 200


def test_a_form_a_published_page_shows_is_not_archived(client, db, owner):
    form = make_form(db, owner, "Offerte")
    make_page(db, owner, form)
    log_in(client, owner)
    response = post_form(client, f"/app/forms/{form.id}/archive", headers={"Accept-Language": "en"})
    assert "Published pages show this form: Offer" in response.text
    assert _forms(db)["Offerte"].archived_at is None


def test_a_draft_nobody_saw_is_deleted_after_confirming(client, db, marketer):
    draft = _draft(db, marketer, "Probeersel")
    log_in(client, marketer)
    assert f"/app/forms/{draft.id}/delete" in client.get("/app/forms/").text
    confirm = client.get(f"/app/forms/{draft.id}/delete", headers={"Accept-Language": "en"})
    assert "Delete this form?" in confirm.text and "cannot be undone" in confirm.text
    assert "Probeersel" in _forms(db)  # asking is not deleting
    response = post_form(client, f"/app/forms/{draft.id}/delete", follow_redirects=False)
    assert response.headers["location"] == "/app/forms/"
    assert "Probeersel" not in _forms(db)


def test_a_sales_rep_cannot_and_another_tenant_gets_404(client, db, owner, sales_rep, stranger):
    form = make_form(db, owner, "Geheim")
    log_in(client, sales_rep)
    for action in ("duplicate", "archive", "restore", "delete"):
        assert post_form(client, f"/app/forms/{form.id}/{action}").status_code == 403
    log_in(client, stranger)
    for action in ("duplicate", "archive", "restore", "delete"):
        assert post_form(client, f"/app/forms/{form.id}/{action}").status_code == 404
    assert client.get(f"/app/forms/{form.id}/delete").status_code == 404
    assert list(_forms(db)) == ["Geheim"] and _forms(db)["Geheim"].archived_at is None


def test_publishing_an_archived_form_reopens_it(client, db, owner):
    form = make_form(db, owner, "Najaar")
    log_in(client, owner)
    post_form(client, f"/app/forms/{form.id}/archive")
    assert client.get(f"/f/{form.key}").status_code == 404
    post_form(client, f"/app/forms/{form.id}/publish")
    assert _forms(db)["Najaar"].archived_at is None
    assert client.get(f"/f/{form.key}").status_code == 200
