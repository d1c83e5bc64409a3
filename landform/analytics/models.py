"""Daily counters per page and form (no personal data), and consented visitors' page visits."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid5

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, DateTimeUTC, TenantScoped

PAGE = "page"
FORM = "form"
# The drop-off funnel, in the same counters (`views` counts the events): a form begun, and a step of it
# answered, the step's row keyed by a name-based id from the form and the step (no new table, no visitor).
FORM_START = "fstart"
FORM_STEP = "fstep"


def step_subject(form_id: UUID, step: str) -> UUID:
    return uuid5(form_id, "step:" + step)


class TrafficDay(TenantScoped, Base):
    """How often a page or form was seen and answered on one day, for one UTM source/medium/campaign.

    Counts only: no visitor, address or browser is stored, so these rows survive every erasure and
    the tenant's statistics stay what they were.
    """

    __tablename__ = "traffic_day"
    __table_args__ = (
        UniqueConstraint("tenant_id", "day", "kind", "subject_id", "source", "medium", "campaign"),
        Index("ix_traffic_day_tenant_day", "tenant_id", "day"),
    )

    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8), info={"personal": False})  # page or form
    subject_id: Mapped[UUID] = mapped_column(GUID)
    source: Mapped[str] = mapped_column(String(100), default="", info={"personal": False})
    medium: Mapped[str] = mapped_column(String(100), default="", info={"personal": False})
    campaign: Mapped[str] = mapped_column(String(100), default="", info={"personal": False})
    views: Mapped[int] = mapped_column(Integer, default=0)
    submissions: Mapped[int] = mapped_column(Integer, default=0)


class Visit(TenantScoped, Base):
    """One page view by a visitor who allowed analytics cookies: their journey, shown once they sign up."""

    __tablename__ = "analytics_visit"
    __table_args__ = (Index("ix_analytics_visit_visitor", "tenant_id", "visitor_id", "occurred_at"),)

    visitor_id: Mapped[str] = mapped_column(String(32), info={"personal": True})
    page_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("page.id", ondelete="SET NULL"), nullable=True
    )
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    utm: Mapped[str] = mapped_column(String(300), default="", info={"personal": True})
    referrer_host: Mapped[str] = mapped_column(String(255), default="", info={"personal": True})
