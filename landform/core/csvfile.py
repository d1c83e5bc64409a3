"""The one CSV writer: every CSV Landform hands out (contacts, consent reports, privacy exports).

Every cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage
return) is written as text with a leading apostrophe: the values come from visitors' form answers, and
an export opened in Excel or LibreOffice must not run `=HYPERLINK(...)` a visitor typed (OWASP's
"CSV injection").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Streamed downloads are sent in pieces of about this many characters.
CHUNK = 64_000


def cell(value: Any) -> str:
    """One value as the text of a cell: dates in ISO 8601, structures as JSON, formulas defused."""
    if value is None:
        text = ""
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(
    columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, header: bool = True
) -> Iterator[str]:
    """The rows (each a mapping by column name; missing ones empty) as CSV text, in pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow([cell(name) for name in columns])
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in columns])
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, header: bool = True) -> str:
    """The rows as one CSV text."""
    return "".join(csv_chunks(columns, rows, header=header))
