"""A tenant's chosen retention periods, by kind (kinds.py names them and their limits)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, TenantScoped


class RetentionPolicy(TenantScoped, Base):
    """Days each kind of data is kept; a kind missing here keeps its default (a tenant never saved it)."""

    __tablename__ = "retention_policy"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    periods: Mapped[dict[str, int]] = mapped_column(JSON, default=dict, info={"personal": False})
    updated_by_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
