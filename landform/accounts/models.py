"""Tenants, their users, and their API keys."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from sqlalchemy import Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from landform.db import GUID, Base, DateTimeUTC, TenantScoped


class Role(enum.StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MARKETER = "marketer"
    SALES_REP = "sales_rep"


class Tenant(Base):
    """A company using Landform; owns everything below it."""

    __tablename__ = "tenant"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200), info={"personal": True})
    default_language: Mapped[str] = mapped_column(String(8), default="nl")
    # Region for reading phone numbers typed without a country code.
    country: Mapped[str] = mapped_column(String(2), default="NL")
    # Raised when the tenant's cookies change: a choice made under an older version is asked again.
    cookie_policy_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class User(TenantScoped, Base):
    """A person who logs in to a tenant's dashboard."""

    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(320), unique=True, info={"personal": True})
    password_hash: Mapped[str] = mapped_column(String(200), info={"personal": True})
    first_name: Mapped[str] = mapped_column(String(100), info={"personal": True})
    last_name: Mapped[str] = mapped_column(String(100), info={"personal": True})
    gender: Mapped[str | None] = mapped_column(String(16), nullable=True, info={"personal": True})
    language: Mapped[str] = mapped_column(String(8), default="nl")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16), default=Role.MARKETER)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)

    tenant: Mapped[Tenant] = relationship(lazy="joined", innerjoin=True)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ApiKey(TenantScoped, Base):
    """A secret for the JSON API; only its hash is kept, the key itself is shown once."""

    __tablename__ = "api_key"

    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
