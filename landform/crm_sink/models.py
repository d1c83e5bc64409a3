"""Submissions (the intake record), contacts, companies, tags, and the activities on a contact's timeline.

Personal columns carry `info={"personal": True}`: erasure and account deletion empty exactly those.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, DateTimeUTC, TenantScoped
from landform.core.personal_data import is_erased_marker


class Submission(TenantScoped, Base):
    """What a visitor sent through a form, as accepted; the worker routes it into the CRM."""

    __tablename__ = "submission"
    # Counting a month's leads (billing's quota) reads one tenant's submissions by time: a range scan.
    __table_args__ = (Index("ix_submission_tenant_created", "tenant_id", "created_at"),)

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


PERSONAL = {"personal": True}


class Company(TenantScoped, Base):
    """An organisation in a tenant's CRM, with the seed's company fields.

    Matched when routing by KvK number, then VAT number, then web domain (never a free-mail domain);
    the match keys are stored normalized (`kvk_number` 8 digits, `vat_number` compact upper case,
    `domain` lower case without `www.`) and indexed per tenant.
    """

    __tablename__ = "company"
    __table_args__ = (
        Index("ix_company_tenant_kvk", "tenant_id", "kvk_number"),
        Index("ix_company_tenant_vat", "tenant_id", "vat_number"),
        Index("ix_company_tenant_domain", "tenant_id", "domain"),
        Index("ix_company_tenant_name", "tenant_id", "name"),
        # On PostgreSQL migration 0108 adds a trigram index (pg_trgm) on the name, for the search.
    )

    name: Mapped[str] = mapped_column(String(200), info=PERSONAL)
    address: Mapped[str] = mapped_column(String(200), default="", info=PERSONAL)
    postcode: Mapped[str] = mapped_column(String(16), default="", info=PERSONAL)
    city: Mapped[str] = mapped_column(String(100), default="", info=PERSONAL)
    country: Mapped[str] = mapped_column(String(2), default="", info=PERSONAL)
    phone: Mapped[str] = mapped_column(String(32), default="", info=PERSONAL)
    vat_number: Mapped[str] = mapped_column(String(20), default="", info=PERSONAL)
    kvk_number: Mapped[str] = mapped_column(String(8), default="", info=PERSONAL)
    rsin: Mapped[str] = mapped_column(String(9), default="", info=PERSONAL)
    visiting_address: Mapped[str] = mapped_column(String(300), default="", info=PERSONAL)
    invoice_address: Mapped[str] = mapped_column(String(300), default="", info=PERSONAL)
    website: Mapped[str] = mapped_column(String(300), default="", info=PERSONAL)
    domain: Mapped[str] = mapped_column(String(255), default="", info=PERSONAL)
    linkedin: Mapped[str] = mapped_column(String(300), default="", info=PERSONAL)
    facebook: Mapped[str] = mapped_column(String(300), default="", info=PERSONAL)
    twitter: Mapped[str] = mapped_column(String(300), default="", info=PERSONAL)
    description: Mapped[str] = mapped_column(String(4000), default="", info=PERSONAL)
    # Number of employees when known (routing rules can use it); None when unknown.
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    logo_image_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("site_image.id", ondelete="SET NULL"), nullable=True
    )


class Contact(TenantScoped, Base):
    """A person in a tenant's CRM: one per tenant and normalized e-mail address."""

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email_key"),
        Index("ix_contact_tenant_created", "tenant_id", "created_at"),
        # Keyset pagination of the contacts list (most recently active first) stays an index scan.
        Index("ix_contact_tenant_activity", "tenant_id", "last_activity_at", "id"),
        # The owner filter, in the list's order. On PostgreSQL migration 0108 adds a trigram index
        # (pg_trgm) for the search, on records.CONTACT_SEARCH: not declared here, SQLite has no such thing.
        Index("ix_contact_tenant_owner_activity", "tenant_id", "owner_id", "last_activity_at", "id"),
        # The source filter and the do-not-contact filter (the rare side: a partial index), in the list's
        # order too, so a filter matching 1% of a million contacts is still one short index scan.
        Index("ix_contact_tenant_source_activity", "tenant_id", "source", "last_activity_at", "id"),
        Index(
            "ix_contact_tenant_dnc_activity",
            "tenant_id",
            "last_activity_at",
            "id",
            postgresql_where=text("do_not_contact"),
            sqlite_where=text("do_not_contact = 1"),
        ),
        Index("ix_contact_tenant_phone", "tenant_id", "phone"),
        # The lifecycle stage filter, in the list's order (like the source filter).
        Index("ix_contact_tenant_stage_activity", "tenant_id", "stage", "last_activity_at", "id"),
    )

    email: Mapped[str] = mapped_column(String(320), info=PERSONAL)
    email_key: Mapped[str] = mapped_column(String(320), info=PERSONAL)
    first_name: Mapped[str] = mapped_column(String(100), default="", info=PERSONAL)
    last_name: Mapped[str] = mapped_column(String(100), default="", info=PERSONAL)
    # E.164 when it could be parsed.
    phone: Mapped[str] = mapped_column(String(32), default="", info=PERSONAL)
    company_name: Mapped[str] = mapped_column(String(200), default="", info=PERSONAL)
    company_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("company.id", ondelete="SET NULL"), index=True, nullable=True
    )
    job_title: Mapped[str] = mapped_column(String(200), default="", info=PERSONAL)
    gender: Mapped[str] = mapped_column(String(16), default="", info=PERSONAL)
    # The person's default language (nl, en): e-mails to them use it.
    language: Mapped[str] = mapped_column(String(8), default="")
    linkedin: Mapped[str] = mapped_column(String(300), default="", info=PERSONAL)
    facebook: Mapped[str] = mapped_column(String(300), default="", info=PERSONAL)
    twitter: Mapped[str] = mapped_column(String(300), default="", info=PERSONAL)
    description: Mapped[str] = mapped_column(String(4000), default="", info=PERSONAL)
    photo_image_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("site_image.id", ondelete="SET NULL"), nullable=True, info=PERSONAL
    )
    # The user who owns the lead (assigned by the routing rules); None: unassigned.
    owner_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # Speed to lead: when the current owner got the lead and from which department (the clock that passes
    # an untouched lead on starts there), and when its owner first touched it (see assignment/touch.py).
    # No foreign key to the department: adding one would make SQLite copy the contact table; a removed
    # department's id only matches no department any more (the report says "no department").
    owner_assigned_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    department_id: Mapped[UUID | None] = mapped_column(GUID, nullable=True)
    first_touched_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # How the contact first reached the tenant: page, embed, api, import.
    source: Mapped[str] = mapped_column(String(16), default="", info={"personal": False})
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # Set when the person withdraws consent (by the link in every e-mail, or the privacy portal).
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    # The lifecycle stage (crm_sink/pipeline/lifecycle.py): lead, prospect, customer, not_a_fit, lost; and
    # why it is not a fit or lost, in the team's words (which may say something about the person).
    stage: Mapped[str] = mapped_column(String(16), default="lead", info={"personal": False})
    stage_reason: Mapped[str] = mapped_column(String(300), default="", info=PERSONAL)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_erased(self) -> bool:
        """Anonymized by a privacy request or the retention period (`updated_at` is when)."""
        return is_erased_marker(self.email_key)


class ContactTag(TenantScoped, Base):
    """A tag on a contact (from the form that brought them in, or set by a user)."""

    __tablename__ = "contact_tag"
    __table_args__ = (
        UniqueConstraint("contact_id", "tag"),
        Index("ix_contact_tag_tenant_tag", "tenant_id", "tag"),
    )

    contact_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("contact.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(64), info={"personal": False})


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


class ContactDuplicateDismissal(TenantScoped, Base):
    """A pair of contacts a person said are not the same person: the review queue stops offering it."""

    __tablename__ = "contact_duplicate_dismissal"
    __table_args__ = (UniqueConstraint("contact_a_id", "contact_b_id"),)

    # The lower id first, so a pair is stored once whichever way round it was shown.
    contact_a_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("contact.id", ondelete="CASCADE"))
    contact_b_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    dismissed_by_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
