"""A person's copy of their data lists the webhook events that carried it; erasure empties them."""

from __future__ import annotations

from landform.core.db import scope_to_tenant
from landform.crm_sink.models import Contact
from landform.webhooks import events
from landform.webhooks.models import WebhookEvent
from tests.conftest import log_in, make_form, wait_for
from tests.webhooks.test_delivery import add_endpoint, all_rows, submit


def test_the_copy_lists_events_sent_about_the_person_and_erasure_empties_them(client, db, owner, receiver):
    log_in(client, owner)
    add_endpoint(client, receiver)
    form = make_form(db, owner)
    submit(client, form, email="ada@example.com", name="Ada")
    submit(client, form, email="bert@example.com", name="Bert")
    wait_for(lambda: len(receiver.of_type("submission.routed")) == 2)
    scope_to_tenant(db, owner.tenant_id)

    name, rows = events.privacy_export(db, owner.tenant_id, "ada@example.com")
    assert name == "webhook_deliveries"
    assert {row["type"] for row in rows} == {"contact.created", "submission.routed"}
    assert all(row["sent_to"][0]["url"] == receiver.url for row in rows)
    assert "bert@example.com" not in str(rows)

    ada = next(c for c in all_rows(db, Contact) if c.email == "ada@example.com")
    assert events.webhook_events(db, owner.tenant_id, "ada@example.com", [ada.id]) == 2
    db.commit()
    payloads = {str(e.payload) for e in all_rows(db, WebhookEvent) if e.contact_id == ada.id}
    assert payloads == {"{}"}
    assert any("bert@example.com" in str(e.payload) for e in all_rows(db, WebhookEvent))
