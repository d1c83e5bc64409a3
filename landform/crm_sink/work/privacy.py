"""A person's notes, calls and tasks in their copy of their data, and emptied when they are erased."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.core.personal_data import anonymize
from landform.crm_sink.models import Contact
from landform.crm_sink.work.models import WorkItem


def privacy_export(session: Session, tenant_id: UUID, key: str) -> tuple[str, list[dict[str, Any]]]:
    """Everything the team wrote about the person: notes, calls (with their outcome) and tasks."""
    items = session.scalars(
        select(WorkItem)
        .join(Contact, Contact.id == WorkItem.contact_id)
        .where(WorkItem.tenant_id == tenant_id, Contact.email_key == key)
        .order_by(WorkItem.created_at)
        .execution_options(all_tenants=True)
    )
    return (
        "notes_calls_tasks",
        [
            {
                "kind": item.kind,
                "written_at": item.created_at.isoformat(),
                "text": item.body,
                "outcome": item.outcome,
                "due_on": item.due_on.isoformat() if item.due_on else None,
                "done_at": item.done_at.isoformat() if item.done_at else None,
            }
            for item in items
        ],
    )


def erase_work(session: Session, tenant_id: UUID, key: str, contact_ids: list[UUID]) -> int:
    """For an erasure: the text of every note, call and task about the person is emptied."""
    if not contact_ids:
        return 0
    table = WorkItem.__table__
    return anonymize(
        session,
        table,  # type: ignore[arg-type]
        (table.c.tenant_id == tenant_id) & table.c.contact_id.in_(contact_ids),
    )
