"""The operator's `landform privacy` commands, and the hooks other domains use to join export and erasure."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from landform.accounts.models import Tenant
from landform.crm_sink.models import Contact
from landform.db import scope_to_tenant
from landform.privacy import fulfilment
from landform.privacy.cli import privacy_group
from landform.privacy.models import PrivacyRequest, RequestStatus
from tests.privacy.conftest import code_in


def test_the_operator_lists_and_closes_the_platforms_own_requests(client, db, owner, inbox):
    client.post("/privacy/_/requests?lang=en", data={"email": owner.email, "kind": "erasure"})
    code = code_in(inbox.wait(owner.email, "Confirm"))
    assert client.post("/privacy/_/code", data={"email": owner.email, "code": code}).status_code == 200
    listed = CliRunner().invoke(privacy_group, ["list"])
    assert listed.exit_code == 0 and owner.email in listed.output and "erasure" in listed.output
    request = db.execute(select(PrivacyRequest)).scalar_one()
    done = CliRunner().invoke(privacy_group, ["done", str(request.id), "--note", "Account verwijderd."])
    assert done.exit_code == 0, done.output
    assert "Account verwijderd." in inbox.wait(owner.email, "is done").get_body(("plain",)).get_content()
    db.expire_all()
    assert db.get_one(PrivacyRequest, request.id).status == RequestStatus.DONE
    assert CliRunner().invoke(privacy_group, ["done", str(request.id)]).exit_code != 0


def test_other_domains_add_to_the_export_and_the_erasure(db, owner, monkeypatch):
    scope_to_tenant(db, owner.tenant_id)
    contact = Contact(tenant_id=owner.tenant_id, email="a@example.org", email_key="a@example.org")
    db.add(contact)
    db.commit()
    seen = []

    def deliveries(session, tenant_id, key):
        return "webhook_deliveries", [{"to": "https://crm.example.com", "email": key}]

    def erase_deliveries(session, tenant_id, key, contact_ids):
        seen.append((tenant_id, key, contact_ids))
        return 3

    monkeypatch.setattr(fulfilment, "export_sections", [deliveries])
    monkeypatch.setattr(fulfilment, "erasers", [erase_deliveries])
    tenant = db.get_one(Tenant, owner.tenant_id)
    assert (
        fulfilment.collect(db, tenant, "a@example.org")["webhook_deliveries"][0]["email"] == "a@example.org"
    )
    counts = fulfilment.erase_person(db, owner.tenant_id, "a@example.org")
    assert counts["erase_deliveries"] == 3
    assert seen == [(owner.tenant_id, "a@example.org", [contact.id])]
