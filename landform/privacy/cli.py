"""`landform privacy`: the platform operator's own privacy queue (requests about dashboard accounts)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.core import i18n
from landform.core.db import sync_session
from landform.core.settings import get_settings
from landform.privacy import breaches
from landform.privacy.labels import action_labels, field_labels, kind_labels, status_labels
from landform.privacy.models import (
    OPEN_STATUSES,
    BreachIncident,
    BreachLogEntry,
    PrivacyAuditEntry,
    PrivacyRequest,
    RequestStatus,
)
from landform.privacy.operator_contact import OPERATOR_LANGUAGE
from landform.privacy.requests import complete

# Who acted, in a request's audit trail and a breach's log: the operator has no dashboard user.
OPERATOR = "operator"


@click.group(name="privacy")
def privacy_group() -> None:
    """Requests and breach reports sent to Landform itself through /privacy."""
    # Labels shown and the log lines a service writes (e.g. "Closed") are in the operator's language.
    i18n.set_language(OPERATOR_LANGUAGE)


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "-"


def _short(text: str) -> str:
    """A one-line excerpt for `list`; `show` has the whole text."""
    line = " ".join(text.split())
    return line if len(line) <= 60 else line[:59] + "…"


def _id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError as error:
        raise click.ClickException(f"{value!r} is not an id; `landform privacy list` shows them") from error


@privacy_group.command(name="list")
def list_command() -> None:
    """Open requests by due date, then open breach reports."""
    with sync_session(get_settings().database.sync_url) as session:
        requests = session.execute(
            select(PrivacyRequest)
            .where(
                PrivacyRequest.tenant_id.is_(None),
                PrivacyRequest.status.in_(OPEN_STATUSES),
            )
            .order_by(PrivacyRequest.due_at)
        ).scalars()
        listed = 0
        for request in requests:
            listed += 1
            due = f"{request.due_at:%Y-%m-%d}" if request.due_at else "-"
            kind = request.kind.value
            click.echo(f"{request.id}  due {due}  {kind:<13}  {request.email}  {_short(request.details)}")
        incidents = session.execute(
            select(BreachIncident).where(BreachIncident.tenant_id.is_(None), BreachIncident.status == "open")
        ).scalars()
        for incident in incidents:
            listed += 1
            click.echo(
                f"breach {incident.id}  notify by {_when(incident.notify_by)}  {_short(incident.description)}"
            )
    if listed:
        click.echo("\nIn full, with its history: landform privacy show <id>")
    else:
        click.echo("No open requests or breach reports.")


@privacy_group.command(name="done")
@click.argument("request_id")
@click.option("--note", default="", help="What was done; sent to the person.")
def done_command(request_id: str, note: str) -> None:
    """Mark one of the platform's requests as done and tell the person."""
    with sync_session(get_settings().database.sync_url) as session:
        request = _platform_request(session, _id(request_id))
        if request is None or not request.is_open:
            raise click.ClickException("no open platform request with that id")
        request.outcome = note.strip()[:2000]
        complete(session, request, None, actor=OPERATOR)
        session.commit()
    click.echo("done; the person has been told")


@privacy_group.command(name="show")
@click.argument("item_id")
def show_command(item_id: str) -> None:
    """One request or breach report to Landform in full, with its history."""
    wanted = _id(item_id)
    with sync_session(get_settings().database.sync_url) as session:
        request = _platform_request(session, wanted)
        if request is not None:
            _show_request(session, request)
            return
        incident = _platform_incident(session, wanted)
        if incident is None:
            raise click.ClickException("no platform request or breach report with that id")
        _show_incident(session, incident)


@privacy_group.command(name="close-breach")
@click.argument("incident_id")
@click.option("--note", default="", help="What was done about it; added to the incident's log.")
def close_breach_command(incident_id: str, note: str) -> None:
    """Close a breach report to Landform once it is handled, as a team closes theirs in the dashboard."""
    with sync_session(get_settings().database.sync_url) as session:
        incident = _platform_incident(session, _id(incident_id))
        if incident is None or incident.status != "open":
            raise click.ClickException("no open platform breach report with that id")
        # The checklist is left as it is: closing ticks or unticks no step.
        data = {"status": "closed", "note": note}
        breaches.update(session, incident, OPERATOR, data, breaches.steps_done(incident))
        session.commit()
    click.echo("closed; the note and the closing are in its log")


