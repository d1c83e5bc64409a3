"""The tenant's side: the queue by due date, approval, extension, corrections, reminders, breaches."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from landform.core.db import utcnow
from landform.crm_sink.models import Contact
from landform.privacy.deadlines import purge_expired, remind_due
from landform.privacy.models import (
    BreachIncident,
    BreachLogEntry,
    PrivacyAuditEntry,
    PrivacyExport,
    PrivacyRequest,
    RequestStatus,
)
from tests.conftest import log_in, make_form, post_form, wait_for
from tests.consent.helpers import contact_by_email, submit
from tests.privacy.conftest import code_in, text_of

PERSON = "klant@example.org"


def _verified(client, inbox, kind: str, n: int = 1, **extra: str) -> None:
    client.post("/privacy/acme/requests?lang=en", data={"email": PERSON, "kind": kind, **extra})
    code = code_in(inbox.wait(PERSON, "Confirm", n))
    assert client.post("/privacy/acme/code", data={"email": PERSON, "code": code}).status_code == 200


def _request(db) -> PrivacyRequest:
    db.expire_all()
    return db.execute(select(PrivacyRequest).order_by(PrivacyRequest.created_at.desc())).scalars().first()


def _contact(client, db, owner) -> Contact:
    form = make_form(db, owner)
    submit(client, form, {"first_name": "Karel", "last_name": "Klant", "email": PERSON})
    return wait_for(lambda: contact_by_email(db, PERSON))


def test_it_lists_requests_by_due_date_and_flags_the_overdue(client, db, owner, inbox):
    _verified(client, inbox, "restriction", details="Graag pauzeren tot mijn adres klopt.")
    _verified(client, inbox, "rectification", 2, details="Mijn achternaam is fout.")
    _first, second = db.execute(select(PrivacyRequest).order_by(PrivacyRequest.created_at)).scalars()
    assert second.due_at and (second.due_at - second.verified_at).days in (28, 29, 30, 31)
    db.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.id == second.id)
        .values(due_at=utcnow() - timedelta(days=1))
    )
    db.commit()
    log_in(client, owner)
    page = client.get("/app/privacy/?lang=en")
    assert page.status_code == 200
    assert page.text.index("Correct my data") < page.text.index("Limit the use of my data")
    assert "Overdue" in page.text
    detail = client.get(f"/app/privacy/{second.id}?lang=en")
    assert "This request is overdue" in detail.text and "Address confirmed" in detail.text


def test_a_request_kind_can_wait_for_approval_then_runs_with_one_click(client, db, owner, inbox):
    contact = _contact(client, db, owner)
    log_in(client, owner)
    post_form(
        client, "/app/privacy/settings", {"manual": "erasure", "dpo_name": "Fien", "dpo_email": "fg@acme.nl"}
    )
    assert "fg@acme.nl" in client.get("/privacy/acme").text
    client.cookies.clear()
    _verified(client, inbox, "erasure")
    request = _request(db)
    assert request.status == RequestStatus.AWAITING_APPROVAL
    assert contact_by_email(db, PERSON) is not None
    log_in(client, owner)
    response = post_form(client, f"/app/privacy/{request.id}/approve", follow_redirects=True)
    assert response.status_code == 200
    inbox.wait(PERSON, "is done")
    db.expire_all()
    assert db.get_one(Contact, contact.id).first_name == ""
    actions = [
        e.action
        for e in db.execute(select(PrivacyAuditEntry).order_by(PrivacyAuditEntry.occurred_at)).scalars()
    ]
    assert actions[:4] == ["requested", "verified", "awaiting_approval", "approved"]
    assert "erased" in actions


def test_corrections_are_accepted_with_one_click(client, db, owner, inbox):
    contact = _contact(client, db, owner)
    _verified(
        client, inbox, "rectification", correct_last_name="Klant-de Vries", correct_phone="+31201234567"
    )
    request = _request(db)
    assert request.status == RequestStatus.IN_PROGRESS
    log_in(client, owner)
    assert "Klant-de Vries" in client.get(f"/app/privacy/{request.id}?lang=en").text
    post_form(client, f"/app/privacy/{request.id}/accept-corrections")
    db.expire_all()
    changed = db.get_one(Contact, contact.id)
    assert (changed.last_name, changed.phone, changed.first_name) == (
        "Klant-de Vries",
        "+31201234567",
        "Karel",
    )
    assert _request(db).status == RequestStatus.DONE
    inbox.wait(PERSON, "is done")


def test_an_extension_is_allowed_once_and_tells_the_person_why(client, db, owner, inbox):
    _verified(client, inbox, "restriction", details="Even pauzeren graag.")
    request = _request(db)
    due = request.due_at
    log_in(client, owner)
    refused = post_form(client, f"/app/privacy/{request.id}/extend", {"reason": ""}, follow_redirects=True)
    assert "Give the reason" in refused.text
    post_form(client, f"/app/privacy/{request.id}/extend", {"reason": "We zoeken het archief na."})
    assert _request(db).due_at > due + timedelta(days=55)
    assert "We zoeken het archief na." in text_of(inbox.wait(PERSON, "more time"))
    again = post_form(
        client, f"/app/privacy/{request.id}/extend", {"reason": "Nog meer"}, follow_redirects=True
    )
    assert "only once" in again.text


def test_a_refusal_tells_the_person_how_to_complain(client, db, owner, inbox):
    _verified(client, inbox, "restriction", details="Stop alles.")
    request = _request(db)
    log_in(client, owner)
    post_form(client, f"/app/privacy/{request.id}/reject", {"reason": "Wij hebben geen gegevens van u."})
    body = text_of(inbox.wait(PERSON, "About your privacy request"))
    assert "Wij hebben geen gegevens van u." in body and "autoriteitpersoonsgegevens.nl" in body
    assert _request(db).status == RequestStatus.REJECTED


def test_owners_are_reminded_seven_and_two_days_before_the_due_date(client, db, settings, owner, inbox):
    _verified(client, inbox, "restriction", details="Pauze graag.")
    request = _request(db)
    db.execute(update(PrivacyRequest).values(due_at=utcnow() + timedelta(days=6, hours=12)))
    db.commit()
    assert remind_due(settings) == 1
    assert remind_due(settings) == 0
    assert "/app/privacy/" in text_of(inbox.wait(owner.email, "privacy request is due"))
    db.execute(update(PrivacyRequest).values(due_at=utcnow() + timedelta(days=1)))
    db.commit()
    assert remind_due(settings) == 1
    inbox.wait(owner.email, "privacy request is due", 2)
    assert remind_due(settings) == 0
    assert request.id


def test_expired_downloads_and_unconfirmed_requests_are_deleted(client, db, settings, owner, inbox):
    _verified(client, inbox, "access")
    inbox.wait(PERSON, "is ready")
    client.post("/privacy/acme/requests", data={"email": "nooit@example.org", "kind": "access"})
    assert purge_expired(settings) == {"exports": 0, "unverified_requests": 0}
    db.execute(update(PrivacyExport).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.status == RequestStatus.UNVERIFIED)
        .values(created_at=utcnow() - timedelta(days=8))
    )
    db.commit()
    assert purge_expired(settings) == {"exports": 1, "unverified_requests": 1}
    db.expire_all()
    assert [r.email for r in db.execute(select(PrivacyRequest)).scalars()] == [PERSON]


def test_a_breach_gets_a_checklist_and_a_log(client, db, owner, marketer):
    log_in(client, marketer)
    response = post_form(
        client,
        "/app/privacy/",
        {"description": "Laptop met exports in de trein laten liggen."},
        follow_redirects=False,
    )
    response = post_form(
        client, "/app/privacy/breaches", {"description": "Laptop met exports in de trein laten liggen."}
    )
    assert response.status_code == 200
    incident = db.execute(select(BreachIncident)).scalar_one()
    assert incident.reporter_email == marketer.email and incident.source == "dashboard"
    page = client.get(f"/app/privacy/breaches/{incident.id}?lang=en")
    assert "Notify the Autoriteit Persoonsgegevens by" in page.text
    post_form(
        client,
        f"/app/privacy/breaches/{incident.id}",
        {"step": ["contained"], "note": "Wachtwoorden gewijzigd."},
    )
    db.expire_all()
    notes = [
        e.note for e in db.execute(select(BreachLogEntry).order_by(BreachLogEntry.occurred_at)).scalars()
    ]
    assert (
        any("Stop the leak" in n or "lek dichten" in n for n in notes) and "Wachtwoorden gewijzigd." in notes
    )
    assert db.get_one(BreachIncident, incident.id).checklist["contained"]


def test_sales_reps_do_not_see_privacy_requests(client, db, owner, sales_rep):
    log_in(client, sales_rep)
    assert client.get("/app/privacy/").status_code == 403
