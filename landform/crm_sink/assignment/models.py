"""How a tenant hands out its leads: departments of ranked sales reps, routing rules, a fallback owner,
and per form which answer fills which CRM field."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, TenantScoped


class Department(TenantScoped, Base):
    """A team that receives leads in turn (sales, support, a region)."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(100), info={"personal": False})
    # Leads handed out so far: raised under the row's lock (UPDATE ... RETURNING), so concurrent
    # workers never give two leads the same turn.
    turn: Mapped[int] = mapped_column(Integer, default=0)
    # Speed to lead: a lead its owner has not touched within this many working minutes passes to the next
    # member; None: leads stay with their owner.
    touch_within_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)


class DepartmentMember(TenantScoped, Base):
    """A sales rep in a department. Rank 1 gets leads first; a lower rank only when no higher one is left."""

    __tablename__ = "department_member"
    __table_args__ = (UniqueConstraint("department_id", "user_id"),)

    department_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("department.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("user_account.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer, default=1)


class RoutingRule(TenantScoped, Base):
    """Leads that match every condition set here go to the department; the first matching rule wins."""

    __tablename__ = "routing_rule"
    __table_args__ = (Index("ix_routing_rule_tenant_position", "tenant_id", "position"),)

    position: Mapped[int] = mapped_column(Integer, default=0)
    department_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("department.id", ondelete="CASCADE"))
    # Empty conditions match everything.
    form_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("form.id", ondelete="CASCADE"), nullable=True
    )
    country: Mapped[str] = mapped_column(String(2), default="", info={"personal": False})
    min_company_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_company_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    utm_campaign: Mapped[str] = mapped_column(String(200), default="", info={"personal": False})


class RoutingSettings(TenantScoped, Base):
    """A tenant's routing settings: who gets a lead that no rule or department places."""

    __tablename__ = "routing_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    fallback_owner_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # A team channel told of every new lead: an incoming-webhook URL and the chat it belongs to
    # ("slack", "teams", "mattermost", "google_chat"); empty: none.
    chat_webhook_url: Mapped[str] = mapped_column(
        String(2000), default="", server_default="", info={"personal": False}
    )
    chat_kind: Mapped[str] = mapped_column(
        String(16), default="", server_default="", info={"personal": False}
    )
    # The working week that speed to lead counts in: the tenant's time zone, ISO weekdays ("12345": Monday
    # to Friday) and the day's hours.
    timezone: Mapped[str] = mapped_column(
        String(64), default="Europe/Amsterdam", server_default="Europe/Amsterdam", info={"personal": False}
    )
    work_days: Mapped[str] = mapped_column(
        String(7), default="12345", server_default="12345", info={"personal": False}
    )
    work_start: Mapped[str] = mapped_column(
        String(5), default="09:00", server_default="09:00", info={"personal": False}
    )
    work_end: Mapped[str] = mapped_column(
        String(5), default="17:00", server_default="17:00", info={"personal": False}
    )


class FieldMapping(TenantScoped, Base):
    """For one form: which answer fills a CRM field, and whether a newer answer replaces a value.

    Without a row for a target the form's own field types decide (a newer submission wins).
    """

    __tablename__ = "field_mapping"
    __table_args__ = (UniqueConstraint("form_id", "target"),)

    form_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("form.id", ondelete="CASCADE"))
    # "contact.first_name", "company.city", ... (see routing.TARGETS)
    target: Mapped[str] = mapped_column(String(40), info={"personal": False})
    # The form field's name; empty: this form fills nothing there.
    field_name: Mapped[str] = mapped_column(String(64), default="", info={"personal": False})
    overwrite: Mapped[bool] = mapped_column(Boolean, default=True)
