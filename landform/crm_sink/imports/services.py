"""The import's rules: an upload kept on disk, its mapping checked, the background job, the report,
the sweep of files nobody needs, and a person's refused rows in their export and erasure."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant, User
from landform.core import i18n
from landform.core.csvfile import csv_chunks
from landform.core.db import sync_session, utcnow
from landform.core.i18n import gettext as _
from landform.core.jobs.models import PermanentJobError
from landform.core.jobs.registry import add_job, job
from landform.core.settings import Settings, get_settings
from landform.crm_sink import normalize
from landform.crm_sink.imports import mapping as targets
from landform.crm_sink.imports import reading
from landform.crm_sink.imports.models import LAWFUL_BASES, ON_DUPLICATE, ContactImport, ImportRefusal
from landform.crm_sink.imports.rows import Refused, read_row
from landform.crm_sink.imports.writing import Chunk, write_chunk
from landform.crm_sink.notify.models import RoutedBatch

# The largest file taken (about a million rows of a typical CRM export), and rows written per transaction.
MAX_BYTES = 64 * 1024 * 1024
CHUNK_ROWS = 5000
PREVIEW_ROWS = 5
# A file nobody finished mapping is deleted after this; a report's refused rows after REPORT_DAYS.
UNFINISHED = timedelta(hours=24)
REPORT_DAYS = 30


class ImportInvalid(ValueError):
    """What the person must change, by form field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def import_dir(settings: Settings) -> Path:
    return settings.data_dir / "imports"


