"""Erasure and withdrawal reach the tenant's other systems: signed notices, their receipts, the flags."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import time_machine
from sqlalchemy import select

from landform.core.db import utcnow
from landform.crm_sink.models import Contact
from landform.privacy.models import PrivacyRequest
from tests.conftest import log_in, make_form, wait_for
from tests.privacy.conftest import code_in
from tests.webhooks.test_delivery import DOCS, add_endpoint, all_rows, submit, verify_recipe

NOTICES = ("contact.created", "contact.erased", "consent.withdrawn", "contact.do_not_contact")


def ack_recipe() -> dict[str, Any]:
    """The acknowledgement snippet of docs/webhooks.md, run as written."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    snippet = [block for block in blocks if "def sign_ack" in block]
    assert snippet, "docs/webhooks.md shows how to acknowledge a notice"
    namespace: dict[str, Any] = {}
    exec(snippet[0], namespace)
    return namespace


def ask_and_confirm(client, inbox, address: str, kind: str, count: int) -> None:
    asked = client.post("/privacy/acme/requests?lang=en", data={"email": address, "kind": kind})
    assert asked.status_code == 200, asked.text
    message = inbox.wait(address, "Confirm your privacy request", count)
    confirmed = client.post("/privacy/acme/code?lang=en", data={"email": address, "code": code_in(message)})
    assert confirmed.status_code == 200, confirmed.text


def request_of(db, address_kind: str) -> PrivacyRequest:
    db.expire_all()
    rows = db.execute(select(PrivacyRequest).order_by(PrivacyRequest.created_at)).scalars()
    return [r for r in rows if r.kind.value == address_kind][-1]


def test_it_tells_an_endpoint_of_an_erasure_and_records_its_signed_acknowledgement(
    client, db, owner, receiver, inbox
):
    log_in(client, owner)
    secret = add_endpoint(client, receiver, events=NOTICES)
    form = make_form(db, owner)
    submit(client, form, email="Ada.Lovelace@example.com", name="Ada")
    created = wait_for(lambda: receiver.of_type("contact.created"))[0].json["data"]["contact"]

    ask_and_confirm(client, inbox, "ada.lovelace@example.com", "erasure", 1)
    notice = wait_for(lambda: receiver.of_type("contact.erased"))[0]
    assert verify_recipe()(secret, notice.headers["landform-signature"], notice.body)
    body = notice.body.decode().casefold()
    assert "lovelace" not in body and "Ada" not in notice.body.decode()
    data = notice.json["data"]
    recipe = ack_recipe()
    assert data["contact"] == {
        "id": created["id"],
        "email_hash": recipe["email_hash"](secret, " ada.lovelace@EXAMPLE.com"),
    }
    # The erasure left the notice in place, and nothing of the person in it.
    assert not [e for e in all_rows(db, Contact) if "lovelace" in (e.email or "").casefold()]

    # Unsigned, for another event, or signed with another secret: refused and not recorded.
    ack_path = urlsplit(data["ack_url"]).path
    assert ack_path == f"/webhooks/ack/{notice.json['id']}"
    body, headers = recipe["sign_ack"](secret, notice.json["id"])
    assert client.post(ack_path, content=body).status_code == 401
    other, other_headers = recipe["sign_ack"](secret, "0193aaaa-0000-7000-8000-000000000000")
    assert client.post(ack_path, content=other, headers=other_headers).status_code == 400
    _body, forged = recipe["sign_ack"]("whsec_other", notice.json["id"])
    assert client.post(ack_path, content=body, headers=forged).status_code == 401
    unknown = "/webhooks/ack/0193aaaa-0000-7000-8000-000000000000"
    assert client.post(unknown, content=other, headers=other_headers).status_code == 404

    erasure = request_of(db, "erasure")
    page = client.get(f"/app/privacy/{erasure.id}?lang=en").text
    assert receiver.url in page and "Waiting for confirmation" in page

    answer = client.post(ack_path, content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["event_id"] == notice.json["id"]

    page = client.get(f"/app/privacy/{erasure.id}?lang=en").text
    assert "Your other systems were told through webhooks" in page
    assert "Confirmed on" in page and "Waiting for confirmation" not in page
    bundle = client.get(f"/app/consent/evidence/{created['id']}").json()
    told = bundle["downstream_notices"]
    assert [(n["type"], n["endpoint"], n["status"]) for n in told] == [
        ("contact.erased", receiver.url, "delivered")
    ]
    assert told[0]["acknowledged_at"] and told[0]["delivered_at"]
    endpoint_page = client.get("/app/webhooks/?lang=en").text
    endpoint_id = re.search(r'href="/app/webhooks/([0-9a-f-]{36})"', endpoint_page).group(1)
    assert "confirmed by the receiver" in client.get(f"/app/webhooks/{endpoint_id}?lang=en").text


def test_it_tells_of_a_withdrawal_and_flags_notices_unconfirmed_after_seven_days(
    client, db, owner, receiver, inbox
):
    log_in(client, owner)
    secret = add_endpoint(client, receiver, events=NOTICES)
    form = make_form(db, owner)
    submit(client, form, email="bert@example.com", name="Bert")
    contact_id = wait_for(lambda: receiver.of_type("contact.created"))[0].json["data"]["contact"]["id"]

    ask_and_confirm(client, inbox, "bert@example.com", "withdrawal", 1)
    withdrawn = wait_for(lambda: receiver.of_type("consent.withdrawn"))[0]
    refused = wait_for(lambda: receiver.of_type("contact.do_not_contact"))[0]
    verify = verify_recipe()
    for notice in (withdrawn, refused):
        assert verify(secret, notice.headers["landform-signature"], notice.body)
        assert notice.json["data"]["contact"]["id"] == contact_id
        assert "bert" not in notice.body.decode().casefold()
    assert withdrawn.json["data"]["purposes"] == ["all"]
    withdrawal = request_of(db, "withdrawal")
    assert "downstream-flag" not in client.get("/app/privacy/?lang=en").text

    # One of the two is confirmed; a week and a day later the other is flagged in the queue.
    body, headers = ack_recipe()["sign_ack"](secret, refused.json["id"])
    assert client.post(
        urlsplit(refused.json["data"]["ack_url"]).path, content=body, headers=headers
    ).is_success
    with time_machine.travel(utcnow() + timedelta(days=6, hours=23), tick=False):
        assert "has not confirmed" not in client.get("/app/privacy/?lang=en").text
    with time_machine.travel(utcnow() + timedelta(days=8), tick=False):
        queue = client.get("/app/privacy/?lang=en").text
        assert "1 system has not confirmed after 7 days" in queue
        detail = client.get(f"/app/privacy/{withdrawal.id}?lang=en").text
        assert "Not confirmed after 7 days" in detail and "Confirmed on" in detail
