"""Subscribing, changing plan, failed payments and cancelling, with the real Stripe SDK against localstripe.

localstripe has no Checkout and no customer portal: those two calls answer from recorded response
shapes (conftest.RECORDED); what our code sends them is checked. Everything else (customers, cards,
subscriptions, prorations, invoices, events) is localstripe's, and its events reach our webhook
signed with the test secret, as `stripe listen` would forward them.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from landform.billing import stripe_gateway
from landform.billing.models import Subscription
from landform.billing.services import end_grace_job
from landform.core.db import scope_to_tenant, utcnow
from landform.core.mail import EmailMessage
from tests.billing.conftest import (
    PRICE_BUSINESS,
    PRICE_PRO,
    RECORDED,
    LocalstripeEvents,
    deliver,
    event,
    stripe_client,
    use_localstripe,
)
from tests.conftest import log_in, post_form

DETAILS = {
    "company_name": "Acme Zonwering B.V.",
    "first_name": "Olga",
    "last_name": "Jansen",
    "email": "billing@acme.example.com",
    "address": "Oudegracht 12",
    "postcode": "3511 AB",
    "city": "Utrecht",
    "province": "Utrecht",
    "country": "NL",
    "vat_number": "NL123456782B01",
}
SEED_FIELDS = {
    "email",
    "name",
    "address[line1]",
    "address[postal_code]",
    "address[city]",
    "address[state]",
    "address[country]",
    "metadata[first_name]",
    "metadata[last_name]",
    "tax_id_data[0][type]",
    "tax_id_data[0][value]",
}


@pytest.fixture
def settings(settings, localstripe_url, monkeypatch):
    return use_localstripe(monkeypatch, localstripe_url)


def _row(db, persona):
    db.expire_all()
    scope_to_tenant(db, persona.tenant_id)
    return db.execute(select(Subscription)).scalar_one()


def _subscribe(client, db, owner, settings, recorded_stripe, plan="pro"):
    """Our checkout, then what Stripe Checkout does (card, subscription), then the events."""
    log_in(client, owner)
    events = LocalstripeEvents(settings)
    response = post_form(client, "/app/billing/checkout", {"plan": plan, **DETAILS}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == RECORDED["/v1/checkout/sessions"]["url"]
    customer_id = _row(db, owner).stripe_customer_id
    stripe = stripe_client(settings)
    card = stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    stripe.v1.payment_methods.attach(card.id, params={"customer": customer_id})
    stripe.v1.customers.update(customer_id, params={"invoice_settings": {"default_payment_method": card.id}})
    price = PRICE_PRO if plan == "pro" else PRICE_BUSINESS
    subscription = stripe.v1.subscriptions.create(
        params={"customer": customer_id, "items": [{"price": price}]}
    )
    checkout = {
        **RECORDED["/v1/checkout/sessions"],
        "status": "complete",
        "customer": customer_id,
        "client_reference_id": str(owner.tenant_id),
        "subscription": subscription.id,
    }
    deliver(client, event("checkout.session.completed", checkout, int(utcnow().timestamp()), "evt_checkout"))
    for fresh in events.new():
        assert deliver(client, fresh).status_code == 200
    return events, subscription.id, customer_id


def test_only_the_seeds_fields_are_sent_to_stripe(client, db, owner, settings, recorded_stripe):
    _subscribe(client, db, owner, settings, recorded_stripe)
    sent = [params for path, params in recorded_stripe.calls if path == "/v1/customers"]
    assert len(sent) == 1
    assert set(sent[0]) == SEED_FIELDS
    customer = stripe_client(settings).v1.customers.retrieve(_row(db, owner).stripe_customer_id)
    assert (customer.email, customer.name) == ("billing@acme.example.com", "Acme Zonwering B.V.")
    assert customer.address.to_dict() == {
        "line1": "Oudegracht 12",
        "postal_code": "3511 AB",
        "city": "Utrecht",
        "state": "Utrecht",
        "country": "NL",
    }
    # The payload builder itself: the same keys, whatever the details hold.
    details = stripe_gateway.BillingDetails(**DETAILS)
    assert set(stripe_gateway.customer_payload(details)) == {
        "email",
        "name",
        "address",
        "metadata",
        "tax_id_data",
    }


def test_it_sends_checkout_what_it_needs(client, db, owner, settings, recorded_stripe):
    _subscribe(client, db, owner, settings, recorded_stripe)
    checkout = [params for path, params in recorded_stripe.calls if path == "/v1/checkout/sessions"]
    assert checkout == [
        {
            "mode": "subscription",
            "customer": _row(db, owner).stripe_customer_id,
            "client_reference_id": str(owner.tenant_id),
            "line_items[0][price]": PRICE_PRO,
            "line_items[0][quantity]": "1",
            "locale": "en",
            "success_url": "http://testserver.local/app/billing/?checkout=done",
            "cancel_url": "http://testserver.local/app/billing/?checkout=cancelled",
        }
    ]


def test_it_subscribes(client, db, owner, settings, recorded_stripe):
    _events, subscription_id, _customer = _subscribe(client, db, owner, settings, recorded_stripe)
    row = _row(db, owner)
    assert (row.plan, row.status, row.stripe_subscription_id) == ("pro", "active", subscription_id)
    assert row.current_period_end > utcnow() + timedelta(days=27)
    page = client.get("/app/billing/").text
    assert "Your plan: Pro" in page
    assert "Renews on" in page


def test_it_refuses_bad_billing_details_without_calling_stripe(client, db, owner, settings, recorded_stripe):
    log_in(client, owner)
    response = post_form(
        client, "/app/billing/checkout", {"plan": "pro", **DETAILS, "vat_number": "NL1", "city": ""}
    )
    assert response.status_code == 422
    assert "not a valid EU VAT number" in response.text
    assert recorded_stripe.calls == []


def test_it_upgrades_with_proration(client, db, owner, settings, recorded_stripe):
    _events, subscription_id, customer_id = _subscribe(client, db, owner, settings, recorded_stripe)
    response = post_form(client, "/app/billing/change", {"plan": "business"}, follow_redirects=False)
    assert response.status_code in (302, 303)
    assert _row(db, owner).plan == "business"
    stripe = stripe_client(settings)
    subscription = stripe.v1.subscriptions.retrieve(subscription_id)
    assert subscription["items"]["data"][0]["plan"]["id"] == PRICE_BUSINESS
    prorations = [
        item for item in stripe.v1.invoice_items.list(params={"customer": customer_id}).data if item.proration
    ]
    assert [item.amount for item in prorations] == [-4900]  # the unused Pro time, credited
    assert "You are now on Business" in client.get("/app/billing/").text


def test_a_failed_payment_gives_a_grace_period_then_free(client, db, owner, settings, recorded_stripe):
    events, subscription_id, customer_id = _subscribe(client, db, owner, settings, recorded_stripe)
    stripe = stripe_client(settings)
    declined = stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4000000000000341", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    stripe.v1.payment_methods.attach(declined.id, params={"customer": customer_id})
    stripe.v1.customers.update(
        customer_id, params={"invoice_settings": {"default_payment_method": declined.id}}
    )
    invoice = stripe.v1.invoices.create(params={"customer": customer_id, "subscription": subscription_id})
    declined_invoice = stripe.v1.invoices.pay(invoice.id)
    assert declined_invoice.status == "open"
    intent = stripe.v1.payment_intents.retrieve(declined_invoice.payment_intent)
    assert intent.last_payment_error["code"] == "card_declined"
    # localstripe 1.15 emits invoice.payment_failed only for SEPA debits (which also cancel the
    # subscription), not for a declined card: the envelope is ours, the invoice in it is localstripe's.
    failed = event(
        "invoice.payment_failed", declined_invoice.to_dict(), int(time.time()), "evt_renewal_failed"
    )
    assert deliver(client, failed).json()["applied"] is True
    row = _row(db, owner)
    assert row.plan == "pro"
    assert row.grace_until > utcnow() + timedelta(days=6)
    assert "Your last payment failed" in client.get("/app/billing/").text
    mail = db.execute(select(EmailMessage).where(EmailMessage.recipient == owner.email)).scalar_one()
    assert mail.subject == "Your Landform payment failed"
    assert "http://testserver.local/app/billing/" in mail.body_text

    with time_machine.travel(utcnow() + timedelta(days=6), tick=True):
        assert end_grace_job(settings) == 0
    assert _row(db, owner).plan == "pro"
    with time_machine.travel(utcnow() + timedelta(days=8), tick=True):
        assert end_grace_job(settings) == 1
        row = _row(db, owner)
        assert (row.plan, row.grace_until) == ("free", None)
        # Stripe is told to stop, and its confirmation changes nothing more.
        assert stripe.v1.subscriptions.retrieve(subscription_id).status == "canceled"
        for fresh in events.new():
            assert deliver(client, fresh).status_code == 200
        assert (_row(db, owner).plan, _row(db, owner).status) == ("free", "canceled")
        assert "Your plan: Free" in client.get("/app/billing/").text


def test_it_cancels_at_the_end_of_the_period(client, db, owner, settings, recorded_stripe):
    events, subscription_id, _customer = _subscribe(client, db, owner, settings, recorded_stripe)
    response = post_form(client, "/app/billing/cancel", follow_redirects=False)
    assert response.status_code in (302, 303)
    stripe = stripe_client(settings)
    assert stripe.v1.subscriptions.retrieve(subscription_id).cancel_at_period_end is True
    row = _row(db, owner)
    assert (row.plan, row.cancel_at_period_end) == ("pro", True)
    assert "Ends on" in client.get("/app/billing/").text
    # The period ends: Stripe deletes the subscription and tells us.
    stripe.v1.subscriptions.cancel(subscription_id)
    for fresh in events.new():
        deliver(client, fresh)
    row = _row(db, owner)
    assert (row.plan, row.status) == ("free", "canceled")


def test_it_opens_the_customer_portal(client, db, owner, settings, recorded_stripe):
    _subscribe(client, db, owner, settings, recorded_stripe)
    response = post_form(client, "/app/billing/portal", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == RECORDED["/v1/billing_portal/sessions"]["url"]
    portal = [params for path, params in recorded_stripe.calls if path == "/v1/billing_portal/sessions"]
    assert portal == [
        {
            "customer": _row(db, owner).stripe_customer_id,
            "locale": "en",
            "return_url": "http://testserver.local/app/billing/",
        }
    ]


def test_only_owners_and_admins_manage_the_subscription(
    client, db, owner, marketer, settings, recorded_stripe
):
    log_in(client, marketer)
    assert client.get("/app/billing/").status_code == 200
    response = post_form(client, "/app/billing/checkout", {"plan": "pro", **DETAILS})
    assert response.status_code == 403
    assert recorded_stripe.calls == []
