"""The job row of the outbox, and the error that says a job can never succeed."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, DateTimeUTC


class OutboxJob(Base):
    """One unit of background work on one subject (a submission, an e-mail, ...)."""

    __tablename__ = "outbox_job"
    __table_args__ = (Index("ix_outbox_job_pending", "done_at", "failed_at", "redispatch_at"),)

    actor_name: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[UUID] = mapped_column(GUID)
    tenant_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("tenant.id", ondelete="CASCADE"), index=True, nullable=True
    )
    redispatch_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    redispatches: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True, info={"personal": True})


class PermanentJobError(Exception):
    """The job can never succeed (its subject is gone or invalid): record it, do not retry."""
