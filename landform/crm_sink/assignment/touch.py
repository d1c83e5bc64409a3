"""Touching a lead: the owner opened it, changed its stage, logged a note or a call, or finished a task.

The first touch by the lead's owner stops the speed-to-lead clock (`Contact.first_touched_at`); someone
else looking at it does not, and neither does an import.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from sqlalchemy.orm import Session

from landform.core.db import utcnow

TouchKind = Literal["opened", "stage_changed", "note", "call", "task"]


def touch(
    session: Session, contact: Any, user_id: UUID | None, kind: TouchKind, at: datetime | None = None
) -> bool:
    """Record that `user_id` touched `contact` (a crm_sink `Contact`); True if this was the owner's first.

    Every kind counts the same; callers name theirs (and pass their session) so the contract stays put if
    a kind ever needs a row of its own.
    """
    if contact.first_touched_at is not None or user_id is None or contact.owner_id != user_id:
        return False
    contact.first_touched_at = at or utcnow()
    return True
