"""Deleting an account stops its Stripe subscription (localstripe): at period end, resumed, ended on day 8."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from landform.billing.models import Subscription
from landform.billing.stripe_gateway import BillingUnavailable
from landform.core.db import utcnow
from landform.core.jobs.models import OutboxJob
from landform.core.jobs.runner import run_job
from landform.core.settings import get_settings
from landform.privacy.deletion import run_due
from landform.privacy.models import AccountDeletion
from tests.billing.conftest import PRICE_PRO, stripe_client, use_localstripe
from tests.conftest import log_in, post_form, wait_for
from tests.privacy.conftest import link_in


@pytest.fixture
def settings(settings, localstripe_url, monkeypatch):
    return use_localstripe(monkeypatch, localstripe_url)


def _subscribed(db, owner, settings, *, owner_cancelled: bool = False) -> str:
    """A Pro subscription at Stripe (localstripe) and in our books, as Checkout and its webhooks leave it."""
    stripe = stripe_client(settings)
    customer = stripe.v1.customers.create(params={"email": owner.email, "name": "Acme Zonwering B.V."})
    card = stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    stripe.v1.payment_methods.attach(card.id, params={"customer": customer.id})
    stripe.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": card.id}})
    subscription = stripe.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": PRICE_PRO}]}
    )
    if owner_cancelled:
        stripe.v1.subscriptions.update(subscription.id, params={"cancel_at_period_end": True})
    db.add(
        Subscription(
            tenant_id=owner.tenant_id,
            plan="pro",
            status="active",
            stripe_customer_id=customer.id,
            stripe_subscription_id=subscription.id,
            cancel_at_period_end=owner_cancelled,
        )
    )
    db.commit()
    return str(subscription.id)


def _row(db) -> Subscription:
    db.expire_all()
    return db.execute(select(Subscription).execution_options(all_tenants=True)).scalar_one()


def _at_stripe(settings, subscription_id: str):
    return stripe_client(settings).v1.subscriptions.retrieve(subscription_id)


def _deletion(db) -> AccountDeletion:
    db.expire_all()
    return db.execute(select(AccountDeletion)).scalar_one()


def _ask_to_delete(client, owner) -> str:
    log_in(client, owner)
    response = post_form(
        client, "/app/account/delete/", {"confirm": owner.tenant_slug}, follow_redirects=True
    )
    assert response.status_code == 200 and "will be deleted on" in response.text
    return response.text


def test_deleting_stops_the_subscription_at_period_end_and_the_emailed_link_resumes_it(
    client, db, owner, settings, inbox
):
    subscription_id = _subscribed(db, owner, settings)
    _ask_to_delete(client, owner)
    wait_for(lambda: _at_stripe(settings, subscription_id).cancel_at_period_end is True)
    wait_for(lambda: _deletion(db).billing == "stopped")
    page = client.get("/app/account/delete/")
    assert "Your subscription stops at the end of its paid period" in page.text
    assert _at_stripe(settings, subscription_id).status == "active"  # the paid period is not cut short

    link = link_in(inbox.wait(owner.email, "will be deleted"), "/privacy/acme/keep-account")
    with time_machine.travel(utcnow() + timedelta(days=6), tick=True):
        client.cookies.clear()
        token = link.split("token=", 1)[1]
        assert client.post("/privacy/acme/keep-account", data={"token": token}).status_code == 200
        wait_for(lambda: _at_stripe(settings, subscription_id).cancel_at_period_end is False)
    wait_for(lambda: _deletion(db).billing == "resumed")
    assert _row(db).cancel_at_period_end is False


def test_cancelling_in_the_dashboard_leaves_a_subscription_the_owner_had_cancelled_themselves(
    client, db, owner, settings
):
    subscription_id = _subscribed(db, owner, settings, owner_cancelled=True)
    page = _ask_to_delete(client, owner)
    assert "You had already cancelled your subscription" in page
    assert _deletion(db).billing == "was_ending"
    response = post_form(client, "/app/account/delete/cancel", follow_redirects=True)
    assert "Deletion cancelled" in response.text
    assert _deletion(db).cancelled_at is not None
    assert not db.execute(select(OutboxJob).where(OutboxJob.actor_name == "settle_deletion_billing")).all()
    assert _at_stripe(settings, subscription_id).cancel_at_period_end is True


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_stripe_outage_does_not_block_the_deletion_and_the_job_catches_up(
    client, db, owner, settings, localstripe_url, monkeypatch
):
    subscription_id = _subscribed(db, owner, settings)
    monkeypatch.setenv("LANDFORM_STRIPE_API_BASE", f"http://127.0.0.1:{_closed_port()}")
    get_settings.cache_clear()
    page = _ask_to_delete(client, owner)
    assert "could not be reached yet" in page
    assert _deletion(db).billing == "stopping"
    (job,) = db.execute(select(OutboxJob).where(OutboxJob.actor_name == "settle_deletion_billing")).scalars()
    with pytest.raises(BillingUnavailable):
        run_job("settle_deletion_billing", str(job.id))  # what the worker's retries meet meanwhile
    assert _deletion(db).billing == "stopping"

    use_localstripe(monkeypatch, localstripe_url)  # Stripe is back; the next retry gets through
    run_job("settle_deletion_billing", str(job.id))
    assert _deletion(db).billing == "stopped"
    assert _at_stripe(settings, subscription_id).cancel_at_period_end is True
    assert "Your subscription stops at the end of its paid period" in client.get("/app/account/delete/").text


def test_on_day_8_nothing_is_left_billing(client, db, owner, settings):
    subscription_id = _subscribed(db, owner, settings)
    _ask_to_delete(client, owner)
    wait_for(lambda: _deletion(db).billing == "stopped")
    with time_machine.travel(utcnow() + timedelta(days=8), tick=True):
        assert run_due(settings) == 1
        wait_for(lambda: _at_stripe(settings, subscription_id).status == "canceled")
    wait_for(lambda: _deletion(db).billing == "ended")
    row = _row(db)
    assert (row.plan, row.status) == ("free", "canceled")
