"""Webhooks are a feature of the paid plans: Free cannot add endpoints, and a downgrade pauses them."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from landform.billing import plans, quotas
from landform.billing.models import Subscription
from landform.billing.services import apply_subscription
from landform.core.db import scope_to_tenant, sync_session
from landform.core.settings import get_settings
from landform.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import log_in, make_form, post_form, wait_for
from tests.webhooks.test_delivery import add_endpoint, all_rows, submit


@pytest.fixture(autouse=True)
def webhooks_on_free(monkeypatch):
    """The real Free plan, without webhooks (the package's conftest gives Free webhooks for the others)."""
    monkeypatch.setattr(quotas, "FREE", plans.FREE)
    monkeypatch.setitem(plans.PLANS, "free", plans.FREE)


@pytest.fixture
def settings(settings, monkeypatch):
    monkeypatch.setenv("LANDFORM_STRIPE_PRICE_PRO", "price_landform_pro")
    monkeypatch.setenv("LANDFORM_WEBHOOK_RETRY_BASE_SECONDS", "4")
    get_settings.cache_clear()
    return get_settings()


def _set_plan(settings, persona, plan: str, status: str) -> None:
    with sync_session(settings.database.sync_url, persona.tenant_id) as session:
        row = session.execute(select(Subscription)).scalar_one_or_none()
        if row is None:
            row = Subscription(tenant_id=persona.tenant_id, stripe_subscription_id="sub_landform_test")
            session.add(row)
        row.plan, row.status = plan, status
        session.commit()


def test_free_cannot_add_an_endpoint_and_is_told_where_to_upgrade(client, db, owner, receiver):
    log_in(client, owner)
    page = client.get("/app/webhooks/")
    assert "Webhooks come with the Pro and Business plans" in page.text
    assert 'href="/app/billing/"' in page.text
    assert "Add webhook" not in page.text
    refused = post_form(client, "/app/webhooks/", {"url": receiver.url, "events": ["contact.created"]})
    assert refused.status_code == 403
    assert "Webhooks come with the Pro and Business plans" in refused.text
    assert all_rows(db, WebhookEndpoint) == []


def test_a_downgrade_pauses_endpoints_without_deleting_them_and_an_upgrade_resumes(
    client, db, owner, receiver, settings
):
    _set_plan(settings, owner, "pro", "active")
    log_in(client, owner)
    add_endpoint(client, receiver, events=("contact.created",))
    form = make_form(db, owner)
    receiver.statuses = [500]  # the first delivery fails and waits for its retry
    submit(client, form, email="ada@example.com")
    wait_for(lambda: len(receiver.requests) == 1)

    _set_plan(settings, owner, "free", "unpaid")  # the grace period after a failed payment ran out
    page = client.get("/app/webhooks/").text
    assert "Your plan does not include webhooks, so your endpoints are paused." in page
    assert "Paused by the plan" in page
    submit(client, form, email="grace@example.com")
    time.sleep(5)  # past the retry of the first delivery
    assert len(receiver.requests) == 1  # neither the retry nor the new lead went out
    (delivery,) = all_rows(db, WebhookDelivery)
    assert delivery.status == "pending"
    assert len(all_rows(db, WebhookEndpoint)) == 1
    endpoint_id = all_rows(db, WebhookEndpoint)[0].id
    assert post_form(client, f"/app/webhooks/{endpoint_id}/test", follow_redirects=True).status_code == 200
    assert len(all_rows(db, WebhookDelivery)) == 1  # no test event either

    # Paid again (Stripe's subscription event): what waited goes out.
    with sync_session(settings.database.sync_url, owner.tenant_id) as session:
        row = session.execute(select(Subscription)).scalar_one()
        scope_to_tenant(session, owner.tenant_id)
        subscription = {
            "id": "sub_landform_test",
            "status": "active",
            "items": {"data": [{"price": {"id": "price_landform_pro"}}]},
        }
        assert apply_subscription(session, row, subscription, settings.stripe)
        session.commit()
    wait_for(lambda: len(receiver.requests) == 2)
    wait_for(lambda: all_rows(db, WebhookDelivery)[0].status == "delivered")
    assert "paused" not in client.get("/app/webhooks/").text
