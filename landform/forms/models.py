"""A tenant's forms, their published versions, and the spam folder.

A form's fields are kept as a list of small dicts (see `fields.py`). The builder edits the draft on
`Form`; publishing copies it into an immutable `FormVersion`, which is what visitors see and what a
submission records it answered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, DateTimeUTC, TenantScoped
from landform.core.drafts import DraftRevision


class Form(TenantScoped, DraftRevision, Base):
    """A form visitors fill in, on a hosted page or through the embed script."""

    __tablename__ = "form"

    # Public and unguessable: it appears in page HTML and embed snippets.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submit_label: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    thank_you: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    redirect_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    # Origins (https://www.example.com) whose pages may embed this form and submit to it.
    allowed_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Tags the CRM puts on every contact this form brings in.
    crm_tags: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default="[]", info={"personal": False}
    )
    block_disposable_email: Mapped[bool] = mapped_column(Boolean, default=False)
    # Under 16 a parent's consent is needed first (GDPR art. 8): the form asks for the date of birth.
    requires_age_check: Mapped[bool] = mapped_column(Boolean, default=False)
    # The person who sent the form gets a confirmation e-mail with a copy of their answers.
    confirmation_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Every submission proves a little work by the browser (ALTCHA), not only those that look risky.
    proof_of_work_always: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), info={"personal": False}
    )
    # Visitors may save their answers to finish later, with their tick and address (forms/intake/resume).
    allow_resume: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), info={"personal": False}
    )
    # The number of the newest published version; None until first published.
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    draft_changed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # Archived: out of the default list and closed to visitors; its leads and versions are kept.
    archived_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)


class FormVersion(TenantScoped, Base):
    """What a form looked like when it was published; never changed afterwards."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_id", "number"),)

    form_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("form.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    submit_label: Mapped[dict[str, str]] = mapped_column(JSON)
    thank_you: Mapped[dict[str, str]] = mapped_column(JSON)
    redirect_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    published_by_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )


class SpamSubmission(TenantScoped, Base):
    """A submission refused as spam, kept 30 days so a person can release a false positive."""

    __tablename__ = "spam_submission"
    __table_args__ = (Index("ix_spam_submission_form_created", "form_id", "created_at"),)

    form_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("form.id", ondelete="CASCADE"))
    form_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, info={"personal": True})
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info={"personal": True})
    reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    released_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)


class EmbedRefusal(TenantScoped, Base):
    """A website that tried to show a form it is not allowed on, so the dashboard can offer to allow it.

    One row per form and website, counted, at most `forms/embed_refusals.py`'s cap per form. It holds no
    personal data: the website's origin (scheme, host, port; never a path or a visitor's address) and times.
    """

    __tablename__ = "embed_refusal"
    __table_args__ = (UniqueConstraint("form_id", "origin"),)

    form_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("form.id", ondelete="CASCADE"), index=True)
    # A website's address such as https://www.example.nl: the Origin header, no path, no visitor data.
    origin: Mapped[str] = mapped_column(String(200), info={"personal": False})
    # created_at is when it was first seen.
    last_seen_at: Mapped[datetime] = mapped_column(DateTimeUTC, info={"personal": False})
    attempts: Mapped[int] = mapped_column(Integer, default=1, info={"personal": False})
    # The marketer said no: kept (and still counted) so the website is not offered again.
    dismissed_at: Mapped[datetime | None] = mapped_column(
        DateTimeUTC, nullable=True, info={"personal": False}
    )
