"""The operator's `landform privacy` commands, and the hooks other domains use to join export and erasure."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from advanced_alchemy.mixins.uuid import uuid7
from click.testing import CliRunner
from sqlalchemy import select

from landform import hooks
from landform.accounts.models import Tenant
from landform.core.db import scope_to_tenant, utcnow
from landform.crm_sink.models import Contact
from landform.privacy import breaches, requests
from landform.privacy.cli import privacy_group
from landform.privacy.fulfilment import erase, export
from landform.privacy.models import BreachIncident, BreachLogEntry, PrivacyRequest, RequestKind, RequestStatus
from tests.privacy.conftest import code_in

DETAILS = (
    "Mijn achternaam staat verkeerd in mijn account: het is De Vries, niet Vries. "
    "Wilt u ook mijn oude telefoonnummer verwijderen?"
)
REPORT = (
    "Via een gedeelde link kon ik de formulieren van een ander bedrijf zien, met namen en "
    "e-mailadressen van hun klanten erin."
)


def _request(db, tenant_id: UUID | None = None) -> PrivacyRequest:
    """A confirmed rectification request, waiting for a person."""
    request = PrivacyRequest(
        id=uuid7(),
        tenant_id=tenant_id,
        kind=RequestKind.RECTIFICATION,
        status=RequestStatus.IN_PROGRESS,
        email="anna@example.org",
        email_key="anna@example.org",
        language="nl",
        details=DETAILS,
        verified_at=utcnow(),
        due_at=utcnow() + timedelta(days=30),
    )
    db.add(request)
    requests.audit(db, request, "requested", "person")
    requests.audit(db, request, "verified", "person")
    db.commit()
    return request


def _breach(db, tenant: Tenant | None = None) -> BreachIncident:
    incident = breaches.report(
        db, tenant, {"description": REPORT, "email": "melder@example.org"}, source="portal"
    )
    db.commit()
    return incident


def _log(db, incident: BreachIncident) -> list[tuple[str, str]]:
    db.expire_all()
    entries = db.execute(
        select(BreachLogEntry).where(BreachLogEntry.incident_id == incident.id).order_by(BreachLogEntry.id)
    ).scalars()
    return [(entry.author, entry.note) for entry in entries]


def test_the_operator_lists_and_closes_the_platforms_own_requests(client, db, owner, inbox):
    client.post("/privacy/_/requests?lang=en", data={"email": owner.email, "kind": "erasure"})
    code = code_in(inbox.wait(owner.email, "Confirm"))
    assert client.post("/privacy/_/code", data={"email": owner.email, "code": code}).status_code == 200
    listed = CliRunner().invoke(privacy_group, ["list"])
    assert listed.exit_code == 0 and owner.email in listed.output and "erasure" in listed.output
    request = db.execute(select(PrivacyRequest)).scalar_one()
    done = CliRunner().invoke(privacy_group, ["done", str(request.id), "--note", "Account verwijderd."])
    assert done.exit_code == 0, done.output
    assert "Account verwijderd." in inbox.wait(owner.email, "is done").get_body(("plain",)).get_content()
    db.expire_all()
    assert db.get_one(PrivacyRequest, request.id).status == RequestStatus.DONE
    assert CliRunner().invoke(privacy_group, ["done", str(request.id)]).exit_code != 0


def test_it_lists_a_line_per_item_and_says_how_to_read_one_in_full(db):
    request = _request(db)
    incident = _breach(db)
    listed = CliRunner().invoke(privacy_group, ["list"])
    assert listed.exit_code == 0, listed.output
    assert f"{request.id}  due " in listed.output and DETAILS not in listed.output
    assert DETAILS[:40] in listed.output and "…" in listed.output
    assert f"breach {incident.id}" in listed.output and REPORT not in listed.output
    assert "landform privacy show <id>" in listed.output


def test_it_says_when_nothing_is_open(db):
    listed = CliRunner().invoke(privacy_group, ["list"])
    assert listed.exit_code == 0 and listed.output == "No open requests or breach reports.\n"


def test_it_shows_a_platform_request_in_full_with_its_audit_trail(db):
    request = _request(db)
    assert request.due_at is not None
    shown = CliRunner().invoke(privacy_group, ["show", str(request.id)])
    assert shown.exit_code == 0, shown.output
    assert "Kind:      Correct my data (rectification)" in shown.output
    assert "Status:    In progress" in shown.output
    assert "From:      anna@example.org (writes in Nederlands)" in shown.output
    assert f"Due:       {request.due_at:%Y-%m-%d %H:%M} UTC" in shown.output
    assert DETAILS in shown.output
    history = shown.output.split("History:")[1]
    assert history.index("Request received  (person)") < history.index("Address confirmed  (person)")
    assert f'landform privacy done {request.id} --note "..."' in shown.output


def test_it_shows_a_platform_breach_report_in_full(db):
    incident = _breach(db)
    shown = CliRunner().invoke(privacy_group, ["show", str(incident.id)])
    assert shown.exit_code == 0, shown.output
    assert "Status:    open" in shown.output
    assert f"Reported:  {incident.reported_at:%Y-%m-%d %H:%M} UTC through the portal" in shown.output
    assert "By:        melder@example.org" in shown.output
    assert f"Notify by: {incident.notify_by:%Y-%m-%d %H:%M} UTC" in shown.output
    assert REPORT in shown.output
    assert "[ ] Stop the leak" in shown.output and "(nothing logged yet)" in shown.output
    assert f"landform privacy close-breach {incident.id}" in shown.output


def test_it_closes_a_platform_breach_in_its_log_as_the_dashboard_does(db):
    incident = _breach(db)
    breaches.update(db, incident, "operator", {}, ["contained"])
    db.commit()
    closed = CliRunner().invoke(
        privacy_group,
        ["close-breach", str(incident.id), "--note", "Link ingetrokken; geen risico, niet gemeld."],
    )
    assert closed.exit_code == 0, closed.output
    db.expire_all()
    incident = db.get_one(BreachIncident, incident.id)
    assert incident.status == "closed" and incident.closed_at is not None
    assert breaches.steps_done(incident) == ["contained"]
    assert _log(db, incident)[-2:] == [
        ("operator", "Link ingetrokken; geen risico, niet gemeld."),
        ("operator", "Closed"),
    ]
    shown = CliRunner().invoke(privacy_group, ["show", str(incident.id)]).output
    assert "Status:    closed" in shown and "[x] Stop the leak" in shown and "close-breach" not in shown
    assert CliRunner().invoke(privacy_group, ["list"]).output == "No open requests or breach reports.\n"
    again = CliRunner().invoke(privacy_group, ["close-breach", str(incident.id)])
    assert again.exit_code != 0 and "no open platform breach report with that id" in again.output


def test_it_never_shows_or_closes_a_tenants_request_or_breach(db, owner):
    tenant = db.get_one(Tenant, owner.tenant_id)
    request = _request(db, tenant.id)
    incident = _breach(db, tenant)
    for item in (request, incident):
        shown = CliRunner().invoke(privacy_group, ["show", str(item.id)])
        assert shown.exit_code == 1 and "no platform request or breach report with that id" in shown.output
        assert DETAILS not in shown.output and REPORT not in shown.output
    closed = CliRunner().invoke(privacy_group, ["close-breach", str(incident.id)])
    assert closed.exit_code == 1 and "no open platform breach report" in closed.output
    db.expire_all()
    assert db.get_one(BreachIncident, incident.id).status == "open" and _log(db, incident) == []


def test_it_explains_an_id_that_is_malformed_or_unknown(db):
    malformed = CliRunner().invoke(privacy_group, ["show", "12345"])
    assert malformed.exit_code == 1
    assert "'12345' is not an id; `landform privacy list` shows them" in malformed.output
    unknown = CliRunner().invoke(privacy_group, ["show", str(uuid4())])
    assert unknown.exit_code == 1 and "no platform request or breach report with that id" in unknown.output
    assert CliRunner().invoke(privacy_group, ["close-breach", "breach-1"]).exit_code == 1


def test_other_domains_add_to_the_export_and_the_erasure(db, owner, monkeypatch):
    scope_to_tenant(db, owner.tenant_id)
    contact = Contact(tenant_id=owner.tenant_id, email="a@example.org", email_key="a@example.org")
    db.add(contact)
    db.commit()
    seen = []

    def deliveries(session, tenant_id, key):
        return "webhook_deliveries", [{"to": "https://crm.example.com", "email": key}]

    def erase_deliveries(session, tenant_id, key, contact_ids):
        seen.append((tenant_id, key, contact_ids))
        return 3

    sections, erasers = hooks.Hook("export_sections"), hooks.Hook("erasers")
    sections.add(deliveries)
    erasers.add(erase_deliveries)
    monkeypatch.setattr(hooks, "export_sections", sections)
    monkeypatch.setattr(hooks, "erasers", erasers)
    tenant = db.get_one(Tenant, owner.tenant_id)
    assert export.collect(db, tenant, "a@example.org")["webhook_deliveries"][0]["email"] == "a@example.org"
    counts = erase.erase_person(db, owner.tenant_id, "a@example.org")
    assert counts["erase_deliveries"] == 3
    assert seen == [(owner.tenant_id, "a@example.org", [contact.id])]
