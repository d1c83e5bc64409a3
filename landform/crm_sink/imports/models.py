"""An import of a CSV file of contacts and companies, and the rows it refused (with the reason)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from landform.core.db import GUID, Base, DateTimeUTC, TenantScoped

NOT_PERSONAL = {"personal": False}

# uploaded -> (mapped, the marketer starts it) queued -> running -> done | failed; or abandoned.
STATUSES = ("uploaded", "queued", "running", "done", "failed", "abandoned")
# What to do with a row whose e-mail address is a contact already.
ON_DUPLICATE = ("skip", "update")
# Why the tenant may hold the imported people's data (GDPR art. 6). Never consent: a file proves no consent.
LAWFUL_BASES = ("legitimate_interest", "contract")


class ContactImport(TenantScoped, Base):
    """One CSV file a user uploaded, how its columns map to CRM fields, and how far its import got.

    The file itself is personal data: it lives under the data directory only until the import is done or
    abandoned (then deleted, and swept after a day when nobody finishes the mapping).
    """

    __tablename__ = "contact_import"

    created_by_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # The file's name as uploaded ("export-hubspot.csv"): may name a person, so personal.
    filename: Mapped[str] = mapped_column(String(255), info={"personal": True})
    # Where the file waits; empty once it is deleted.
    path: Mapped[str] = mapped_column(String(500), default="", info=NOT_PERSONAL)
    encoding: Mapped[str] = mapped_column(String(16), info=NOT_PERSONAL)
    delimiter: Mapped[str] = mapped_column(String(1), info=NOT_PERSONAL)
    # The header row; and column index (as text) -> CRM target ("contact.email", "company.kvk_number").
    headers: Mapped[list[str]] = mapped_column(JSON, info=NOT_PERSONAL)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, info=NOT_PERSONAL)
    on_duplicate: Mapped[str] = mapped_column(String(8), default="skip", info=NOT_PERSONAL)
    lawful_basis: Mapped[str] = mapped_column(String(24), default="legitimate_interest", info=NOT_PERSONAL)
    # Where the people came from ("HubSpot", "trade fair 2026"), recorded on each imported contact.
    source_name: Mapped[str] = mapped_column(String(100), default="", info=NOT_PERSONAL)
    status: Mapped[str] = mapped_column(String(12), default="uploaded", info=NOT_PERSONAL)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    refused_count: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True)
    error: Mapped[str] = mapped_column(String(500), default="", info=NOT_PERSONAL)

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.processed_rows / self.total_rows)) if self.total_rows else 0


class ImportRefusal(TenantScoped, Base):
    """A row an import refused, as it was in the file, with why: for the report and its CSV."""

    __tablename__ = "contact_import_refusal"
    __table_args__ = (
        Index("ix_contact_import_refusal_import_row", "import_id", "row_number"),
        Index("ix_contact_import_refusal_email", "tenant_id", "email_key"),
    )

    import_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("contact_import.id", ondelete="CASCADE"))
    # The line in the file (the header is line 1).
    row_number: Mapped[int] = mapped_column(Integer)
    values: Mapped[list[str]] = mapped_column(JSON, info={"personal": True})
    # The address the row gave, case-folded, so a person's export and erasure find their refused rows.
    email_key: Mapped[str] = mapped_column(String(320), default="", info={"personal": True})
    # Why, in words that name the column but never its value.
    reason: Mapped[str] = mapped_column(String(300), info=NOT_PERSONAL)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row_number, "values": self.values, "reason": self.reason}
