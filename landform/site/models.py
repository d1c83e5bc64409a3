"""Landing pages; content is kept per language so one page serves Dutch and English visitors."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from landform.db import GUID, Base, DateTimeUTC, TenantScoped


class Page(TenantScoped, Base):
    """A landing page at /p/{tenant_slug}/{slug}."""

    __tablename__ = "page"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    slug: Mapped[str] = mapped_column(String(80))
    # {"nl": {"title", "headline", "subheadline", "body", "seo_description"}, "en": {...}}
    content: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    form_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("form.id", ondelete="SET NULL"), nullable=True
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
