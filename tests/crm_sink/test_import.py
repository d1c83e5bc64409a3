"""Importing contacts and companies from a CSV file: upload, mapping, validation, dedupe, report."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import func, select

from landform.accounts.models import Tenant
from landform.consent.models import ConsentRecord
from landform.core.db import scope_to_tenant
from landform.crm_sink.imports.models import ContactImport
from landform.crm_sink.models import Activity, Company, Contact
from tests.conftest import csrf_token, log_in, post_form, wait_for

EXCEL_NL = (
    "Voornaam;Tussenvoegsel;Achternaam;E-mailadres;Telefoon;Bedrijfsnaam;KvK-nummer;Plaats\r\n"
    "Jan;van der;Berg;jan@bakkerij-berg.nl;020 123 4567;Bakkerij Bérg;12345678;Zwolle\r\n"
    "Els;;Smit;els@bakkerij-berg.nl;;Bakkerij Bérg;12345678;Zwolle\r\n"
    "Piet;;Kaas;geen-adres;;;;\r\n"
    "Anna;;Visser;anna@example.com;12;;;\r\n"
    "Kees;;Bos;KEES@example.com;;;1234;\r\n"
    "Jan;;Dubbel;jan@bakkerij-berg.nl;;;;\r\n"
).encode("cp1252")


def _upload(client, body: bytes, name: str = "export.csv"):
    return client.post(
        "/app/contacts/import/",
        data={"_csrf_token": csrf_token(client)},
        files={"file": (name, body, "text/csv")},
        follow_redirects=False,
    )


def _import_id(response) -> str:
    assert response.status_code in {302, 303}, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def _selected(html: str) -> dict[str, str]:
    """Column label -> the option chosen for it on the mapping screen."""
    chosen = {}
    for label, select_html in re.findall(
        r'<label for="f-column_\d+">([^<]*)</label></th>\s*<td>\s*(<select.*?</select>)', html, re.S
    ):
        found = re.search(r'<option value="([^"]*)" selected', select_html)
        chosen[label] = found.group(1) if found else ""
    return chosen


def _start(client, import_id: str, html: str, **choices: str):
    fields = {f"column_{n}": value for n, value in enumerate(_selected(html).values())}
    return post_form(
        client,
        f"/app/contacts/import/{import_id}",
        {
            **fields,
            "on_duplicate": "skip",
            "lawful_basis": "legitimate_interest",
            "source_name": "HubSpot",
            **choices,
        },
        follow_redirects=False,
    )


def _job(db, import_id: str) -> ContactImport:
    db.expire_all()
    return db.execute(
        select(ContactImport).where(ContactImport.id == UUID(import_id)).execution_options(all_tenants=True)
    ).scalar_one()


def _finished(db, import_id: str) -> ContactImport:
    def done():
        job = _job(db, import_id)
        return job if job.status in {"done", "failed"} else None

    return wait_for(done, timeout=60)


def test_it_reads_excels_dutch_csv_and_guesses_the_mapping(client, db, owner):
    log_in(client, owner)
    import_id = _import_id(_upload(client, EXCEL_NL))
    page = client.get(f"/app/contacts/import/{import_id}")
    assert page.status_code == 200
    assert "Windows-1252" in page.text and "<code>;</code>" in page.text
    assert _selected(page.text) == {
        "Voornaam": "contact.first_name",
        "Tussenvoegsel": "contact.infix",
        "Achternaam": "contact.last_name",
        "E-mailadres": "contact.email",
        "Telefoon": "contact.phone",
        "Bedrijfsnaam": "company.name",
        "KvK-nummer": "company.kvk_number",
        "Plaats": "company.city",
    }
    # The preview shows the first rows as the file has them, accents read right.
    assert "Bakkerij Bérg" in page.text and "jan@bakkerij-berg.nl" in page.text


def test_it_reads_utf8_with_a_bom_and_commas(client, owner):
    log_in(client, owner)
    body = "\ufeffEmail,First name,Company,VAT number\nzoë@example.org,Zoë,Zoë BV,NL004495445B01\n".encode()
    import_id = _import_id(_upload(client, body))
    page = client.get(f"/app/contacts/import/{import_id}")
    assert "UTF-8" in page.text and "<code>,</code>" in page.text
    assert _selected(page.text) == {
        "Email": "contact.email",
        "First name": "contact.first_name",
        "Company": "company.name",
        "VAT number": "company.vat_number",
    }


def test_it_imports_rows_and_reports_each_refused_one_with_why(client, db, owner):
    log_in(client, owner)
    import_id = _import_id(_upload(client, EXCEL_NL))
    started = _start(client, import_id, client.get(f"/app/contacts/import/{import_id}").text)
    assert started.status_code in {302, 303}
    job = _finished(db, import_id)
    assert (job.status, job.created_count, job.refused_count) == ("done", 2, 4)

    scope_to_tenant(db, owner.tenant_id)
    jan = db.execute(select(Contact).where(Contact.email_key == "jan@bakkerij-berg.nl")).scalar_one()
    assert (jan.first_name, jan.last_name, jan.phone, jan.source) == (
        "Jan",
        "van der Berg",
        "+31201234567",
        "import",
    )
    company = db.get_one(Company, jan.company_id)
    assert (company.name, company.kvk_number, company.city) == ("Bakkerij Bérg", "12345678", "Zwolle")
    els = db.execute(select(Contact).where(Contact.email_key == "els@bakkerij-berg.nl")).scalar_one()
    assert els.company_id == company.id  # one company for both, matched by its KvK number
    [activity] = db.execute(select(Activity).where(Activity.contact_id == jan.id)).scalars()
    assert activity.kind == "imported"
    assert (
        activity.details["lawful_basis"] == "legitimate_interest"
        and activity.details["source_name"] == "HubSpot"
    )

    report = client.get(f"/app/contacts/import/{import_id}")
    assert "Download the refused rows" in report.text
    refused = client.get(f"/app/contacts/import/{import_id}/refused.csv")
    assert refused.status_code == 200 and refused.headers["content-type"].startswith("text/csv")
    header, *lines = csv.reader(io.StringIO(refused.content.decode("utf-8-sig")))
    assert header[0] == "Voornaam" and header[-2:] == ["Line", "Reason"]
    reasons = {line[-2]: line for line in lines}
    assert "not a valid e-mail address" in reasons["4"][-1] and reasons["4"][0] == "Piet"
    assert "valid phone number" in reasons["5"][-1]
    assert "KvK number" in reasons["6"][-1]
    assert reasons["7"][-1] == "The same e-mail address as row 2."

    timeline = client.get(f"/app/contacts/{jan.id}")
    assert "Imported" in timeline.text and "from HubSpot" in timeline.text


def test_it_invents_no_consent(client, db, owner):
    log_in(client, owner)
    body = b"E-mail;Nieuwsbrief\nnina@example.com;ja\n"
    import_id = _import_id(_upload(client, body))
    _start(client, import_id, client.get(f"/app/contacts/import/{import_id}").text)
    assert _finished(db, import_id).created_count == 1
    scope_to_tenant(db, owner.tenant_id)
    assert db.execute(select(func.count()).select_from(ConsentRecord)).scalar_one() == 0
    without = client.get("/app/contacts/", params={"consent": "none"})
    assert "nina@example.com" in without.text


@pytest.mark.parametrize("choice", ["skip", "update"])
def test_a_known_address_is_skipped_or_updated_as_chosen(client, db, owner, choice):
    log_in(client, owner)
    first = _import_id(_upload(client, b"E-mail;Voornaam;Functie\nmia@example.com;Mia;Inkoper\n"))
    _start(client, first, client.get(f"/app/contacts/import/{first}").text)
    _finished(db, first)
    again = _import_id(_upload(client, b"E-mail;Voornaam;Functie\nMIA@example.com;Mira;\n"))
    _start(client, again, client.get(f"/app/contacts/import/{again}").text, on_duplicate=choice)
    job = _finished(db, again)
    scope_to_tenant(db, owner.tenant_id)
    mia = db.execute(select(Contact).where(Contact.email_key == "mia@example.com")).scalar_one()
    if choice == "skip":
        assert (job.skipped_count, job.updated_count, mia.first_name) == (1, 0, "Mia")
    else:
        # An empty cell changes nothing.
        assert (job.updated_count, mia.first_name, mia.job_title) == (1, "Mira", "Inkoper")


def test_the_mapping_must_name_the_email_column_and_each_field_once(client, owner):
    log_in(client, owner)
    import_id = _import_id(_upload(client, b"Naam;Adres\nMia;Dorpsstraat 1\n"))
    refused = post_form(
        client,
        f"/app/contacts/import/{import_id}",
        {"column_0": "contact.first_name", "column_1": "contact.first_name", "on_duplicate": "skip",
         "lawful_basis": "consent"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "Another column fills this field already." in refused.text
    assert "Choose why you may keep" in refused.text
    missing = post_form(
        client,
        f"/app/contacts/import/{import_id}",
        {"column_0": "contact.first_name", "on_duplicate": "skip", "lawful_basis": "contract"},
    )
    assert missing.status_code == 422 and "holds the e-mail address" in missing.text


def test_a_file_that_is_no_csv_gets_a_clear_answer(client, owner):
    log_in(client, owner)
    empty = _upload(client, b"")
    assert empty.status_code == 422 and ("Choose a CSV file" in empty.text or "empty" in empty.text)
    binary = _upload(client, b"PK\x03\x04\x00\x00binary", name="contacts.xlsx")
    assert binary.status_code == 422 and "not a CSV file" in binary.text


def test_abandoning_deletes_the_file(client, db, owner, settings):
    log_in(client, owner)
    import_id = _import_id(_upload(client, b"E-mail\nmia@example.com\n"))
    path = Path(_job(db, import_id).path)
    assert path.exists()
    post_form(client, f"/app/contacts/import/{import_id}/abandon")
    assert not path.exists()
    assert _job(db, import_id).status == "abandoned"


def test_the_file_is_deleted_once_imported(client, db, owner):
    log_in(client, owner)
    import_id = _import_id(_upload(client, b"E-mail\nmia@example.com\n"))
    path = Path(_job(db, import_id).path)
    _start(client, import_id, client.get(f"/app/contacts/import/{import_id}").text)
    assert _finished(db, import_id).path == ""
    assert not path.exists()


def test_another_tenants_import_is_not_found(client, db, owner, stranger):
    log_in(client, owner)
    import_id = _import_id(_upload(client, b"E-mail\nmia@example.com\n"))
    client.cookies.clear()
    log_in(client, stranger)
    for path in ("", "/progress", "/refused.csv"):
        assert client.get(f"/app/contacts/import/{import_id}{path}").status_code == 404
    assert post_form(client, f"/app/contacts/import/{import_id}/abandon").status_code == 404
    assert "export.csv" not in client.get("/app/contacts/import/").text


def test_a_sales_rep_cannot_import(client, sales_rep):
    log_in(client, sales_rep)
    assert client.get("/app/contacts/import/").status_code == 403


def test_a_persons_refused_rows_are_in_their_export_and_go_with_erasure(client, db, owner):
    from landform.crm_sink.imports import services

    log_in(client, owner)
    import_id = _import_id(_upload(client, b"E-mail;Telefoon\nmia@example.com;12\n"))
    _start(client, import_id, client.get(f"/app/contacts/import/{import_id}").text)
    assert _finished(db, import_id).refused_count == 1
    tenant = db.get_one(Tenant, owner.tenant_id)
    _name, rows = services.export_section(db, tenant.id, "mia@example.com")
    assert rows and rows[0]["values"]["E-mail"] == "mia@example.com"
    assert services.erase(db, tenant.id, "mia@example.com", []) == 1
    assert services.export_section(db, tenant.id, "mia@example.com")[1] == []


def test_it_imports_5000_rows_through_the_job_on_postgresql(client, db, owner, settings):
    if not settings.database.sync_url.startswith("postgresql"):
        pytest.skip("the bulk path under test is PostgreSQL's (JSON record sets, advisory locks)")
    log_in(client, owner)
    lines = ["E-mailadres;Voornaam;Bedrijfsnaam;KvK-nummer;Website"]
    lines += [
        f"p{n}@firma{n // 50}.nl;P{n};Firma {n // 50};{10_000_000 + n // 50};firma{n // 50}.nl"
        for n in range(5000)
    ]
    import_id = _import_id(_upload(client, ("\n".join(lines) + "\n").encode()))
    _start(client, import_id, client.get(f"/app/contacts/import/{import_id}").text)
    job = _finished(db, import_id)
    assert (job.status, job.created_count, job.refused_count, job.processed_rows) == ("done", 5000, 0, 5000)
    scope_to_tenant(db, owner.tenant_id)
    assert db.execute(select(func.count()).select_from(Contact)).scalar_one() == 5000
    # A company per KvK number, shared by its fifty people.
    assert db.execute(select(func.count()).select_from(Company)).scalar_one() == 100
    assert db.execute(select(func.count(func.distinct(Contact.company_id)))).scalar_one() == 100


def test_a_file_nobody_maps_within_a_day_is_swept(client, db, owner, settings):
    import time_machine

    from landform.core.db import utcnow
    from landform.crm_sink.imports import services

    log_in(client, owner)
    import_id = _import_id(_upload(client, b"E-mail\nmia@example.com\n"))
    path = Path(_job(db, import_id).path)
    assert services.sweep(settings) == 0 and path.exists()
    with time_machine.travel(utcnow() + services.UNFINISHED + timedelta(minutes=1)):
        assert services.sweep(settings) == 1
    assert not path.exists()
    assert (_job(db, import_id).status, _job(db, import_id).path) == ("abandoned", "")
