"""Data-breach incidents: a report starts a 72-hour clock for telling the supervisory authority (art. 33)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from babel.support import LazyProxy
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import Role, Tenant
from landform.accounts.notices import tell_team
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.core.i18n import lazy_gettext
from landform.core.text import normalize_text
from landform.privacy.models import BreachIncident, BreachLogEntry
from landform.privacy.operator_contact import mail_privacy_contact

NOTIFY_WITHIN = timedelta(hours=72)

# What a small company must do, in order; each step is ticked off on the incident.
CHECKLIST: tuple[tuple[str, LazyProxy], ...] = (
    ("contained", lazy_gettext("Stop the leak: close the access, change keys and passwords")),
    ("assessed", lazy_gettext("Establish what data, how many people and what risk for them")),
    (
        "authority",
        lazy_gettext("Notify the Autoriteit Persoonsgegevens within 72 hours (unless there is no risk)"),
    ),
    ("people", lazy_gettext("Tell the people affected if the risk to them is high")),
    ("recorded", lazy_gettext("Record the breach, its effects and what was done, in this log")),
)


class BreachInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def report(
    db: Session, tenant: Tenant | None, data: dict[str, str], *, source: str, reporter: str = ""
) -> BreachIncident:
    """Open an incident (the clock starts now) and tell the tenant's owners and admins."""
    errors: dict[str, str] = {}
    description = normalize_text(data.get("description", ""))[:8000]
    if len(description) < 10:
        errors["description"] = _("Describe what happened, in a sentence or two.")
    email = data.get("email", "").strip() or reporter
    if email:
        try:
            email = validate_email(email[:254], check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = _("Please enter a valid e-mail address, like name@example.com.")
    if errors:
        raise BreachInvalid(errors)
    now = utcnow()
    incident = BreachIncident(
        id=uuid7(),
        tenant_id=tenant.id if tenant else None,
        source=source,
        reporter_email=email,
        description=description,
        reported_at=now,
        notify_by=now + NOTIFY_WITHIN,
        status="open",
        checklist={},
    )
    db.add(incident)
    return incident


async def notify_managers(db: AsyncSession, tenant: Tenant, incident: BreachIncident) -> None:
    """E-mail the tenant's owners and admins: the 72-hour clock of a reported breach is running."""
    await db.run_sync(
        tell_team,
        tenant.id,
        (Role.OWNER, Role.ADMIN),
        "privacy_breach",
        organisation=tenant.name,
        notify_by=incident.notify_by,
        link=f"/app/privacy/breaches/{incident.id}",
    )


def notify_operator(db: Session, incident: BreachIncident) -> bool:
    """E-mail the operator's privacy contact at once: a breach was reported to Landform itself.

    Only the deadline and the incident's id: the report (and who sent it) is read with
    `landform privacy show <id>`. False when LANDFORM_PRIVACY_EMAIL is not set.
    """
    return mail_privacy_contact(
        db, "privacy_operator_breach", notify_by=incident.notify_by, incident_id=str(incident.id)
    )


async def incidents(db: AsyncSession, tenant_id: UUID) -> list[BreachIncident]:
    return list(
        (
            await db.execute(
                select(BreachIncident)
                .where(BreachIncident.tenant_id == tenant_id)
                .order_by(BreachIncident.reported_at.desc())
            )
        ).scalars()
    )


async def incident_of(db: AsyncSession, tenant_id: UUID, incident_id: UUID) -> BreachIncident | None:
    return (
        await db.execute(
            select(BreachIncident).where(
                BreachIncident.tenant_id == tenant_id, BreachIncident.id == incident_id
            )
        )
    ).scalar_one_or_none()


async def log_of(db: AsyncSession, incident: BreachIncident) -> list[BreachLogEntry]:
    return list(
        (
            await db.execute(
                select(BreachLogEntry)
                .where(BreachLogEntry.incident_id == incident.id)
                .order_by(BreachLogEntry.occurred_at, BreachLogEntry.id)
            )
        ).scalars()
    )


def steps_done(incident: BreachIncident) -> list[str]:
    """The checklist's ticked steps, to pass back to `update` when a change leaves them as they are."""
    return [key for key, _label in CHECKLIST if incident.checklist.get(key)]


def update(
    db: Session, incident: BreachIncident, author: str, data: dict[str, Any], ticked: list[str]
) -> None:
    """Tick steps, add a log line, close or reopen; every change is logged with who made it (`author`)."""
    now = utcnow()
    lines = []
    checklist = dict(incident.checklist)
    for key, label in CHECKLIST:
        done = key in ticked
        if done != bool(checklist.get(key)):
            checklist[key] = now.isoformat() if done else None
            lines.append((_("Done: %(step)s") if done else _("Not done: %(step)s")) % {"step": str(label)})
    incident.checklist = checklist
    note = normalize_text(str(data.get("note", "")))[:4000]
    if note:
        lines.append(note)
    status = str(data.get("status", incident.status))
    if status in ("open", "closed") and status != incident.status:
        incident.status = status
        incident.closed_at = now if status == "closed" else None
        lines.append(_("Closed") if status == "closed" else _("Reopened"))
    for line in lines:
        db.add(
            BreachLogEntry(
                id=uuid7(),
                tenant_id=incident.tenant_id,
                incident_id=incident.id,
                occurred_at=now,
                author=author,
                note=line,
            )
        )
