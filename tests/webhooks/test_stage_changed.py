"""contact.stage_changed: queued when a contact moves to another stage, signed like every event."""

from __future__ import annotations

from tests.conftest import log_in, post_form, wait_for
from tests.crm_sink.helpers import make_contact
from tests.webhooks.test_delivery import add_endpoint, verify_recipe


def test_it_sends_a_signed_stage_changed_event(client, db, owner, receiver):
    contact = make_contact(db, owner, "ada@example.com", first_name="Ada", owner_id=owner.user_id)
    log_in(client, owner)
    secret = add_endpoint(client, receiver, events=("contact.stage_changed",))
    post_form(
        client, f"/app/contacts/{contact.id}/stage", {"stage": "not_a_fit", "reason": "Rents her house"}
    )
    sent = wait_for(lambda: receiver.of_type("contact.stage_changed"))
    assert verify_recipe()(secret, sent[0].headers["landform-signature"], sent[0].body)
    data = sent[0].json["data"]
    assert data["stage"] == {"from": "lead", "to": "not_a_fit", "reason": "Rents her house"}
    assert data["contact"]["email"] == "ada@example.com" and data["contact"]["stage"] == "not_a_fit"
    assert data["changed_by"] == str(owner.user_id)
    assert not receiver.of_type("contact.updated")
