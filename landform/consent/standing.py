"""Each contact's consents still standing, in words: a column of the contacts CSV."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.consent.models import ConsentRecord, Purpose
from landform.core.i18n import pick


def standing_consents(session: Session, contact_ids: list[UUID]) -> dict[UUID, str]:
    """For the contacts CSV: each contact's consents still standing, named with the day given."""
    if not contact_ids:
        return {}
    names = {purpose.id: purpose.name for purpose in session.execute(select(Purpose)).scalars()}
    newest: dict[UUID, dict[UUID | None, ConsentRecord]] = {}
    for record in session.execute(
        select(ConsentRecord)
        .where(ConsentRecord.contact_id.in_(contact_ids))
        .order_by(ConsentRecord.occurred_at, ConsentRecord.id)
    ).scalars():
        assert record.contact_id is not None  # selected by it
        if record.purpose_id is None and not record.given:
            newest[record.contact_id] = {}  # a withdrawal of everything ends every consent before it
            continue
        newest.setdefault(record.contact_id, {})[record.purpose_id] = record
    return {
        contact_id: "; ".join(
            f"{pick(names.get(record.purpose_id)) or '?'} ({record.occurred_at.date().isoformat()})"
            for record in records.values()
            if record.given and record.purpose_id is not None
        )
        for contact_id, records in newest.items()
    }
