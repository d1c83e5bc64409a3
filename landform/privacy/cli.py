"""`landform privacy`: the platform operator's own privacy queue (requests about dashboard accounts)."""

from __future__ import annotations

from uuid import UUID

import click
from sqlalchemy import select

from landform.db import sync_session
from landform.privacy import services
from landform.privacy.models import BreachIncident, PrivacyRequest, RequestStatus
from landform.settings import get_settings


@click.group(name="privacy")
def privacy_group() -> None:
    """Requests and breach reports sent to Landform itself through /privacy."""


@privacy_group.command(name="list")
def list_command() -> None:
    """Open requests by due date, then open breach reports."""
    with sync_session(get_settings().database.sync_url) as session:
        requests = session.execute(
            select(PrivacyRequest)
            .where(
                PrivacyRequest.tenant_id.is_(None),
                PrivacyRequest.status.in_([RequestStatus.AWAITING_APPROVAL, RequestStatus.IN_PROGRESS]),
            )
            .order_by(PrivacyRequest.due_at)
        ).scalars()
        for request in requests:
            due = f"{request.due_at:%Y-%m-%d}" if request.due_at else "-"
            click.echo(
                f"{request.id}  due {due}  {request.kind.value:<13}  {request.email}  {request.details[:60]}"
            )
        incidents = session.execute(
            select(BreachIncident).where(BreachIncident.tenant_id.is_(None), BreachIncident.status == "open")
        ).scalars()
        for incident in incidents:
            click.echo(
                f"breach {incident.id}  notify by {incident.notify_by:%Y-%m-%d %H:%M} UTC  "
                f"{incident.description[:60]}"
            )


@privacy_group.command(name="done")
@click.argument("request_id")
@click.option("--note", default="", help="What was done; sent to the person.")
def done_command(request_id: str, note: str) -> None:
    """Mark one of the platform's requests as done and tell the person."""
    with sync_session(get_settings().database.sync_url) as session:
        try:
            wanted = UUID(request_id)
        except ValueError as error:
            raise click.ClickException("that is not a request id") from error
        request = session.execute(
            select(PrivacyRequest).where(PrivacyRequest.tenant_id.is_(None), PrivacyRequest.id == wanted)
        ).scalar_one_or_none()
        if request is None or not request.is_open:
            raise click.ClickException("no open platform request with that id")
        request.outcome = note.strip()[:2000]
        services.complete(session, request, None, actor="operator")
        session.commit()
    click.echo("done; the person has been told")