def store_upload(
    settings: Settings, tenant_id: UUID, user_id: UUID, filename: str, source: IO[bytes]
) -> ContactImport:
    """Copy an uploaded file to disk in pieces (never whole in memory), sniff it and guess its mapping.

    Returns the import, not yet added to a session; raises ImportInvalid (the file is deleted then).
    """
    folder = import_dir(settings) / str(tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    import_id = uuid7()
    path = folder / f"{import_id}.csv"
    with path.open("wb") as target:
        shutil.copyfileobj(source, target, 1024 * 1024)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise reading.UnreadableFile(_("The file is larger than 64 MB: split it in parts."))
        encoding, delimiter = reading.sniff(path)
        headers, _preview = reading.head(path, encoding, delimiter, PREVIEW_ROWS)
        total = reading.count_rows(path, encoding, delimiter)
    except (reading.UnreadableFile, UnicodeError) as refused:
        path.unlink(missing_ok=True)
        raise ImportInvalid({"file": str(refused)}) from refused
    return ContactImport(
        id=import_id,
        tenant_id=tenant_id,
        created_by_id=user_id,
        filename=filename[:255],
        path=str(path),
        encoding=encoding,
        delimiter=delimiter,
        headers=headers,
        mapping=targets.guess(headers),
        total_rows=total,
    )


def preview(contact_import: ContactImport) -> list[list[str]]:
    """The first rows of the file, as the mapping screen shows them."""
    if not contact_import.path:
        return []
    path = Path(contact_import.path)
    return reading.head(path, contact_import.encoding, contact_import.delimiter, PREVIEW_ROWS)[1]


def start(session: Session, contact_import: ContactImport, form: dict[str, str]) -> None:
    """Check the mapping and the choices, then queue the import's job; raises ImportInvalid."""
    errors: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for index in range(len(contact_import.headers)):
        target = form.get(f"column_{index}", "")
        if not target:
            continue
        if target not in targets.TARGETS:
            errors[f"column_{index}"] = _("Choose one of the fields in the list.")
        elif target in chosen.values():
            errors[f"column_{index}"] = _("Another column fills this field already.")
        else:
            chosen[str(index)] = target
    if "contact.email" not in chosen.values() and not errors:
        errors["mapping"] = _("Choose the column that holds the e-mail address: contacts are found by it.")
    on_duplicate = form.get("on_duplicate", "")
    if on_duplicate not in ON_DUPLICATE:
        errors["on_duplicate"] = _("Choose what to do with addresses that are contacts already.")
    lawful_basis = form.get("lawful_basis", "")
    if lawful_basis not in LAWFUL_BASES:
        errors["lawful_basis"] = _("Choose why you may keep these people's data.")
    source_name = form.get("source_name", "").strip()
    if len(source_name) > 100:
        errors["source_name"] = _("At most 100 characters.")
    if errors:
        raise ImportInvalid(errors)
    if contact_import.status != "uploaded" or not contact_import.path:
        raise ImportInvalid({"mapping": _("This import has started already.")})
    contact_import.mapping = chosen
    contact_import.on_duplicate = on_duplicate
    contact_import.lawful_basis = lawful_basis
    contact_import.source_name = source_name
    contact_import.status = "queued"
    add_job(session, import_contacts.__name__, contact_import.id, contact_import.tenant_id)


def abandon(contact_import: ContactImport) -> None:
    """Stop before starting: the file is deleted at once."""
    if contact_import.status != "uploaded":
        raise ImportInvalid({"mapping": _("This import has started already.")})
    _delete_file(contact_import.path)
    contact_import.path = ""
    contact_import.status = "abandoned"


def _delete_file(path: str) -> None:
    if path:
        Path(path).unlink(missing_ok=True)


def _refusal(
    number: int, values: list[str], mapping: dict[int, str], why: str
) -> tuple[int, list[str], str, str]:
    email_column = next((index for index, target in mapping.items() if target == "contact.email"), None)
    raw = values[email_column] if email_column is not None and email_column < len(values) else ""
    return number, values, normalize.email_key(raw)[:320], why


@job(max_retries=3, min_backoff=10_000, max_backoff=60_000, time_limit=30 * 60_000, max_age=24 * 3_600_000)
def import_contacts(session: Session, import_id: UUID) -> None:
    """Import the file a chunk at a time, each chunk committed with the counters (the progress bar).

    The chunks are written in a session of their own: this job's session keeps the job's row locked till
    the end, so a second delivery waits and then finds it done. A retry carries on after the last
    committed chunk.
    """
    contact_import = session.get(ContactImport, import_id)
    if contact_import is None:
        raise PermanentJobError(f"import {import_id} is gone")
    if contact_import.status not in {"queued", "running"}:
        return
    path = Path(contact_import.path)
    if not contact_import.path or not path.exists():
        contact_import.status, contact_import.error = "failed", "the file is gone"
        return
    language = session.execute(select(User.language).where(User.id == contact_import.created_by_id)).scalar()
    region = session.execute(select(Tenant.country).where(Tenant.id == contact_import.tenant_id)).scalar()
    previous = i18n.get_language()
    i18n.set_language(language or i18n.DEFAULT_LANGUAGE)
    try:
        _run(contact_import, path, region or "NL")
    finally:
        i18n.set_language(previous)


def _chunks(contact_import: ContactImport, path: Path, region: str) -> Iterator[Chunk]:
    """The file's rows after those an earlier run wrote, read and checked, CHUNK_ROWS lines at a time."""
    mapping = {int(index): target for index, target in contact_import.mapping.items()}
    email_column = next(index for index, target in mapping.items() if target == "contact.email")
    seen: dict[str, int] = {}
    chunk = Chunk()
    lines = reading.rows(path, contact_import.encoding, contact_import.delimiter)
    next(lines, None)  # the header
    for line, values in enumerate(lines):
        number = line + 2
        if line < contact_import.processed_rows:
            # Written by an earlier run: only the addresses matter, for the duplicates below.
            if email_column < len(values):
                seen.setdefault(normalize.email_key(values[email_column]), number)
            continue
        chunk.lines += 1
        if any(value.strip() for value in values):
            try:
                row = read_row(number, values, mapping, region)
                if row.key in seen:
                    raise Refused(_("The same e-mail address as row %(row)s.", row=seen[row.key]))
                seen[row.key] = number
                chunk.rows.append(row)
            except Refused as why:
                chunk.refused.append(_refusal(number, values, mapping, str(why)))
        if chunk.lines >= CHUNK_ROWS:
            yield chunk
            chunk = Chunk()
    yield chunk


def _run(contact_import: ContactImport, path: Path, region: str) -> None:
    with (
        sync_session(get_settings().database.sync_url, contact_import.tenant_id) as work,
        ThreadPoolExecutor(1, thread_name_prefix="import-writer") as writer,
    ):
        work.execute(
            update(ContactImport).where(ContactImport.id == contact_import.id).values(status="running")
        )
        work.commit()

        def write(chunk: Chunk) -> None:
            write_chunk(work, contact_import, chunk, utcnow())
            work.commit()

        # One chunk is written (the database working, the GIL free) while the next is read and checked.
        # The session is only ever used by one thread at a time: a write waits for the one before.
        writing: Future[None] | None = None
        for chunk in _chunks(contact_import, path, region):
            if writing is not None:
                writing.result()
            writing = writer.submit(write, chunk)
        if writing is not None:
            writing.result()
        work.execute(
            update(ContactImport)
            .where(ContactImport.id == contact_import.id)
            .values(status="done", finished_at=utcnow(), path="", total_rows=ContactImport.processed_rows)
        )
        work.commit()
    # The file is personal data: gone as soon as its rows are in the CRM.
    path.unlink(missing_ok=True)


def refused_csv(session: Session, contact_import: ContactImport) -> Iterator[str]:
    """The refused rows as CSV: the file's own columns, then the line and the reason."""
    columns = [*contact_import.headers, _("Line"), _("Reason")]
    query = (
        select(ImportRefusal.row_number, ImportRefusal.values, ImportRefusal.reason)
        .where(ImportRefusal.import_id == contact_import.id)
        .order_by(ImportRefusal.row_number)
    )
    names = [f"c{n}" for n in range(len(columns))]

    def rows() -> Iterator[dict[str, Any]]:
        for number, values, reason in session.execute(query):
            cells = [
                *values[: len(contact_import.headers)],
                *[""] * (len(contact_import.headers) - len(values)),
            ]
            yield dict(zip(names, [*cells, number, reason], strict=True))

    header = dict(zip(names, columns, strict=True))
    return csv_chunks(names, [header, *rows()], header=False)


def sweep(settings: Settings) -> int:
    """Hourly: files of imports nobody started within a day are deleted (the import abandoned), reports'
    refused rows after REPORT_DAYS, and routed batches whose notifications are long sent. Returns the
    number of files deleted."""
    now = utcnow()
    deleted = 0
    with sync_session(settings.database.sync_url) as session:
        stale = session.execute(
            select(ContactImport.id, ContactImport.path)
            .where(ContactImport.status == "uploaded", ContactImport.created_at < now - UNFINISHED)
            .execution_options(all_tenants=True)
        ).all()
        for import_id, path in stale:
            _delete_file(path)
            deleted += 1
            session.execute(
                update(ContactImport)
                .where(ContactImport.id == import_id)
                .values(status="abandoned", path="")
                .execution_options(all_tenants=True)
            )
        session.execute(
            delete(ImportRefusal)
            .where(ImportRefusal.created_at < now - timedelta(days=REPORT_DAYS))
            .execution_options(all_tenants=True)
        )
        session.execute(
            delete(RoutedBatch)
            .where(RoutedBatch.created_at < now - timedelta(days=2))
            .execution_options(all_tenants=True)
        )
        session.commit()
    return deleted


def export_section(session: Session, tenant_id: UUID, email_key: str) -> tuple[str, list[dict[str, Any]]]:
    """A person's rows that an import refused (as they were in the file), for their copy of their data."""
    rows = session.execute(
        select(ImportRefusal, ContactImport.headers)
        .join(ContactImport, ContactImport.id == ImportRefusal.import_id)
        .where(ImportRefusal.tenant_id == tenant_id, ImportRefusal.email_key == email_key)
        .execution_options(all_tenants=True)
    ).all()
    return "import_refused_rows", [
        {
            "row": refusal.row_number,
            "reason": refusal.reason,
            "values": dict(zip(headers, refusal.values, strict=False)),
        }
        for refusal, headers in rows
    ]


def erase(session: Session, tenant_id: UUID, email_key: str, _contact_ids: list[UUID]) -> int:
    """A person's refused rows go with their erasure (the report's counts stay)."""
    result = session.execute(
        delete(ImportRefusal)
        .where(ImportRefusal.tenant_id == tenant_id, ImportRefusal.email_key == email_key)
        .execution_options(all_tenants=True)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
