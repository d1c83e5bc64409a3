"""CSV export: the filtered list, streamed; never a do-not-contact contact; sales reps only their own."""

from __future__ import annotations

import csv
import io

from tests.conftest import log_in
from tests.crm_sink.helpers import make_contact, make_many


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_it_exports_the_filtered_list_without_do_not_contact(client, db, owner):
    make_contact(db, owner, "ada@example.com", first_name="=HYPERLINK(1)", tags=("fair",))
    make_contact(db, owner, "bea@example.com", first_name="Bea", do_not_contact=True, tags=("fair",))
    make_contact(db, owner, "cor@example.com", first_name="Cor")
    log_in(client, owner)
    rows = _rows(client.get("/app/contacts/export.csv?tag=fair"))
    assert [r["email"] for r in rows] == ["ada@example.com"]
    assert rows[0]["first_name"] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it
    assert len(_rows(client.get("/app/contacts/export.csv?consent=dnc"))) == 0


def test_it_streams_a_large_export_in_pages(client, db, owner):
    make_many(db, owner, 2100)
    log_in(client, owner)
    rows = _rows(client.get("/app/contacts/export.csv"))
    assert len({r["id"] for r in rows}) == 2100


def test_it_lets_a_sales_rep_export_only_their_own_contacts(client, db, owner, sales_rep):
    make_contact(db, owner, "mine@example.com", owner_id=sales_rep.user_id)
    make_contact(db, owner, "theirs@example.com", owner_id=owner.user_id)
    log_in(client, sales_rep)
    assert [r["email"] for r in _rows(client.get("/app/contacts/export.csv"))] == ["mine@example.com"]
    refused = client.get(f"/app/contacts/export.csv?owner={owner.user_id}")
    assert refused.status_code == 403
