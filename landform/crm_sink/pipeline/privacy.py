"""A person's deals in their copy of their data, and emptied when they are erased.

Found through the person's contacts (their e-mail key): a deal's name and notes may name them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.core.personal_data import anonymize
from landform.crm_sink.models import Contact
from landform.crm_sink.pipeline.models import Deal, PipelineStage


def privacy_export(session: Session, tenant_id: UUID, key: str) -> tuple[str, list[dict[str, Any]]]:
    """The deals of the person's contacts, with their stage and value."""
    rows = session.execute(
        select(Deal, PipelineStage.name)
        .join(Contact, Contact.id == Deal.contact_id)
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(Deal.tenant_id == tenant_id, Contact.email_key == key)
        .order_by(Deal.created_at)
    ).tuples()
    return "deals", [
        {
            "id": str(deal.id),
            "name": deal.name,
            "value_eur": f"{deal.value_cents / 100:.2f}",
            "stage": stage,
            "expected_close_on": deal.expected_close_on.isoformat() if deal.expected_close_on else None,
            "notes": deal.notes,
            "created_at": deal.created_at.isoformat(),
        }
        for deal, stage in rows
    ]


def erase_deals(session: Session, tenant_id: UUID, key: str, contact_ids: list[UUID]) -> int:
    """The personal columns (name, notes) of the erased contacts' deals; values and stages stay counted."""
    if not contact_ids:
        return 0
    table = Deal.__table__
    return anonymize(
        session,
        table,  # type: ignore[arg-type]
        (table.c.tenant_id == tenant_id) & table.c.contact_id.in_(contact_ids),
    )
