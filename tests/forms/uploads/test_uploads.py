"""Files sent with a form: checked by their bytes, kept outside the web root, downloaded only by the team."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

from sqlalchemy import select

from landform import hooks
from landform.accounts.models import Tenant
from landform.billing import quotas
from landform.core.db import scope_to_tenant
from landform.core.files import FileStore
from landform.crm_sink.models import Contact, Submission
from landform.forms.uploads.models import SubmissionFile
from landform.forms.uploads.services import sweep_orphans
from landform.privacy.fulfilment import erase, export
from tests.conftest import form_token, log_in, make_page, wait_for
from tests.forms.uploads.helpers import answers, file_form, pdf, png

JSON = {"Accept": "application/json"}


def _stored(settings) -> list[Path]:
    root = settings.files_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _contact(db, email_key="femke@example.com"):
    db.expire_all()
    return db.execute(
        select(Contact).where(Contact.email_key == email_key).execution_options(all_tenants=True)
    ).scalar_one_or_none()


def _send(client, form, files, **extra):
    return client.post(
        f"/f/{form.key}/files", data={**answers(client, form), **extra}, files=files, headers=JSON
    )


def test_it_keeps_an_image_rewritten_and_the_team_downloads_it_as_an_attachment(client, db, owner, settings):
    form = file_form(db, owner)
    sent = png()
    response = _send(client, form, [("attachment", ("kitchen.png", sent, "image/png"))])
    assert response.status_code == 201, response.text
    contact = wait_for(lambda: _contact(db))
    row = db.execute(select(SubmissionFile).execution_options(all_tenants=True)).scalar_one()
    assert (row.filename, row.content_type, row.field_name) == ("kitchen.png", "image/png", "attachment")
    assert [p.name for p in _stored(settings)] == [str(row.id)]
    assert settings.files_dir.resolve() not in Path("landform/static").resolve().parents

    log_in(client, owner)
    page = client.get(f"/app/contacts/{contact.id}")
    assert "kitchen.png" in page.text
    download = client.get(f"/app/contacts/{contact.id}/files/{row.id}")
    assert download.status_code == 200
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "kitchen.png" in download.headers["content-disposition"]
    # Pixels we wrote: the visitor's text chunk (a location) did not survive.
    assert download.content.startswith(b"\x89PNG") and b"52.37N" not in download.content
    assert b"52.37N" in sent


def test_it_keeps_a_plain_pdf(client, db, owner):
    form = file_form(db, owner)
    response = _send(client, form, [("attachment", ("quote.pdf", pdf(), "application/pdf"))])
    assert response.status_code == 201, response.text
    row = db.execute(select(SubmissionFile).execution_options(all_tenants=True)).scalar_one()
    assert row.content_type == "application/pdf"


def test_it_refuses_a_png_that_is_really_a_pdf_with_javascript(client, db, owner, settings):
    form = file_form(db, owner)
    response = _send(client, form, [("attachment", ("cat.png", pdf(script=True), "image/png"))])
    assert response.status_code == 422
    assert "scripts" in response.json()["errors"]["attachment"]
    assert _stored(settings) == []
    assert db.execute(select(Submission).execution_options(all_tenants=True)).first() is None


def test_it_refuses_a_pdf_that_carries_a_file(client, db, owner, settings):
    form = file_form(db, owner)
    response = _send(client, form, [("attachment", ("quote.pdf", pdf(attachment=True), "application/pdf"))])
    assert response.status_code == 422
    assert "attached files" in response.json()["errors"]["attachment"]
    assert _stored(settings) == []


def test_it_refuses_an_executable_renamed_to_an_image(client, db, owner, settings):
    form = file_form(db, owner)
    program = b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(2000)
    response = _send(client, form, [("attachment", ("holiday.jpg", program, "image/jpeg"))])
    assert response.status_code == 422
    assert "not one of the kinds" in response.json()["errors"]["attachment"]
    assert _stored(settings) == []


def test_it_refuses_a_pdf_where_only_images_are_taken(client, db, owner):
    form = file_form(db, owner, accept=["image"])
    response = _send(client, form, [("attachment", ("quote.pdf", pdf(), "application/pdf"))])
    assert response.status_code == 422
    assert "Images" in response.json()["errors"]["attachment"]


def test_it_names_the_field_when_a_file_is_too_large_or_there_are_too_many(client, db, owner, settings):
    form = file_form(db, owner)
    large = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    response = _send(client, form, [("attachment", ("big.pdf", large, "application/pdf"))])
    assert response.status_code == 422
    assert "larger than 1 MB" in response.json()["errors"]["attachment"]
    three = [("attachment", (f"p{i}.png", png(), "image/png")) for i in range(3)]
    response = _send(client, form, three)
    assert response.status_code == 422
    assert "at most 2 files" in response.json()["errors"]["attachment"]
    assert _stored(settings) == []


def test_it_says_so_when_the_accounts_storage_is_full(client, db, owner, settings, monkeypatch):
    async def full(_db):
        return 10

    monkeypatch.setattr(quotas, "storage_allowance", full)
    form = file_form(db, owner)
    response = _send(client, form, [("attachment", ("kitchen.png", png(), "image/png"))])
    assert response.status_code == 422
    assert "storage is full" in response.json()["errors"]["attachment"]
    assert _stored(settings) == []


def test_it_asks_for_a_required_file_and_ignores_a_name_typed_into_a_plain_post(client, db, owner):
    form = file_form(db, owner, required=True)
    response = client.post(
        f"/f/{form.key}", data={**answers(client, form), "attachment": "passport.pdf"}, headers=JSON
    )
    assert response.status_code == 422
    assert "choose a file" in response.json()["errors"]["attachment"]


def test_it_hides_a_contacts_files_from_another_tenant(client, db, owner, stranger):
    form = file_form(db, owner)
    assert _send(client, form, [("attachment", ("kitchen.png", png(), "image/png"))]).status_code == 201
    contact = wait_for(lambda: _contact(db))
    row = db.execute(select(SubmissionFile).execution_options(all_tenants=True)).scalar_one()
    log_in(client, stranger)
    assert client.get(f"/app/contacts/{contact.id}/files/{row.id}").status_code == 404


def test_it_deletes_an_erased_persons_files_from_disk(client, db, owner, settings):
    form = file_form(db, owner)
    assert _send(client, form, [("attachment", ("kitchen.png", png(), "image/png"))]).status_code == 201
    wait_for(lambda: _contact(db))
    assert len(_stored(settings)) == 1
    scope_to_tenant(db, owner.tenant_id)
    counts = erase.erase_person(db, owner.tenant_id, "femke@example.com")
    db.commit()
    assert counts["erase"] == 1
    assert _stored(settings) == []
    assert db.execute(select(SubmissionFile).execution_options(all_tenants=True)).first() is None


def test_it_sweeps_files_no_kept_submission_claims(client, db, owner, settings):
    form = file_form(db, owner)
    assert _send(client, form, [("attachment", ("kitchen.png", png(), "image/png"))]).status_code == 201
    kept = db.execute(select(SubmissionFile).execution_options(all_tenants=True)).scalar_one()
    store = FileStore(settings.files_dir)
    # Bytes of a submission that never committed (a crash between the disk and the database).
    stray = store.path(owner.tenant_id, owner.user_id)
    stray.write_bytes(b"left behind")
    an_hour_ago = time.time() - 2 * 3600
    for path in _stored(settings):
        os.utime(path, (an_hour_ago, an_hour_ago))
    assert sweep_orphans(db, store) == 1
    db.commit()
    assert [p.name for p in _stored(settings)] == [str(kept.id)]
    # A submission that is gone (a parent said no) leaves a row without one: swept with its bytes.
    db.execute(
        Submission.__table__.delete().where(Submission.__table__.c.id == kept.submission_id)  # type: ignore[attr-defined]
    )
    db.commit()
    assert sweep_orphans(db, store) == 1
    db.commit()
    assert _stored(settings) == []


def test_it_posts_forms_with_files_as_multipart_and_tells_the_embed(client, db, owner):
    form = file_form(db, owner)
    html = client.get(f"/f/{form.key}").text
    assert f'action="/f/{form.key}/files" enctype="multipart/form-data"' in html
    assert 'type="file"' in html and 'accept="image/png' in html and " multiple" in html
    definition = client.get(f"/f/{form.key}/embed").json()
    assert definition["ext"] == ["files", "altcha"]
    assert definition["action"].endswith(f"/f/{form.key}/files")
    assert client.get("/embed-files.js").headers["access-control-allow-origin"] == "*"
    response = client.post(f"/f/{form.key}/files", data={"email": "x@example.com"}, headers=JSON)
    assert response.status_code == 415


def test_it_takes_files_from_a_landing_page_without_javascript(client, db, owner, settings):
    form = file_form(db, owner)
    page = make_page(db, owner, form)
    html = client.get(f"/p/acme/{page.slug}").text
    assert f'action="/f/{form.key}/files" enctype="multipart/form-data"' in html
    token = form_token(client, f"/p/acme/{page.slug}")
    response = client.post(
        f"/f/{form.key}/files",
        data={"first_name": "Kees", "email": "femke@example.com", "_lf_token": token},
        files=[("attachment", ("kitchen.png", png(), "image/png"))],
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert response.status_code == 200, response.text
    assert "Thank you" in response.text or "Bedankt" in response.text
    submission = wait_for(
        lambda: db.execute(select(Submission).execution_options(all_tenants=True)).scalar_one_or_none()
    )
    assert submission.context["source"] == "page"
    assert submission.data["attachment"] == "kitchen.png"
    assert len(_stored(settings)) == 1


def test_it_puts_a_persons_files_in_their_export(client, db, owner):
    form = file_form(db, owner)
    assert _send(client, form, [("attachment", ("kitchen.png", png(), "image/png"))]).status_code == 201
    wait_for(lambda: _contact(db))
    scope_to_tenant(db, owner.tenant_id)
    tenant = db.get(Tenant, owner.tenant_id)
    sections = export.collect(db, tenant, "femke@example.com")
    (row,) = sections["files"]
    assert (row["filename"], row["content_type"]) == ("kitchen.png", "image/png")
    files = [item for hook in hooks.export_files for item in hook(db, owner.tenant_id, "femke@example.com")]
    archive = zipfile.ZipFile(io.BytesIO(export.build_zip(sections, tenant.name, "en", files=files)))
    name = f"files/{row['file_id']}-kitchen.png"
    assert archive.read(name).startswith(b"\x89PNG")
