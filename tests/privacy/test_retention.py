"""A tenant's retention periods: set on the settings screen, applied each night, stated on the portal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from landform.crm_sink.models import Activity, Contact, Submission
from landform.forms.models import SpamSubmission
from landform.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from landform.privacy.retention.services import run_daily
from tests.conftest import log_in, make_form, post_form
from tests.privacy.conftest import make_lead

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _spam(db, owner, form, at: datetime) -> None:
    db.add(
        SpamSubmission(
            tenant_id=owner.tenant_id,
            form_id=form.id,
            answers={"email": "bot@example.net"},
            reason="honeypot",
            created_at=at,
        )
    )
    db.commit()


def _set(client, **days: int) -> object:
    # Every wired kind has a field; the unfinished answers saved to finish a form later among them.
    fields = {"inactive_leads": "730", "spam": "30", "unfinished": "30"}
    fields |= {k: str(v) for k, v in days.items()}
    return post_form(client, "/app/privacy/retention/", fields)


def test_it_removes_nothing_a_day_early_and_everything_due_the_day_after(client, db, owner, settings):
    log_in(client, owner)
    assert "Retention periods saved." in _set(client, inactive_leads=60, spam=7).text
    form = make_form(db, owner)
    old = make_lead(db, owner, form, "oud@example.org", T0)
    recent = make_lead(db, owner, form, "nieuw@example.org", T0 + timedelta(days=20))
    _spam(db, owner, form, T0)

    with time_machine.travel(T0 + timedelta(days=6, hours=23), tick=False):
        assert run_daily(settings) == 0
    assert db.execute(select(func.count()).select_from(SpamSubmission)).scalar_one() == 1

    with time_machine.travel(T0 + timedelta(days=59, hours=23), tick=False):
        assert run_daily(settings) == 1  # only the spam, a day after its 7 days
    db.expire_all()
    assert db.get_one(Contact, old.id).email == "oud@example.org"

    with time_machine.travel(T0 + timedelta(days=61), tick=False):
        assert run_daily(settings) == 1
    db.expire_all()
    erased = db.get_one(Contact, old.id)
    assert erased.email == "" and erased.first_name == "" and erased.email_key.startswith("erased-")
    assert erased.updated_at.date() == (T0 + timedelta(days=61)).date()  # the page's "erased on"
    assert db.get_one(Contact, recent.id).email == "nieuw@example.org"
    # The counts stay: both contacts, both submissions, the timeline rows, all without the person.
    assert db.execute(select(func.count()).select_from(Contact)).scalar_one() == 2
    assert db.execute(select(func.count()).select_from(Submission)).scalar_one() == 2
    assert db.execute(select(func.count()).select_from(Activity)).scalar_one() == 2
    assert "oud@example.org" not in str(db.execute(select(Submission.data)).scalars().all())

    with time_machine.travel(T0 + timedelta(days=62), tick=False):
        assert run_daily(settings) == 0  # erased once, not again


def test_it_refuses_periods_outside_the_limits_and_names_the_field(client, db, owner):
    log_in(client, owner)
    response = _set(client, inactive_leads=5, spam=90)
    assert response.status_code == 422
    assert "Choose between 30 and 3650 days." in response.text
    assert "Choose between 7 and 30 days." in response.text
    assert _set(client, spam="many").status_code == 422  # type: ignore[arg-type]


def test_it_keeps_the_period_of_a_kind_the_form_did_not_send(client, db, owner):
    """A page opened before a kind was added saves what it shows; the other kinds keep their periods."""
    log_in(client, owner)
    assert "Retention periods saved." in _set(client, uploads=90).text
    assert "Retention periods saved." in _set(client, inactive_leads=400).text
    page = client.get("/app/privacy/retention/?lang=en").text
    assert re.search(r'name="uploads"[^>]*value="90"', page)
    assert re.search(r'name="inactive_leads"[^>]*value="400"', page)
    assert _set(client, uploads="").status_code == 422  # type: ignore[arg-type]  # emptied: not a default


def test_it_shows_what_goes_in_the_next_30_days(client, db, owner):
    log_in(client, owner)
    form = make_form(db, owner)
    now = datetime.now(UTC)
    make_lead(db, owner, form, "bijna@example.org", now - timedelta(days=720))
    make_lead(db, owner, form, "actief@example.org", now - timedelta(days=100))
    _spam(db, owner, form, now - timedelta(days=1))
    page = client.get("/app/privacy/retention/?lang=en")
    assert page.status_code == 200
    outlook = page.text.split("Going in the next 30 days", 1)[1]
    assert "Leads with no activity</dt>\n      <dd>1 item" in outlook
    assert "Submissions in the spam folder</dt>\n      <dd>1 item" in outlook


def test_it_states_the_tenants_periods_on_the_privacy_portal(client, db, owner):
    log_in(client, owner)
    _set(client, inactive_leads=365, spam=14)
    portal = client.get("/privacy/acme?lang=en")
    assert "Leads with no activity" in portal.text
    assert "365 days" in portal.text
    assert "14 days" in portal.text
    dutch = client.get("/privacy/acme?lang=nl")
    assert "365 dagen" in dutch.text


def test_it_is_for_owners_and_admins(client, db, marketer):
    log_in(client, marketer)
    assert client.get("/app/privacy/retention/").status_code == 403


def test_it_keeps_a_lead_whose_privacy_request_is_still_being_answered(client, db, owner, settings):
    log_in(client, owner)
    _set(client, inactive_leads=30)
    form = make_form(db, owner)
    waiting = make_lead(db, owner, form, "wacht@example.org", T0)
    db.add(
        PrivacyRequest(
            tenant_id=owner.tenant_id,
            kind=RequestKind.ACCESS,
            status=RequestStatus.IN_PROGRESS,
            email="wacht@example.org",
            email_key="wacht@example.org",
        )
    )
    db.commit()
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        assert run_daily(settings) == 0
    db.expire_all()
    assert db.get_one(Contact, waiting.id).email == "wacht@example.org"
