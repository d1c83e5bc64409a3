"""The contact list as a CSV file, written in pages as the export streams them."""

from __future__ import annotations

from landform.core.csvfile import csv_text
from landform.crm_sink.models import Contact

EXPORT_COLUMNS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "company_name",
    "job_title",
    "language",
    "source",
    "created_at",
    "last_activity_at",
)


def csv_rows(contacts: list[Contact], header: bool) -> str:
    rows = ({name: getattr(contact, name) for name in EXPORT_COLUMNS} for contact in contacts)
    return csv_text(EXPORT_COLUMNS, rows, header=header)
