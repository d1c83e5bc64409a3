"""Processing purposes with versioned consent texts, the append-only consent ledger, minors' held leads."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from landform.core.db import GUID, Base, DateTimeUTC, TenantScoped
from landform.crm_sink.models import Submission


class Purpose(TenantScoped, Base):
    """Why a tenant processes personal data (a newsletter, sales follow-up), asked with a consent text."""

    __tablename__ = "consent_purpose"

    name: Mapped[dict[str, str]] = mapped_column(JSON)
    # The number of the text new consent boxes show; older texts stay for the records that cite them.
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    # Double opt-in: a ticked box counts only once the person confirms by a link e-mailed to them.
    double_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)


class ConsentText(TenantScoped, Base):
    """One version of a purpose's consent text, per language; never changed once written."""

    __tablename__ = "consent_text"
    __table_args__ = (UniqueConstraint("purpose_id", "version"),)

    purpose_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("consent_purpose.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[dict[str, str]] = mapped_column(JSON)

    # Declared so the unit of work inserts a new purpose before its first text.
    purpose: Mapped[Purpose] = relationship(lazy="raise")


class ConsentRecord(TenantScoped, Base):
    """Proof of one consent given or withdrawn (GDPR art. 7(1)): who, what, which text, when and how.

    Append-only: the ORM refuses to update or delete a record (see the mapper events below). The one
    later write is filling in `contact_id` once routing has made the contact (a Core statement in
    services.py), which adds who the record is about without changing what it proves.
    """

    __tablename__ = "consent_record"
    __table_args__ = (Index("ix_consent_record_contact_time", "contact_id", "occurred_at"),)

    contact_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("contact.id", ondelete="SET NULL"), nullable=True
    )
    submission_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("submission.id", ondelete="SET NULL"), index=True, nullable=True
    )
    # None on a withdrawal of every purpose at once.
    purpose_id: Mapped[UUID | None] = mapped_column(GUID, ForeignKey("consent_purpose.id"), nullable=True)
    text_id: Mapped[UUID | None] = mapped_column(GUID, ForeignKey("consent_text.id"), nullable=True)
    # The words exactly as shown, in `language` (the text version may have been overridden by a label).
    text_shown: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8))
    given: Mapped[bool] = mapped_column(Boolean)
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    # How: form, page, embed, api, email (a withdrawal link), portal; confirmed by the person or a parent.
    method: Mapped[str] = mapped_column(String(16))
    confirmed_by: Mapped[str] = mapped_column(String(16), default="person")
    form_id: Mapped[UUID | None] = mapped_column(GUID, nullable=True)
    form_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    page_id: Mapped[UUID | None] = mapped_column(GUID, nullable=True)
    embed_host: Mapped[str] = mapped_column(String(300), default="")
    # HMAC of the address with the secret key: proves "the same address" without keeping it.
    ip_hash: Mapped[str] = mapped_column(String(64), default="", info={"personal": True})
    user_agent_family: Mapped[str] = mapped_column(String(32), default="", info={"personal": True})
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info={"personal": True})

    # Declared so the unit of work inserts a submission before the records made with it.
    submission: Mapped[Submission | None] = relationship(lazy="raise")


class LedgerIsAppendOnly(RuntimeError):
    """Someone tried to change or remove a consent record."""


@event.listens_for(ConsentRecord, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: ConsentRecord) -> None:
    raise LedgerIsAppendOnly(f"consent record {target.id} cannot be changed: append a new one")


@event.listens_for(ConsentRecord, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: ConsentRecord) -> None:
    raise LedgerIsAppendOnly(f"consent record {target.id} cannot be deleted: append a withdrawal")


class ParentalConsent(TenantScoped, Base):
    """A minor's submission held until a parent or guardian consents by a signed e-mail link.

    While pending, the submission has no routing job: no contact, nothing in the CRM or the API.
    Refused or expired, the submission and everything about it is purged.
    """

    __tablename__ = "parental_consent"

    submission_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("submission.id", ondelete="CASCADE"), unique=True
    )
    parent_email: Mapped[str] = mapped_column(String(320), info={"personal": True})
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, given
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    email_message_id: Mapped[UUID | None] = mapped_column(GUID, nullable=True)
    # The consents the minor ticked, and how they arrived: recorded in the ledger once the parent agrees.
    pending_consents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    how: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info={"personal": True})

    submission: Mapped[Submission] = relationship(lazy="raise")
