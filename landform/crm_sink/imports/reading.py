"""Reading an uploaded CSV file: its encoding and delimiter sniffed, its header and rows.

Excel in the Netherlands writes `;`-separated files in Windows-1252; other CRMs export UTF-8 with or
without a byte order mark and `,`. Whatever the file, rows come back as lists of str, one per line.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from landform.core.i18n import gettext as _

_SAMPLE = 256 * 1024
DELIMITERS = ";,\t|"


class UnreadableFile(ValueError):
    """Not a CSV file we can read; the message says why, for the person who uploaded it."""


def sniff(path: Path) -> tuple[str, str]:
    """(encoding, delimiter) of a CSV file, from its first 256 KB."""
    with path.open("rb") as file:
        sample = file.read(_SAMPLE)
    if not sample.strip():
        raise UnreadableFile(_("The file is empty."))
    if b"\0" in sample:
        raise UnreadableFile(_("This is not a CSV file: save it from your spreadsheet as CSV."))
    if sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            # Incremental: a character cut in two at the end of the sample is not an error.
            codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    text = sample.decode(encoding, errors="replace")
    header = text.splitlines()[0] if text.splitlines() else ""
    try:
        delimiter = csv.Sniffer().sniff("\n".join(text.splitlines()[:20]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = max(DELIMITERS, key=header.count)
    # The header decides when the sniffer is torn (a `;` file whose names hold commas).
    if header.count(delimiter) == 0 and any(header.count(d) for d in DELIMITERS):
        delimiter = max(DELIMITERS, key=header.count)
    return encoding, delimiter


def rows(path: Path, encoding: str, delimiter: str) -> Iterator[list[str]]:
    """Every row of the file, the header first; a cp1252 file's odd byte becomes U+FFFD, never an error."""
    with path.open(encoding=encoding, errors="replace", newline="") as file:
        yield from csv.reader(file, delimiter=delimiter)


def head(path: Path, encoding: str, delimiter: str, count: int) -> tuple[list[str], list[list[str]]]:
    """The header and the first `count` rows."""
    reader = rows(path, encoding, delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration as empty:
        raise UnreadableFile(_("The file is empty.")) from empty
    except csv.Error as error:
        raise UnreadableFile(_("The file could not be read as CSV: %(error)s", error=str(error))) from error
    if not any(header):
        raise UnreadableFile(_("The first line must name the columns."))
    return header, list(islice(reader, count))


def count_rows(path: Path, encoding: str, delimiter: str) -> int:
    """Rows below the header (for the progress bar)."""
    return max(0, sum(1 for _row in rows(path, encoding, delimiter)) - 1)
