"""The pipeline through the JSON API, the CSV export and a person's privacy rights."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from landform.core.db import scope_to_tenant
from landform.crm_sink.models import Activity
from landform.crm_sink.pipeline.models import Deal
from landform.privacy.fulfilment.erase import erase_person
from landform.privacy.fulfilment.export import collect
from tests.conftest import log_in
from tests.crm_sink.helpers import make_company, make_contact
from tests.crm_sink.test_api import _api_key


def _auth(client, persona) -> dict[str, str]:
    return {"Authorization": f"Bearer {_api_key(client, persona)}"}


def test_it_changes_and_filters_the_stage_of_contacts_through_the_api(client, db, owner):
    ada = make_contact(db, owner, "ada@example.com", first_name="Ada")
    make_contact(db, owner, "bert@example.com", first_name="Bert")
    auth = _auth(client, owner)
    answer = client.put(f"/api/v1/contacts/{ada.id}/stage", headers=auth, json={"stage": "customer"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"id": str(ada.id), "stage": "customer", "stage_reason": ""}
    found = client.get("/api/v1/contacts", params={"stage": "customer"}, headers=auth).json()
    assert [c["email"] for c in found["data"]] == ["ada@example.com"] and found["data"][0][
        "stage"
    ] == "customer"
    assert client.get("/api/v1/contacts", params={"stage": "vip"}, headers=auth).status_code == 400
    refused = client.put(f"/api/v1/contacts/{ada.id}/stage", headers=auth, json={"stage": "lost"})
    assert refused.status_code == 400 and "reason" in refused.text
    scope_to_tenant(db, owner.tenant_id)
    assert db.execute(select(Activity.kind)).scalars().all() == ["stage_changed"]


def test_it_lists_creates_and_updates_deals_with_the_api_key(client, db, owner, stranger):
    company = make_company(db, owner, "Acme BV")
    ada = make_contact(db, owner, "ada@example.com", company_id=company.id)
    auth = _auth(client, owner)
    stages = client.get("/api/v1/pipeline/stages", headers=auth).json()
    assert [s["outcome"] for s in stages][-2:] == ["won", "lost"]
    created = client.post(
        "/api/v1/deals",
        headers=auth,
        json={
            "name": "Roof",
            "value_cents": 1250050,
            "contact_id": str(ada.id),
            "expected_close_on": "2027-02-01",
        },
    )
    assert created.status_code == 201, created.text
    deal = created.json()
    assert deal["stage_id"] == stages[0]["id"] and deal["company_id"] == str(company.id)
    assert deal["currency"] == "EUR"
    moved = client.patch(f"/api/v1/deals/{deal['id']}", headers=auth, json={"stage_id": stages[2]["id"]})
    assert moved.status_code == 200 and moved.json()["stage_id"] == stages[2]["id"]
    listed = client.get("/api/v1/deals", params={"stage_id": stages[2]["id"]}, headers=auth).json()
    assert [d["name"] for d in listed["data"]] == ["Roof"]
    assert (
        client.post("/api/v1/deals", headers=auth, json={"name": "x", "value_cents": -1}).status_code == 400
    )
    bad_link = client.post("/api/v1/deals", headers=auth, json={"name": "x", "stage_id": str(ada.id)})
    assert bad_link.status_code == 400 and "stage_id" in bad_link.text
    # Another tenant's key sees none of it, and cannot link to it.
    other = _auth(client, stranger)
    assert client.get(f"/api/v1/deals/{deal['id']}", headers=other).status_code == 404
    assert (
        client.patch(f"/api/v1/deals/{deal['id']}", headers=other, json={"name": "stolen"}).status_code == 404
    )
    assert client.get("/api/v1/deals", headers=other).json()["data"] == []
    linked = client.post("/api/v1/deals", headers=other, json={"name": "x", "contact_id": str(ada.id)})
    assert linked.status_code == 400
    schema = client.get("/api/v1/schema/openapi.json").json()
    assert {"/api/v1/deals", "/api/v1/deals/{deal_id}", "/api/v1/contacts/{contact_id}/stage"} <= set(
        schema["paths"]
    )
    assert "stage" in schema["components"]["schemas"]["ContactOut"]["properties"]


def test_it_puts_stage_and_deals_in_the_contacts_csv(client, db, owner):
    ada = make_contact(db, owner, "ada@example.com", stage="prospect")
    auth = _auth(client, owner)
    client.post(
        "/api/v1/deals", headers=auth, json={"name": "Roof", "value_cents": 99900, "contact_id": str(ada.id)}
    )
    log_in(client, owner)
    rows = list(csv.DictReader(io.StringIO(client.get("/app/contacts/export.csv?lang=en").text)))
    assert rows[0]["stage"] == "prospect"
    assert rows[0]["deals"] == "Roof (€999.00, Nieuw)"


def test_the_copy_holds_the_persons_deals_and_erasure_empties_their_names_and_notes(client, db, owner):
    ada = make_contact(db, owner, "ada@example.com")
    bert = make_contact(db, owner, "bert@example.com")
    auth = _auth(client, owner)
    for contact, name in ((ada, "Ada's roof"), (bert, "Bert's roof")):
        body = {
            "name": name,
            "value_cents": 100,
            "contact_id": str(contact.id),
            "notes": f"{name}: call after 5",
        }
        assert client.post("/api/v1/deals", headers=auth, json=body).status_code == 201
    scope_to_tenant(db, owner.tenant_id)
    from landform.accounts.models import Tenant

    sections = collect(db, db.get_one(Tenant, owner.tenant_id), "ada@example.com")
    assert [(d["name"], d["stage"]) for d in sections["deals"]] == [("Ada's roof", "Nieuw")]
    erase_person(db, owner.tenant_id, "ada@example.com")
    db.commit()
    db.expire_all()
    deals = {d.contact_id: d for d in db.execute(select(Deal)).scalars()}
    assert (deals[ada.id].name, deals[ada.id].notes, deals[ada.id].value_cents) == ("", "", 100)
    assert deals[bert.id].name == "Bert's roof"
