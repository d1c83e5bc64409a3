"""A routed batch whose leads someone is told of: the one subject of its notification jobs."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, Session, mapped_column

from landform.core.db import Base, TenantScoped
from landform.core.jobs.models import PermanentJobError


class RoutedBatch(TenantScoped, Base):
    """One tenant's share of a routing batch: the owner's e-mail and the chat post are one job each for it,
    not one per lead, so notifications cost routing two rows whatever the batch's size."""

    __tablename__ = "routed_batch"

    # The routed submissions' ids, as text, in routing order (ids only: the people are in their rows).
    submission_ids: Mapped[list[str]] = mapped_column(JSON, info={"personal": False})


def batch_submissions(session: Session, batch_id: UUID) -> list[UUID]:
    """The submissions of a routed batch; PermanentJobError when the batch is gone (swept)."""
    batch = session.get(RoutedBatch, batch_id)
    if batch is None:
        raise PermanentJobError(f"routed batch {batch_id} is gone")
    return [UUID(submission_id) for submission_id in batch.submission_ids]
