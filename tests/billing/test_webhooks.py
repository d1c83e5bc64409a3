"""POST /webhooks/stripe: verified on the raw body, each event applied once, late events ignored."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import func, select

from landform.billing.models import StripeEvent, Subscription
from landform.core.db import scope_to_tenant
from tests.billing.conftest import PRICE_BUSINESS, PRICE_PRO, deliver, event, signature


def _customer(db, persona, customer_id="cus_acme"):
    scope_to_tenant(db, persona.tenant_id)
    db.add(Subscription(tenant_id=persona.tenant_id, stripe_customer_id=customer_id))
    db.commit()


def _subscription(price, status="active", sub_id="sub_acme", customer="cus_acme", **extra):
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": False,
        "items": {"data": [{"id": "si_1", "price": {"id": price}, "current_period_end": 1_900_000_000}]},
        **extra,
    }


def _row(db, persona):
    db.expire_all()
    scope_to_tenant(db, persona.tenant_id)
    return db.execute(select(Subscription)).scalar_one()


def _events(db):
    return db.execute(select(func.count(StripeEvent.id))).scalar_one()


def test_it_refuses_a_bad_signature_and_changes_nothing(client, db, owner):
    _customer(db, owner)
    body = json.dumps(event("customer.subscription.created", _subscription(PRICE_PRO), 1_800_000_000))
    for header in (signature(body, secret="whsec_someone_else"), "t=1,v1=00", ""):
        response = client.post(
            "/webhooks/stripe",
            content=body,
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert "Stripe-Signature header does not match" in response.text
    tampered = body.replace(PRICE_PRO, PRICE_BUSINESS)
    response = client.post(
        "/webhooks/stripe", content=tampered, headers={"Stripe-Signature": signature(body)}
    )
    assert response.status_code == 400
    assert _row(db, owner).plan == "free"
    assert _events(db) == 0


def test_it_applies_a_signed_subscription_event(client, db, owner):
    _customer(db, owner)
    response = deliver(
        client, event("customer.subscription.created", _subscription(PRICE_PRO), 1_800_000_000)
    )
    assert response.status_code == 200
    row = _row(db, owner)
    assert (row.plan, row.status, row.stripe_subscription_id) == ("pro", "active", "sub_acme")
    assert row.current_period_end.timestamp() == 1_900_000_000


def test_it_applies_the_same_event_once(client, db, owner):
    _customer(db, owner)
    failed = event("invoice.payment_failed", {"object": "invoice", "customer": "cus_acme"}, 1_800_000_100)
    deliver(client, event("customer.subscription.created", _subscription(PRICE_PRO), 1_800_000_000))
    assert deliver(client, failed).json()["applied"] is True
    first_grace = _row(db, owner).grace_until
    paid = event("invoice.paid", {"object": "invoice", "customer": "cus_acme"}, 1_800_000_200)
    deliver(client, paid)
    assert _row(db, owner).grace_until is None
    # Stripe delivers the failure again: it was applied already, so the paid invoice still stands.
    again = deliver(client, failed)
    assert again.status_code == 200
    assert again.json()["applied"] is False
    assert first_grace is not None
    assert _row(db, owner).grace_until is None
    assert _events(db) == 3


def test_it_ignores_an_event_older_than_the_one_applied(client, db, owner):
    _customer(db, owner)
    newer = event("customer.subscription.updated", _subscription(PRICE_BUSINESS), 1_800_000_500, "evt_new")
    older = event("customer.subscription.updated", _subscription(PRICE_PRO), 1_800_000_400, "evt_old")
    deliver(client, newer)
    assert deliver(client, older).status_code == 200
    assert _row(db, owner).plan == "business"


def test_a_cancelled_subscription_does_not_come_back(client, db, owner):
    _customer(db, owner)
    deleted = _subscription(PRICE_PRO, status="canceled")
    deliver(client, event("customer.subscription.deleted", deleted, 1_800_000_500))
    # An update from the same second, delivered after the deletion.
    deliver(
        client, event("customer.subscription.updated", _subscription(PRICE_PRO), 1_800_000_500, "evt_late")
    )
    row = _row(db, owner)
    assert (row.plan, row.status) == ("free", "canceled")


def test_an_older_payment_success_does_not_end_a_newer_failure(client, db, owner):
    _customer(db, owner)
    deliver(client, event("customer.subscription.created", _subscription(PRICE_PRO), 1_800_000_000))
    deliver(client, event("invoice.payment_failed", {"customer": "cus_acme"}, 1_800_000_300))
    deliver(client, event("invoice.paid", {"customer": "cus_acme"}, 1_800_000_200))
    assert _row(db, owner).grace_until is not None


def test_it_links_a_finished_checkout_to_the_tenant(client, db, owner):
    checkout = {
        "object": "checkout.session",
        "client_reference_id": str(owner.tenant_id),
        "customer": "cus_new",
        "subscription": "sub_new",
    }
    deliver(client, event("checkout.session.completed", checkout, 1_800_000_000))
    deliver(
        client,
        event(
            "customer.subscription.created",
            _subscription(PRICE_PRO, sub_id="sub_new", customer="cus_new"),
            1_800_000_001,
        ),
    )
    row = _row(db, owner)
    assert (row.stripe_customer_id, row.stripe_subscription_id, row.plan) == ("cus_new", "sub_new", "pro")


def test_a_new_subscription_takes_over_after_the_grace_ran_out(client, db, owner):
    _customer(db, owner)
    deliver(client, event("customer.subscription.created", _subscription(PRICE_PRO), 1_800_000_000))
    deliver(client, event("invoice.payment_failed", {"customer": "cus_acme"}, 1_800_000_100))
    row = _row(db, owner)
    row.grace_until, row.plan, row.status = None, "free", "unpaid"  # what end_grace leaves
    db.commit()
    # Stripe still retries the old one (past_due): that does not bring Pro back.
    late = _subscription(PRICE_PRO, status="past_due")
    deliver(client, event("customer.subscription.updated", late, 1_800_000_200))
    assert _row(db, owner).plan == "free"
    checkout = {
        "client_reference_id": str(owner.tenant_id),
        "customer": "cus_acme",
        "subscription": "sub_two",
    }
    deliver(client, event("checkout.session.completed", checkout, 1_800_000_300))
    deliver(
        client,
        event(
            "customer.subscription.created", _subscription(PRICE_BUSINESS, sub_id="sub_two"), 1_800_000_301
        ),
    )
    # The old subscription's deletion arrives last and changes nothing.
    deliver(
        client,
        event("customer.subscription.deleted", _subscription(PRICE_PRO, status="canceled"), 1_800_000_400),
    )
    row = _row(db, owner)
    assert (row.stripe_subscription_id, row.plan, row.status) == ("sub_two", "business", "active")


def test_it_refuses_a_signed_body_that_is_not_an_event(client, db, owner):
    for body in ("[]", '{"id": "evt_1"}', '{"id": 1, "type": "x", "data": {"object": {}}}', "not json"):
        response = client.post(
            "/webhooks/stripe", content=body, headers={"Stripe-Signature": signature(body)}
        )
        assert response.status_code == 400, body
    assert _events(db) == 0


def test_it_answers_503_when_webhooks_are_not_configured(app, client, settings):
    app.state.settings = replace(settings, stripe=replace(settings.stripe, webhook_secret=""))
    response = client.post("/webhooks/stripe", content="{}", headers={"Stripe-Signature": "t=1,v1=0"})
    assert response.status_code == 503


def test_it_answers_400_to_a_signed_body_it_cannot_read(client, db, owner):
    deep = "[" * 30_000 + "]" * 30_000
    for body in (deep, '{"type": "\\ud800"}'):
        response = client.post(
            "/webhooks/stripe",
            content=body,
            headers={"Stripe-Signature": signature(body), "Content-Type": "application/json"},
        )
        assert response.status_code == 400, response.text
    invalid_utf8 = b'{"type": "\xff"}'
    response = client.post(
        "/webhooks/stripe",
        content=invalid_utf8,
        headers={
            "Stripe-Signature": signature(invalid_utf8.decode("latin-1")),
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400, response.text
    assert _events(db) == 0
