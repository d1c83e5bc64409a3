"""The tenant's pipeline stages and its deals.

A deal's name and notes are written by the sales team about a person or company and may name them:
both are personal, and erasing a contact empties them (pipeline/privacy.py).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, TenantScoped

PERSONAL = {"personal": True}
NOT_PERSONAL = {"personal": False}
# What a stage means for the forecast: deals still open, won, or lost (lost deals are not expected money).
OUTCOMES = ("open", "won", "lost")


class PipelineStage(TenantScoped, Base):
    """One column of the tenant's deal board, in `position` order; the tenant names and orders them."""

    __tablename__ = "pipeline_stage"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(60), info=NOT_PERSONAL)
    position: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(8), default="open", info=NOT_PERSONAL)


class Deal(TenantScoped, Base):
    """A sale being worked: its value in euro cents, its stage, when it should close, who owns it."""

    __tablename__ = "deal"
    __table_args__ = (
        Index("ix_deal_tenant_stage", "tenant_id", "stage_id"),
        Index("ix_deal_tenant_close", "tenant_id", "expected_close_on"),
    )

    name: Mapped[str] = mapped_column(String(200), info=PERSONAL)
    # Whole cents: money is never a float.
    value_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    stage_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("pipeline_stage.id", ondelete="RESTRICT"))
    expected_close_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    owner_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    contact_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("contact.id", ondelete="SET NULL"), index=True, nullable=True
    )
    company_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("company.id", ondelete="SET NULL"), index=True, nullable=True
    )
    notes: Mapped[str] = mapped_column(Text, default="", info=PERSONAL)
