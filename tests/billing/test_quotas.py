"""Plans' limits: usage on the Billing page, refusals over the limit, leads held (never lost) and released."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from landform.billing import plans, quotas
from landform.billing.models import HeldLead, Subscription
from landform.billing.quotas import release_held_job
from landform.core.db import scope_to_tenant
from landform.core.jobs.models import OutboxJob
from landform.crm_sink.models import Contact, Submission
from landform.forms.models import Form
from tests.billing.conftest import PRICE_PRO, deliver, event
from tests.conftest import log_in, make_form, make_page, post_form, wait_for
from tests.consent.helpers import submit


@pytest.fixture
def two_leads_a_month(monkeypatch):
    """Free with room for two leads a month, so a test reaches the limit quickly."""
    small = replace(plans.FREE, leads_per_month=2)
    monkeypatch.setattr(quotas, "FREE", small)
    monkeypatch.setitem(plans.PLANS, "free", small)
    return small


def _contacts(db):
    db.expire_all()
    return set(db.execute(select(Contact.email_key).execution_options(all_tenants=True)).scalars())


def _held(db):
    db.expire_all()
    return db.execute(
        select(func.count(HeldLead.id))
        .where(HeldLead.released_at.is_(None))
        .execution_options(all_tenants=True)
    ).scalar_one()


def _send(client, form, *emails):
    for email in emails:
        response = submit(client, form, {"first_name": "Lead", "email": email})
        assert response.status_code == 201, response.text


def test_it_shows_usage_against_the_plans_limits(client, db, owner):
    make_form(db, owner)
    log_in(client, owner)
    page = client.get("/app/billing/")
    assert page.status_code == 200
    assert "Your plan: Free" in page.text
    assert "1 of 3" in page.text  # forms
    assert "0 of 100" in page.text  # leads this month
    assert "Business" in page.text


def test_it_refuses_a_form_over_the_limit_and_says_why(client, db, owner):
    for n in range(3):
        make_form(db, owner, name=f"Form {n}")
    log_in(client, owner)
    response = post_form(client, "/app/forms/", {"name": "One too many"})
    assert response.status_code == 403
    assert "Free plan allows 3" in response.text
    assert "forms" in response.text
    assert db.execute(select(func.count(Form.id)).execution_options(all_tenants=True)).scalar_one() == 3


def test_it_refuses_a_page_over_the_limit(client, db, owner):
    for slug in ("one", "two", "three"):
        make_page(db, owner, None, slug=slug)
    log_in(client, owner)
    response = post_form(
        client,
        "/app/pages/",
        {"slug": "four", "title_nl": "Vier", "title_en": "Four"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 403
    assert "landing pages" in response.json()["detail"]


def test_a_paid_plan_has_room_for_more(client, db, owner):
    for n in range(3):
        make_form(db, owner, name=f"Form {n}")
    scope_to_tenant(db, owner.tenant_id)
    db.add(Subscription(tenant_id=owner.tenant_id, plan="pro", status="active"))
    db.commit()
    log_in(client, owner)
    response = post_form(client, "/app/forms/", {"name": "Fourth"}, follow_redirects=False)
    assert response.status_code in (302, 303)


def test_it_holds_leads_over_the_month_and_routes_them_after_an_upgrade(client, db, owner, two_leads_a_month):
    form = make_form(db, owner)
    scope_to_tenant(db, owner.tenant_id)
    db.add(Subscription(tenant_id=owner.tenant_id, stripe_customer_id="cus_acme"))
    db.commit()
    _send(client, form, "a@example.com", "b@example.com", "c@example.com", "d@example.com")
    wait_for(lambda: _contacts(db) == {"a@example.com", "b@example.com"})
    # Stored, not lost, not routed, and the dashboard says so.
    assert db.execute(select(func.count(Submission.id)).execution_options(all_tenants=True)).scalar_one() == 4
    assert _held(db) == 2
    log_in(client, owner)
    assert "2 leads are held" in client.get("/app/billing/").text
    assert "2 leads are held" in client.get("/app").text

    subscription = {
        "id": "sub_acme",
        "customer": "cus_acme",
        "status": "active",
        "items": {"data": [{"id": "si_1", "price": {"id": PRICE_PRO}}]},
    }
    assert (
        deliver(client, event("customer.subscription.created", subscription, 1_800_000_000)).status_code
        == 200
    )
    wait_for(lambda: _contacts(db) == {"a@example.com", "b@example.com", "c@example.com", "d@example.com"})
    assert _held(db) == 0
    assert "held" not in client.get("/app/billing/").text


def test_held_leads_go_out_when_the_month_turns(client, db, owner, settings, two_leads_a_month):
    form = make_form(db, owner)
    with time_machine.travel(datetime(2026, 11, 30, 20, 0, tzinfo=UTC), tick=True):
        _send(client, form, "a@example.com", "b@example.com", "c@example.com")
        wait_for(lambda: _contacts(db) == {"a@example.com", "b@example.com"})
        assert _held(db) == 1
        assert release_held_job(settings) == 0  # still November: no room
    with time_machine.travel(datetime(2026, 12, 1, 0, 1, tzinfo=UTC), tick=True):
        # The hourly job releases it; the app's own scheduler, woken by the jump, may run it first.
        release_held_job(settings)
        wait_for(lambda: "c@example.com" in _contacts(db))
        assert _held(db) == 0
        # The released lead counts against December.
        scope_to_tenant(db, owner.tenant_id)
        assert quotas.leads_routed_this_month(db) == 1


def test_a_new_lead_does_not_overtake_held_ones(client, db, owner, settings, two_leads_a_month, monkeypatch):
    form = make_form(db, owner)
    _send(client, form, "a@example.com", "b@example.com", "c@example.com")
    wait_for(lambda: _held(db) == 1)
    jobs_before = db.execute(select(func.count(OutboxJob.id))).scalar_one()
    # Room appears (say a lead of this month was erased); the next lead still waits behind the held one.
    three = replace(two_leads_a_month, leads_per_month=3)
    monkeypatch.setitem(plans.PLANS, "free", three)
    monkeypatch.setattr(quotas, "FREE", three)
    _send(client, form, "d@example.com")
    assert _held(db) == 2
    assert db.execute(select(func.count(OutboxJob.id))).scalar_one() == jobs_before
    assert release_held_job(settings) == 1
    wait_for(lambda: "c@example.com" in _contacts(db))
    assert "d@example.com" not in _contacts(db)


def test_it_refuses_a_user_over_the_limit(db, owner, marketer, sales_rep):
    scope_to_tenant(db, owner.tenant_id)
    with pytest.raises(quotas.QuotaExceeded, match="Free plan allows 3 of these \\(users\\)"):
        quotas.check_room(db, "users")
    db.add(Subscription(tenant_id=owner.tenant_id, plan="pro", status="active"))
    db.flush()
    quotas.check_room(db, "users")


def test_an_invitation_over_the_user_limit_is_refused_with_the_reason(client, db, owner, marketer, sales_rep):
    from tests.conftest import log_in, post_form

    log_in(client, owner)
    response = post_form(
        client,
        "/app/team/invite",
        {"email": "fourth@example.com", "role": "marketer"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 403
    assert "users" in response.text


def test_it_holds_leads_at_once_after_a_downgrade_made_in_this_process(client, db, owner, two_leads_a_month):
    form = make_form(db, owner)
    db.add(Subscription(tenant_id=owner.tenant_id, plan=plans.BUSINESS.code, status="active"))
    db.commit()
    _send(client, form, "a@example.com", "b@example.com")  # unlimited: remembered for a few seconds
    subscription = db.execute(select(Subscription)).scalar_one()
    subscription.plan = plans.FREE.code
    db.commit()
    _send(client, form, "c@example.com")
    assert _held(db) == 1
