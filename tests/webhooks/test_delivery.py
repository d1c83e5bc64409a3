"""Signed deliveries to a real receiver: signature, retries, the log, re-send, switching off, consent."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from landform.accounts.models import Role, Tenant
from landform.core.db import sync_session
from landform.core.mail import EmailMessage
from landform.crm_sink.models import Contact
from landform.webhooks import endpoints
from landform.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.conftest import form_token, log_in, make_form, make_user, post_form, wait_for

DOCS = Path(__file__).parents[2] / "docs" / "webhooks.md"


def verify_recipe() -> Any:
    """The Python snippet of docs/webhooks.md, run as written."""
    snippet = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    assert snippet, "docs/webhooks.md shows how to verify a signature"
    namespace: dict[str, Any] = {}
    exec(snippet.group(1), namespace)
    return namespace["verify"]


def add_endpoint(client, receiver, events=("contact.created", "contact.updated", "submission.routed")) -> str:
    values = {"url": receiver.url, "description": "ERP", "events": list(events)}
    page = post_form(client, "/app/webhooks/", values)
    assert page.status_code == 200, page.text
    secret = re.search(r"(whsec_[\w-]+)", page.text)
    assert secret, "the signing secret is shown once"
    return secret.group(1)


def submit(client, form, email="ada@example.com", name="Ada") -> None:
    token = form_token(client, f"/f/{form.key}")
    response = client.post(f"/f/{form.key}", json={"first_name": name, "email": email, "_lf_token": token})
    assert response.status_code in (200, 201), response.text


def all_rows(db, model) -> list[Any]:
    db.expire_all()
    return list(db.execute(select(model).execution_options(all_tenants=True)).scalars())


def test_it_sends_signed_events_that_the_documented_recipe_verifies(client, db, owner, receiver):
    log_in(client, owner)
    secret = add_endpoint(client, receiver)
    assert secret not in client.get("/app/webhooks/").text
    form = make_form(db, owner)
    submit(client, form)
    created = wait_for(lambda: receiver.of_type("contact.created"))
    routed = wait_for(lambda: receiver.of_type("submission.routed"))
    verify = verify_recipe()
    for request in (created[0], routed[0]):
        assert verify(secret, request.headers["landform-signature"], request.body)
        assert request.headers["landform-event-id"] == request.json["id"]
    assert created[0].json["data"]["contact"]["email"] == "ada@example.com"
    assert routed[0].json["data"]["submission"]["answers"]["first_name"] == "Ada"
    # A forged body, another secret or an old timestamp does not pass.
    header = created[0].headers["landform-signature"]
    assert not verify(secret, header, created[0].body + b" ")
    assert not verify("whsec_other", header, created[0].body)
    assert not verify(secret, header, created[0].body, tolerance=-1)
    # A second submission from the same person updates the contact.
    submit(client, form, name="Ada Lovelace")
    updated = wait_for(lambda: receiver.of_type("contact.updated"))
    assert updated[0].json["data"]["contact"]["first_name"] == "Ada Lovelace"


def test_it_retries_after_500s_and_logs_every_attempt(client, db, owner, receiver):
    receiver.statuses = [500, 503]
    log_in(client, owner)
    add_endpoint(client, receiver, events=["contact.created"])
    submit(client, make_form(db, owner))
    wait_for(lambda: [d for d in all_rows(db, WebhookDelivery) if d.status == "delivered"])
    assert len(receiver.of_type("contact.created")) == 3
    ids = {r.headers["landform-event-id"] for r in receiver.of_type("contact.created")}
    assert len(ids) == 1, "a retry is the same event"
    attempts = sorted(all_rows(db, WebhookAttempt), key=lambda a: a.created_at)
    assert [a.status_code for a in attempts] == [500, 503, 200]
    assert attempts[0].response_excerpt == "receiver is down" and attempts[0].error == "HTTP 500"
    endpoint = all_rows(db, WebhookEndpoint)[0]
    assert endpoint.enabled and endpoint.consecutive_failures == 0
    log_page = client.get(f"/app/webhooks/{endpoint.id}").text
    assert "HTTP 503" in log_page and "receiver is down" in log_page


def test_it_gives_up_switches_off_tells_the_owners_and_resends_by_hand(client, db, owner, receiver):
    receiver.statuses = [500] * 6
    log_in(client, owner)
    add_endpoint(client, receiver, events=["contact.created"])
    form = make_form(db, owner)
    submit(client, form)
    wait_for(lambda: [d for d in all_rows(db, WebhookDelivery) if d.status == "failed"])
    assert len(receiver.requests) == 4  # max attempts in these settings
    submit(client, form, email="bea@example.com", name="Bea")
    endpoint = wait_for(lambda: [e for e in all_rows(db, WebhookEndpoint) if not e.enabled])[0]
    assert "6 failed attempts" in endpoint.disabled_reason
    mails = wait_for(lambda: [m for m in all_rows(db, EmailMessage) if m.recipient == owner.email])
    assert receiver.url in mails[0].body_text
    # Switched off: nothing more is sent; the receiver is fixed; the owner switches it on and re-sends.
    sent = len(receiver.requests)
    time.sleep(0.6)
    assert len(receiver.requests) == sent
    page = client.get(f"/app/webhooks/{endpoint.id}").text
    assert "This webhook is off." in page
    post_form(client, f"/app/webhooks/{endpoint.id}/enable")
    failed = next(d for d in all_rows(db, WebhookDelivery) if d.status == "failed")
    response = post_form(client, f"/app/webhooks/deliveries/{failed.id}/resend")
    assert response.status_code == 200
    wait_for(lambda: all(d.status == "delivered" for d in all_rows(db, WebhookDelivery)))
    emails = {r.json["data"]["contact"]["email"] for r in receiver.requests[-2:]}
    assert emails == {"ada@example.com", "bea@example.com"}


def test_it_sends_nothing_about_a_contact_who_asked_not_to_be_contacted(client, db, owner, receiver):
    receiver.statuses = [500]
    log_in(client, owner)
    add_endpoint(client, receiver, events=["contact.created", "contact.updated"])
    form = make_form(db, owner)
    submit(client, form)
    wait_for(lambda: receiver.requests)
    # The person withdraws while the retry waits: the retry is not sent.
    db.execute(update(Contact).values(do_not_contact=True).execution_options(all_tenants=True))
    db.commit()
    wait_for(lambda: [d for d in all_rows(db, WebhookDelivery) if d.status == "skipped"])
    assert len(receiver.requests) == 1
    # And later events about them are not even queued.
    submit(client, form, name="Ada again")
    time.sleep(0.8)
    assert len(receiver.requests) == 1
    assert len(all_rows(db, WebhookDelivery)) == 1


def test_it_sends_a_test_event_from_the_dashboard(client, db, owner, receiver):
    log_in(client, owner)
    secret = add_endpoint(client, receiver, events=["submission.routed"])
    endpoint = all_rows(db, WebhookEndpoint)[0]
    post_form(client, f"/app/webhooks/{endpoint.id}/test")
    test = wait_for(lambda: receiver.of_type("webhook.test"))
    assert verify_recipe()(secret, test[0].headers["landform-signature"], test[0].body)
    # A new secret signs from now on.
    page = post_form(client, f"/app/webhooks/{endpoint.id}/rotate").text
    new_secret = re.search(r"(whsec_[\w-]+)", page).group(1)
    assert new_secret != secret
    post_form(client, f"/app/webhooks/{endpoint.id}/test")
    second = wait_for(lambda: receiver.of_type("webhook.test")[1:])
    assert verify_recipe()(new_secret, second[0].headers["landform-signature"], second[0].body)
    assert not verify_recipe()(secret, second[0].headers["landform-signature"], second[0].body)


def test_switching_off_tells_the_owners_only_in_their_language(client, db, settings, owner, receiver):
    make_user(db, db.get_one(Tenant, owner.tenant_id), "admin@acme.example.com", Role.ADMIN)
    log_in(client, owner)
    add_endpoint(client, receiver, events=["contact.created"])
    with sync_session(settings.database.sync_url, owner.tenant_id) as session:
        endpoint = session.execute(select(WebhookEndpoint)).scalar_one()
        endpoints.disable(session, endpoint, "6 failed attempts in a row", settings)
        session.commit()
    mails = all_rows(db, EmailMessage)
    assert [m.recipient for m in mails] == [owner.email]
    assert "Hello Olga," in mails[0].body_text and receiver.url in mails[0].body_text
    assert "6 failed attempts in a row" in mails[0].body_text
