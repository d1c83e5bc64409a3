"""A note, a logged call or a task: one row each, on a contact, a company or a deal."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, DateTimeUTC, TenantScoped

KINDS = ("note", "call", "task")
CALL_OUTCOMES = ("reached", "voicemail", "no_answer", "busy", "wrong_number", "call_back")


class WorkItem(TenantScoped, Base):
    """What a user wrote or did about a contact: a note, a call with its outcome, or a task to do.

    Its subject is a contact, a company or a deal (any of them may be set); `deal_id` carries no foreign
    key here because deals live in their own module, which links it when both are present.
    """

    __tablename__ = "work_item"
    __table_args__ = (
        Index("ix_work_item_contact", "contact_id", "created_at"),
        # "My tasks": one user's open tasks by due date.
        Index("ix_work_item_assignee_due", "tenant_id", "assignee_id", "done_at", "due_on"),
    )

    kind: Mapped[str] = mapped_column(String(8), info={"personal": False})
    contact_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("contact.id", ondelete="CASCADE"), nullable=True
    )
    company_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("company.id", ondelete="CASCADE"), nullable=True, index=True
    )
    deal_id: Mapped[UUID | None] = mapped_column(GUID, nullable=True, index=True)
    author_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # The note, what was said on the call, or what is to be done: Markdown, what the user typed.
    body: Mapped[str] = mapped_column(Text, default="", info={"personal": True})
    # A call's outcome (CALL_OUTCOMES); empty for notes and tasks.
    outcome: Mapped[str] = mapped_column(String(16), default="", info={"personal": False})
    # A task's due day (in the assignee's own calendar) and who does it.
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True, info={"personal": False})
    assignee_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    done_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, info={"personal": False})
