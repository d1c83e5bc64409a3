"""The answer time a portal promises: four weeks by default and for the platform, or one calendar month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from landform.privacy.models import PrivacyRequest
from landform.privacy.requests import FOUR_WEEKS, ONE_MONTH, due_after
from tests.conftest import log_in, post_form
from tests.privacy.conftest import code_in

PERSON = "klant@example.org"
JAN_31 = datetime(2027, 1, 31, 9, 30, tzinfo=UTC)


def _verified(client, inbox, slug: str, address: str) -> None:
    data = {"email": address, "kind": "restriction", "details": "Graag pauzeren."}
    assert client.post(f"/privacy/{slug}/requests?lang=en", data=data).status_code == 200
    code = code_in(inbox.wait(address, "Confirm"))
    assert client.post(f"/privacy/{slug}/code", data={"email": address, "code": code}).status_code == 200


def _latest(db, address: str) -> PrivacyRequest:
    db.expire_all()
    return db.execute(select(PrivacyRequest).where(PrivacyRequest.email == address)).scalar_one()


def test_it_counts_one_calendar_month_or_four_weeks():
    assert due_after(JAN_31, ONE_MONTH) == datetime(2027, 2, 28, 9, 30, tzinfo=UTC)
    assert due_after(datetime(2028, 1, 31, tzinfo=UTC), ONE_MONTH) == datetime(2028, 2, 29, tzinfo=UTC)
    assert due_after(datetime(2027, 3, 15, tzinfo=UTC), ONE_MONTH) == datetime(2027, 4, 15, tzinfo=UTC)
    assert due_after(datetime(2027, 3, 15, tzinfo=UTC), FOUR_WEEKS) == datetime(2027, 4, 12, tzinfo=UTC)


def test_a_tenant_promises_four_weeks_unless_it_chooses_one_month(client, db, owner, inbox):
    page = client.get("/privacy/acme?lang=en").text
    assert "you get an answer within four weeks" in page
    assert "binnen vier weken" in client.get("/privacy/acme?lang=nl").text
    with time_machine.travel(datetime(2027, 3, 15, 10, tzinfo=UTC), tick=True):
        _verified(client, inbox, "acme", PERSON)
        first = _latest(db, PERSON)
    assert first.due_at - first.verified_at == timedelta(days=28)
    assert first.due_at.date() == datetime(2027, 4, 12).date()

    log_in(client, owner)
    saved = post_form(client, "/app/privacy/settings?lang=en", {"deadline": "one_month"})
    assert saved.status_code == 200 and "Privacy settings saved" in saved.text
    assert 'value="one_month" checked' in saved.text
    assert "you get an answer within one month" in client.get("/privacy/acme?lang=en").text
    assert "binnen een maand" in client.get("/privacy/acme?lang=nl").text

    # A request confirmed on 31 January is due on 28 February; the open one keeps its date.
    with time_machine.travel(JAN_31, tick=True):
        _verified(client, inbox, "acme", "tweede@example.org")
        second = _latest(db, "tweede@example.org")
    assert second.due_at is not None and second.due_at.date() == datetime(2027, 2, 28).date()
    db.refresh(first)
    assert first.due_at - first.verified_at == timedelta(days=28)

    refused = post_form(client, "/app/privacy/settings?lang=en", {"deadline": "six_weeks"})
    assert "Choose four weeks or one month" in refused.text and 'value="one_month" checked' in refused.text


def test_the_platform_answers_its_own_requests_within_four_weeks(client, db, owner, inbox):
    assert "within four weeks" in client.get("/privacy?lang=en").text
    with time_machine.travel(datetime(2027, 3, 15, 10, tzinfo=UTC), tick=True):
        data = {"email": owner.email, "kind": "restriction", "details": "Mijn account."}
        assert client.post("/privacy/_/requests?lang=en", data=data).status_code == 200
        code = code_in(inbox.wait(owner.email, "Confirm"))
        assert client.post("/privacy/_/code", data={"email": owner.email, "code": code}).status_code == 200
        request = _latest(db, owner.email)
    assert request.tenant_id is None
    assert request.due_at - request.verified_at == timedelta(days=28)
    assert request.due_at.date() == datetime(2027, 4, 12).date()
