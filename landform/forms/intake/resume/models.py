"""Unfinished answers a visitor asked to keep, with their consent, to finish the form later."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from landform.consent.models import ConsentRecord
from landform.core.db import GUID, Base, DateTimeUTC, TenantScoped


class SavedAnswers(TenantScoped, Base):
    """One visitor's unfinished answers to one form: never a lead, deleted on submission or after 30 days."""

    __tablename__ = "saved_answers"
    __table_args__ = (
        Index("ix_saved_answers_email", "tenant_id", "email_key"),
        Index("ix_saved_answers_created", "tenant_id", "created_at"),
    )

    form_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("form.id", ondelete="CASCADE"), info={"personal": False}
    )
    # The landing page the form was on (restored there), or None for /f/{key}.
    page_id: Mapped[UUID | None] = mapped_column(GUID, nullable=True, info={"personal": False})
    email: Mapped[str] = mapped_column(String(320), info={"personal": True})
    # The de-duplication key of the address: how the privacy export and erasure find the row.
    email_key: Mapped[str] = mapped_column(String(320), info={"personal": True})
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, info={"personal": True})
    # The step they were on (a form with steps), shown again when they come back.
    step: Mapped[str] = mapped_column(String(64), default="", info={"personal": False})
    language: Mapped[str] = mapped_column(String(8), info={"personal": False})
    # The ledger's proof of the ticked box; the record outlives the answers (it is append-only).
    consent_record_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("consent_record.id"), info={"personal": False}
    )
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC, info={"personal": False})

    # Declared so the unit of work inserts the consent record before the answers it allows.
    consent_record: Mapped[ConsentRecord] = relationship(lazy="raise")
