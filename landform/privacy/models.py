"""Data-subject requests with their audit trail, exports, a tenant's privacy settings, breach incidents.

Requests and incidents belong to a tenant, or (tenant_id NULL) to the platform operator itself, so
they are not `TenantScoped`: every query names the tenant explicitly (see requests.py).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from landform.core.db import GUID, Base, DateTimeUTC


class RequestKind(enum.StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    PORTABILITY = "portability"
    WITHDRAWAL = "withdrawal"
    OBJECTION = "objection"
    RESTRICTION = "restriction"
    MINOR = "minor"


class RequestStatus(enum.StrEnum):
    UNVERIFIED = "unverified"  # waiting for the person to confirm their address
    AWAITING_APPROVAL = "awaiting_approval"  # verified; the tenant asked to approve this kind by hand
    IN_PROGRESS = "in_progress"  # verified; being fulfilled (by the worker or a person)
    DONE = "done"
    REJECTED = "rejected"


# A request someone still has to answer: in the queue, reminded of, listed by the operator's CLI.
OPEN_STATUSES = (RequestStatus.AWAITING_APPROVAL, RequestStatus.IN_PROGRESS)


def _tenant_fk() -> ForeignKey:
    return ForeignKey("tenant.id", ondelete="CASCADE")


class PrivacyRequest(Base):
    """One request of a person about their data, from the privacy portal."""

    __tablename__ = "privacy_request"
    __table_args__ = (Index("ix_privacy_request_tenant_due", "tenant_id", "due_at"),)

    tenant_id: Mapped[UUID | None] = mapped_column(GUID, _tenant_fk(), index=True, nullable=True)
    kind: Mapped[RequestKind] = mapped_column(
        Enum(RequestKind, native_enum=False, length=16), info={"personal": False}
    )
    status: Mapped[RequestStatus] = mapped_column(
        Enum(RequestStatus, native_enum=False, length=20),
        default=RequestStatus.UNVERIFIED,
        info={"personal": False},
    )
    email: Mapped[str] = mapped_column(String(320), info={"personal": True})
    email_key: Mapped[str] = mapped_column(String(320), index=True, info={"personal": True})
    language: Mapped[str] = mapped_column(String(8), default="nl", info={"personal": False})
    details: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    # Portability to another organisation: who, and the address the file goes to.
    target_organisation: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    target_email: Mapped[str] = mapped_column(String(320), default="", info={"personal": True})
    # Rectification: the corrections the person proposes, by contact field.
    corrections: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, info={"personal": True})
    # The six-digit code in the verification e-mail (hashed), and how often a wrong one was tried.
    code_hash: Mapped[str] = mapped_column(String(64), default="", info={"personal": False})
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    verified_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    extended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    extension_reason: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    completed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    reminded_7_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    reminded_2_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PrivacyAuditEntry(Base):
    """One step of a request, for the audit trail: who did what when. Never holds personal data."""

    __tablename__ = "privacy_audit_entry"

    tenant_id: Mapped[UUID | None] = mapped_column(GUID, _tenant_fk(), index=True, nullable=True)
    request_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("privacy_request.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    # "person", "system", or the id of the dashboard user who acted.
    actor: Mapped[str] = mapped_column(String(64), info={"personal": False})
    action: Mapped[str] = mapped_column(String(64), info={"personal": False})

    # Declared so the unit of work inserts a request before its first entry.
    request: Mapped[PrivacyRequest] = relationship(lazy="raise")


class PrivacyExport(Base):
    """A zip of everything held on a person, downloadable by a signed link until it expires."""

    __tablename__ = "privacy_export"

    tenant_id: Mapped[UUID | None] = mapped_column(GUID, _tenant_fk(), index=True, nullable=True)
    request_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("privacy_request.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC, index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, info={"personal": True})
    downloads: Mapped[int] = mapped_column(Integer, default=0)

    request: Mapped[PrivacyRequest] = relationship(lazy="raise")


class PrivacySettings(Base):
    """A tenant's privacy choices: which request kinds need a person's approval, the DPO's contact."""

    __tablename__ = "privacy_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    tenant_id: Mapped[UUID] = mapped_column(GUID, _tenant_fk())
    manual_kinds: Mapped[list[str]] = mapped_column(JSON, default=list, info={"personal": False})
    # The data protection officer or privacy contact shown on the portal (a role address is best).
    dpo_name: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    dpo_email: Mapped[str] = mapped_column(String(320), default="", info={"personal": True})
    # The answer time the portal promises: "four_weeks" (28 days) or "one_month" (a calendar month).
    deadline: Mapped[str] = mapped_column(
        String(16), default="four_weeks", server_default="four_weeks", info={"personal": False}
    )


class BreachIncident(Base):
    """A possible data breach: reported on the portal or the dashboard, with a 72-hour clock (art. 33)."""

    __tablename__ = "breach_incident"

    tenant_id: Mapped[UUID | None] = mapped_column(GUID, _tenant_fk(), index=True, nullable=True)
    source: Mapped[str] = mapped_column(String(16), info={"personal": False})  # portal, dashboard
    reporter_email: Mapped[str] = mapped_column(String(320), default="", info={"personal": True})
    description: Mapped[str] = mapped_column(Text, info={"personal": True})
    reported_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    notify_by: Mapped[datetime] = mapped_column(DateTimeUTC)
    status: Mapped[str] = mapped_column(String(16), default="open", info={"personal": False})
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info={"personal": False})
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)


class BreachLogEntry(Base):
    """One line of an incident's log, written by the tenant's people."""

    __tablename__ = "breach_log_entry"

    tenant_id: Mapped[UUID | None] = mapped_column(GUID, _tenant_fk(), index=True, nullable=True)
    incident_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("breach_incident.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    author: Mapped[str] = mapped_column(String(200), info={"personal": True})
    note: Mapped[str] = mapped_column(Text, info={"personal": True})

    incident: Mapped[BreachIncident] = relationship(lazy="raise")


class AccountDeletion(Base):
    """A request to delete a tenant's account (or, with `user_id`, one user of it): anonymized after a
    7-day cooling-off, unless cancelled."""

    __tablename__ = "account_deletion"

    tenant_id: Mapped[UUID] = mapped_column(GUID, _tenant_fk(), index=True)
    # Set: only this user is deleted; None: the whole account.
    user_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    requested_by_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    requested_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    run_after: Mapped[datetime] = mapped_column(DateTimeUTC, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # The Stripe subscription this deletion stops (see deletion.BILLING_STATES for `billing`).
    stripe_subscription_id: Mapped[str | None] = mapped_column(
        String(64), nullable=True, info={"personal": False}
    )
    billing: Mapped[str] = mapped_column(
        String(16), default="none", server_default="none", info={"personal": False}
    )

    @property
    def is_pending(self) -> bool:
        return self.cancelled_at is None and self.completed_at is None
