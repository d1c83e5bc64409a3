"""Submissions (the intake record), contacts, and the activities on a contact's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from landform.db import GUID, Base, DateTimeUTC, TenantScoped


class Submission(TenantScoped, Base):
    """What a visitor sent through a form, as accepted; the worker routes it into the CRM."""

    __tablename__ = "submission"

    form_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("form.id", ondelete="SET NULL"), index=True, nullable=True
    )
    page_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("page.id", ondelete="SET NULL"), nullable=True
    )
    # The published form version the visitor answered (None: a version from before versioning).
    form_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The form token's nonce: unique, so a double click or a replayed request stores one lead.
    token_nonce: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    # Cleaned values by field name, and what the CRM needs of them (email, first_name, ...).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, info={"personal": True})
    contact_fields: Mapped[dict[str, str]] = mapped_column(JSON, info={"personal": True})
    # Where it came from: source (page, embed, api), language, utm_*, referrer, page_url.
    context: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, info={"personal": True})
    contact_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("contact.id", ondelete="SET NULL"), index=True, nullable=True
    )
    routed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)


class Contact(TenantScoped, Base):
    """A person in a tenant's CRM: one per tenant and normalized e-mail address."""

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email_key"),
        Index("ix_contact_tenant_created", "tenant_id", "created_at"),
    )

    email: Mapped[str] = mapped_column(String(320), info={"personal": True})
    email_key: Mapped[str] = mapped_column(String(320), info={"personal": True})
    first_name: Mapped[str] = mapped_column(String(100), default="", info={"personal": True})
    last_name: Mapped[str] = mapped_column(String(100), default="", info={"personal": True})
    phone: Mapped[str] = mapped_column(String(32), default="", info={"personal": True})
    company_name: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    job_title: Mapped[str] = mapped_column(String(200), default="", info={"personal": True})
    language: Mapped[str] = mapped_column(String(8), default="")
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # Set when the person withdraws consent (by the link in every e-mail, or the privacy portal).
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Activity(TenantScoped, Base):
    """One event on a contact's timeline."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_contact_time", "contact_id", "occurred_at"),)

    contact_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("contact.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    # A submission makes exactly one activity, however often it is routed.
    submission_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("submission.id", ondelete="SET NULL"), unique=True, nullable=True
    )
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info={"personal": True})
