"""The contact list as a CSV file, written in pages as the export streams them."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

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


def _cell(value: Any) -> str:
    text = "" if value is None else value.isoformat() if isinstance(value, datetime) else str(value)
    # A cell a spreadsheet would run as a formula is written as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(contacts: list[Contact], header: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(EXPORT_COLUMNS)
    for contact in contacts:
        writer.writerow([_cell(getattr(contact, name)) for name in EXPORT_COLUMNS])
    return buffer.getvalue()
