"""Landing pages: a draft made of blocks, immutable published versions, brand, images and old addresses."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, DateTimeUTC, TenantScoped
from landform.core.drafts import DraftRevision


class Page(TenantScoped, DraftRevision, Base):
    """A landing page at /p/{tenant_slug}/{slug}; what visitors see is its live PageVersion.

    The draft (blocks, content, theme) carries a revision every save raises (core/drafts.py).
    """

    __tablename__ = "page"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    slug: Mapped[str] = mapped_column(String(80))
    # Search and browser-tab texts per language: {"nl": {"title", "seo_description"}, "en": {...}}
    content: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    # The draft: an ordered list of blocks, see site/blocks.py for their shape.
    blocks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Per-page theme override; empty values fall back to the tenant's brand.
    theme: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    noindex: Mapped[bool] = mapped_column(Boolean, default=False)
    # The draft's form block, kept here too so the dashboard can show which form a page collects for.
    form_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("form.id", ondelete="SET NULL"), nullable=True
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The picture link previews show (og:image); its alt text per language lives in `content`.
    social_image_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("site_image.id", ondelete="SET NULL"), nullable=True
    )
    # Scheduled publish: the draft as it is then goes live at this moment (site/schedule.py).
    publish_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, index=True)
    publish_scheduled_by_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # Set when the scheduled moment came but the draft could not be published (the editor says why).
    publish_failed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # Archived: out of the default list and off the web (archiving unpublishes); restorable as a draft.
    archived_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PageVersion(TenantScoped, Base):
    """One publish of a page, never changed afterwards: blocks, resolved theme and SEO texts."""

    __tablename__ = "page_version"
    __table_args__ = (UniqueConstraint("page_id", "number"),)

    page_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("page.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # {"blocks": [...], "theme": {...}, "seo": {"nl": {...}, "en": {...}}, "noindex": bool,
    #  "social_image": {"id", "width", "height"} or None}
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_by_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )


class PageRedirect(TenantScoped, Base):
    """An address a page used to have; visitors who follow an old link get a 301 to the new one."""

    __tablename__ = "page_redirect"
    __table_args__ = (UniqueConstraint("tenant_id", "old_slug"),)

    old_slug: Mapped[str] = mapped_column(String(80))
    page_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("page.id", ondelete="CASCADE"), index=True)


class SiteImage(TenantScoped, Base):
    """An uploaded picture: its bytes were sniffed as PNG, JPEG, WebP or GIF before they were stored."""

    __tablename__ = "site_image"

    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, info={"personal": True})
    # What the image shows, per language ({"nl": ..., "en": ...}): the default alt text wherever it is used.
    # Personal: a marketer may name the person in a photo.
    alt: Mapped[dict[str, str]] = mapped_column(
        JSON, default=dict, server_default="{}", info={"personal": True}
    )


class SiteBrand(TenantScoped, Base):
    """The tenant's brand: colours, logo, font and button style every page starts from."""

    __tablename__ = "site_brand"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    theme: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class SiteDomain(TenantScoped, Base):
    """A host name of the tenant's own (go.bakkerij.nl) serving its pages once ownership is proven."""

    __tablename__ = "site_domain"
    # One tenant per host name, across all tenants: the Host header alone picks the tenant.
    __table_args__ = (UniqueConstraint("host"),)

    host: Mapped[str] = mapped_column(String(253), info={"personal": False})
    # Published by the tenant in a TXT record (or a file, in tests) to prove the host is theirs.
    token: Mapped[str] = mapped_column(String(64), info={"personal": False})
    # pending (never checked), verified, failed
    status: Mapped[str] = mapped_column(String(16), default="pending", info={"personal": False})
    # Why the last check failed, as a code site/domains.py explains in the marketer's language.
    failure: Mapped[str] = mapped_column(String(32), default="", info={"personal": False})
    checked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # A verified host's failed re-checks in a row, and since when: one bad answer never un-serves it.
    failed_checks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failing_since: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    # The published page shown at the bare host (go.bakkerij.nl/); none, or not published: a 404 there.
    home_page_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("page.id", ondelete="SET NULL"), nullable=True, info={"personal": False}
    )
