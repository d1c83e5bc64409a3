"""The operator's privacy contact hears of what is sent to Landform itself: requests, breaches, due dates."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import time_machine
from click.testing import CliRunner
from sqlalchemy import func, select

from landform.core import i18n
from landform.core.mail import EmailMessage
from landform.core.settings import get_settings
from landform.privacy.cli import privacy_group
from landform.privacy.deadlines import remind_due
from landform.privacy.models import BreachIncident, PrivacyAuditEntry, PrivacyRequest
from tests.conftest import PRIVACY_OFFICER
from tests.privacy.conftest import code_in, text_of

DETAILS = "Mijn achternaam is De Vries, niet Vries."
REPORT = "Ik kon via een gedeelde link de accounts van andere bedrijven zien."
REPORTER = "melder@example.org"


def _confirmed(client, inbox, address: str, kind: str, *, slug: str = "_", n: int = 1) -> None:
    """A request on the portal (in Dutch), confirmed with the code from its e-mail."""
    data = {"email": address, "kind": kind, "details": DETAILS}
    assert client.post(f"/privacy/{slug}/requests?lang=nl", data=data).status_code == 200
    code = code_in(inbox.wait(address, "Bevestig", n))
    assert client.post(f"/privacy/{slug}/code", data={"email": address, "code": code}).status_code == 200


def _platform_request(db) -> PrivacyRequest:
    db.expire_all()
    return db.execute(select(PrivacyRequest).where(PrivacyRequest.tenant_id.is_(None))).scalar_one()


def _in_english(moment: datetime) -> str:
    previous = i18n.get_language()
    i18n.set_language("en")
    try:
        return i18n.format_datetime(moment, "UTC")
    finally:
        i18n.set_language(previous)


def _queued_to(db, address: str, subject_part: str = "") -> int:
    """E-mails written for this address (delivered or not yet): what the worker will send, in full."""
    db.expire_all()
    return db.execute(
        select(func.count())
        .select_from(EmailMessage)
        .where(EmailMessage.recipient == address, EmailMessage.subject.contains(subject_part))
    ).scalar_one()


def _actions(db, request: PrivacyRequest) -> list[str]:
    return list(
        db.execute(
            select(PrivacyAuditEntry.action)
            .where(PrivacyAuditEntry.request_id == request.id)
            .order_by(PrivacyAuditEntry.occurred_at, PrivacyAuditEntry.id)
        ).scalars()
    )


def test_it_emails_the_privacy_contact_when_a_request_to_landform_waits_for_them(
    client, db, owner, inbox, privacy_officer, caplog
):
    caplog.set_level(logging.DEBUG, logger="landform")
    _confirmed(client, inbox, owner.email, "rectification")
    request = _platform_request(db)
    assert request.due_at is not None
    message = inbox.wait(privacy_officer, "New privacy request to Landform")
    body = text_of(message)
    assert _in_english(request.due_at) in str(message["Subject"])
    assert "Correct my data (rectification)" in body  # English, though the person asked in Dutch
    assert f"Answer by: {_in_english(request.due_at)} UTC" in body
    assert f"landform privacy show {request.id}" in body and f"landform privacy done {request.id}" in body
    # Who asked and what they wrote stay in the database: the commands it names show them.
    assert owner.email not in body and DETAILS not in body
    listed = CliRunner().invoke(privacy_group, ["list"])
    assert str(request.id) in listed.output and owner.email in listed.output
    assert _queued_to(db, privacy_officer) == 1
    landform_logs = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("landform"))
    assert owner.email not in landform_logs and DETAILS not in landform_logs


def test_it_leaves_the_privacy_contact_out_of_what_needs_no_one(client, db, owner, inbox, privacy_officer):
    # The platform's copy of an account is made and sent by the worker alone.
    assert (
        client.post("/privacy/_/requests?lang=en", data={"email": owner.email, "kind": "access"}).status_code
        == 200
    )
    code = code_in(inbox.wait(owner.email, "Confirm"))
    assert client.post("/privacy/_/code", data={"email": owner.email, "code": code}).status_code == 200
    inbox.wait(owner.email, "Your data from Landform is ready")
    # A tenant's request is its team's (the dashboard), not the operator's.
    _confirmed(client, inbox, "klant@example.org", "restriction", slug="acme")
    assert _queued_to(db, privacy_officer) == 0
    assert inbox.to(privacy_officer) == []


def test_it_emails_the_privacy_contact_at_once_when_a_breach_is_reported_to_landform(
    client, db, owner, inbox, privacy_officer
):
    response = client.post("/privacy/_/breach?lang=nl", data={"description": REPORT, "email": REPORTER})
    assert response.status_code == 200
    incident = db.execute(select(BreachIncident)).scalar_one()
    assert incident.tenant_id is None
    message = inbox.wait(privacy_officer, "Possible data breach reported to Landform")
    body = text_of(message)
    assert f"Notify by: {_in_english(incident.notify_by)} UTC" in body and "72 hours" in body
    assert (
        f"landform privacy show {incident.id}" in body
        and f"landform privacy close-breach {incident.id}" in body
    )
    assert REPORT not in body and REPORTER not in body
    # A breach reported to a tenant goes to its owners, not to the operator.
    client.post("/privacy/acme/breach?lang=en", data={"description": REPORT, "email": ""})
    inbox.wait(owner.email, "data breach")
    assert _queued_to(db, privacy_officer) == 1


def test_it_reminds_the_privacy_contact_seven_and_two_days_before_the_due_date_once_each(
    client, db, owner, inbox, privacy_officer
):
    _confirmed(client, inbox, owner.email, "erasure")
    request = _platform_request(db)
    assert request.due_at is not None
    with time_machine.travel(request.due_at - timedelta(days=6, hours=12), tick=True):
        assert remind_due(get_settings()) == 1
        assert remind_due(get_settings()) == 0
    reminder = inbox.wait(privacy_officer, "Reminder: a privacy request to Landform is due")
    assert "due within 7 days" in text_of(reminder)
    assert f"landform privacy done {request.id}" in text_of(reminder)
    with time_machine.travel(request.due_at - timedelta(days=1), tick=True):
        assert remind_due(get_settings()) == 1
        assert remind_due(get_settings()) == 0
    assert "due within 2 days" in text_of(inbox.wait(privacy_officer, "Reminder", 2))
    with time_machine.travel(request.due_at + timedelta(days=3), tick=True):
        assert remind_due(get_settings()) == 0
    assert _queued_to(db, privacy_officer, "Reminder") == 2
    assert _queued_to(db, owner.email, "due") == 0  # the platform's request is not the tenant's
    request = _platform_request(db)
    assert request.reminded_7_at and request.reminded_2_at
    assert _actions(db, request)[-2:] == ["reminder_7_days", "reminder_2_days"]


def test_it_sends_each_reminder_once_when_two_workers_run_the_job_at_once(
    client, db, owner, inbox, privacy_officer
):
    _confirmed(client, inbox, owner.email, "objection")
    _confirmed(client, inbox, "klant@example.org", "restriction", slug="acme")
    request = _platform_request(db)
    assert request.due_at is not None
    results: list[int] = []
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        results.append(remind_due(get_settings()))

    with time_machine.travel(request.due_at - timedelta(days=6, hours=12), tick=True):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sum(results) == 2 and len(results) == 2
    inbox.wait(privacy_officer, "Reminder")
    inbox.wait(owner.email, "privacy request is due")
    assert _queued_to(db, privacy_officer, "Reminder") == 1
    assert _queued_to(db, owner.email, "privacy request is due") == 1
    reminders = select(func.count()).where(PrivacyAuditEntry.action == "reminder_7_days")
    assert db.execute(reminders).scalar_one() == 2


def test_it_tells_no_one_without_a_privacy_contact_and_reminds_once_one_is_set(
    client, db, owner, inbox, monkeypatch
):
    _confirmed(client, inbox, owner.email, "restriction")
    client.post("/privacy/_/breach", data={"description": REPORT, "email": ""})
    request = _platform_request(db)
    assert request.due_at is not None
    listed = CliRunner().invoke(privacy_group, ["list"])
    assert str(request.id) in listed.output and "breach" in listed.output
    with time_machine.travel(request.due_at - timedelta(days=6, hours=12), tick=True):
        assert remind_due(get_settings()) == 0
        assert _platform_request(db).reminded_7_at is None
        monkeypatch.setenv("LANDFORM_PRIVACY_EMAIL", PRIVACY_OFFICER)
        get_settings.cache_clear()
        assert remind_due(get_settings()) == 1
    assert "due within 7 days" in text_of(inbox.wait(PRIVACY_OFFICER, "Reminder"))
    assert _queued_to(db, PRIVACY_OFFICER) == 1