def _platform_request(session: Session, request_id: UUID) -> PrivacyRequest | None:
    """A request to Landform itself (never a tenant's) whose address was confirmed."""
    return session.execute(
        select(PrivacyRequest).where(
            PrivacyRequest.tenant_id.is_(None),
            PrivacyRequest.id == request_id,
            PrivacyRequest.status != RequestStatus.UNVERIFIED,
        )
    ).scalar_one_or_none()


def _platform_incident(session: Session, incident_id: UUID) -> BreachIncident | None:
    return session.execute(
        select(BreachIncident).where(BreachIncident.tenant_id.is_(None), BreachIncident.id == incident_id)
    ).scalar_one_or_none()


def _show_request(session: Session, request: PrivacyRequest) -> None:
    click.echo(f"Request {request.id}")
    click.echo(f"Kind:      {kind_labels()[request.kind]}")
    click.echo(f"Status:    {status_labels()[request.status]}")
    language = i18n.LANGUAGE_NAMES.get(request.language, request.language)
    click.echo(f"From:      {request.email} (writes in {language})")
    click.echo(f"Received:  {_when(request.created_at)}")
    click.echo(f"Due:       {_when(request.due_at)}")
    if request.extended_at:
        click.echo(f"Extended:  {_when(request.extended_at)}: {request.extension_reason}")
    if request.completed_at:
        click.echo(f"Finished:  {_when(request.completed_at)}")
    if request.target_organisation or request.target_email:
        click.echo(f"Send to:   {request.target_organisation} <{request.target_email}>")
    fields = field_labels()
    for field, value in request.corrections.items():
        click.echo(f"Correct:   {fields.get(field, field)} -> {value}")
    click.echo("\nDetails:")
    click.echo(request.details or "(none given)")
    if request.outcome:
        click.echo("\nOutcome, as told to the person:")
        click.echo(request.outcome)
    trail = session.execute(
        select(PrivacyAuditEntry)
        .where(PrivacyAuditEntry.request_id == request.id)
        .order_by(PrivacyAuditEntry.occurred_at, PrivacyAuditEntry.id)
    ).scalars()
    labels = action_labels()
    click.echo("\nHistory:")
    for entry in trail:
        click.echo(f"  {_when(entry.occurred_at)}  {labels.get(entry.action, entry.action)}  ({entry.actor})")
    if request.is_open:
        click.echo(f'\nOnce handled: landform privacy done {request.id} --note "..."')


def _show_incident(session: Session, incident: BreachIncident) -> None:
    click.echo(f"Breach report {incident.id}")
    click.echo(f"Status:    {incident.status}")
    click.echo(f"Reported:  {_when(incident.reported_at)} through the {incident.source}")
    click.echo(f"By:        {incident.reporter_email or 'anonymous'}")
    click.echo(
        f"Notify by: {_when(incident.notify_by)} (the Autoriteit Persoonsgegevens, if there is a risk)"
    )
    if incident.closed_at:
        click.echo(f"Closed:    {_when(incident.closed_at)}")
    click.echo("\nDescription:")
    click.echo(incident.description)
    click.echo("\nChecklist:")
    for key, label in breaches.CHECKLIST:
        click.echo(f"  [{'x' if incident.checklist.get(key) else ' '}] {label}")
    log = list(
        session.execute(
            select(BreachLogEntry)
            .where(BreachLogEntry.incident_id == incident.id)
            .order_by(BreachLogEntry.occurred_at, BreachLogEntry.id)
        ).scalars()
    )
    click.echo("\nLog:")
    for entry in log:
        click.echo(f"  {_when(entry.occurred_at)}  {entry.note}  ({entry.author})")
    if not log:
        click.echo("  (nothing logged yet)")
    if incident.status == "open":
        click.echo(f'\nOnce handled: landform privacy close-breach {incident.id} --note "..."')
