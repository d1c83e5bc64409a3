"""Receiving a submission's files, keeping them with it, and removing them (erasure, retention, the sweep).

The bytes go to the file store before the submission commits; the rows (`SubmissionFile`) are written in the
submission's transaction. Whatever does not end up committed is discarded at once, and the orphan sweep
catches what a crash left behind.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio.to_thread
from advanced_alchemy.mixins.uuid import uuid7
from litestar.datastructures import UploadFile
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.billing import quotas
from landform.core.db import sync_session
from landform.core.files import FileStore, TooLarge
from landform.core.i18n import gettext as _
from landform.core.settings import Settings
from landform.crm_sink.models import Submission
from landform.forms.fields import ReceivedFiles, SubmissionInvalid
from landform.forms.uploads.models import SubmissionFile
from landform.forms.uploads.rules import settings_of
from landform.forms.uploads.sniff import FileRefused, accept

# Bytes without a committed row are left this long (a submission still in flight), then swept.
ORPHAN_AFTER_SECONDS = 3600


@dataclass
class Received:
    """Files stored for a submission that is not committed yet."""

    store: FileStore | None = None
    tenant_id: UUID | None = None
    files: list[SubmissionFile] = field(default_factory=list)
    answers: dict[str, ReceivedFiles] = field(default_factory=dict)
    kept: bool = False

    def attach(self, db: AsyncSession, submission_id: UUID) -> None:
        for row in self.files:
            row.submission_id = submission_id
        db.add_all(self.files)

    def discard(self) -> None:
        """Delete the bytes of a submission that was not kept (invalid, spam, a replay)."""
        if self.kept or self.store is None or self.tenant_id is None:
            return
        for row in self.files:
            self.store.delete(self.tenant_id, row.id)
        self.files = []


def _filename(upload: UploadFile) -> str:
    name = Path((upload.filename or "").replace("\\", "/")).name
    return "".join(ch for ch in name if ch.isprintable() and ch not in '"\r\n')[:200] or "file"


async def stored_bytes(db: AsyncSession) -> int:
    """The scoped tenant's kept files, in bytes (what the plan's storage allowance counts)."""
    return int((await db.execute(select(func.coalesce(func.sum(SubmissionFile.size), 0)))).scalar_one())


async def receive(
    db: AsyncSession,
    store: FileStore,
    tenant_id: UUID,
    fields: list[dict[str, Any]],
    parts: dict[str, list[UploadFile]],
) -> Received:
    """Store the files sent for each file field, checked; SubmissionInvalid per field (nothing kept)."""
    received = Received(store=store, tenant_id=tenant_id)
    errors: dict[str, str] = {}
    try:
        for spec in (f for f in fields if f["type"] == "file"):
            name, rules = spec["name"], settings_of(spec)
            uploads = [u for u in parts.get(name, []) if u.filename]
            if len(uploads) > rules["max_files"]:
                errors[name] = _("Send at most %(n)d files here.", n=rules["max_files"])
                continue
            limit = rules["max_mb"] * 1024 * 1024
            names = []
            for upload in uploads:
                error = await _keep(received, upload, name, rules["accept"], limit)
                if error:
                    errors[name] = error
                    break
                names.append(received.files[-1].filename)
            if names:
                received.answers[name] = ReceivedFiles(", ".join(names))
        if not errors and received.files:
            room = await quotas.storage_allowance(db) - await stored_bytes(db)
            if sum(row.size for row in received.files) > room:
                first = received.files[0].field_name
                errors[first] = _("This form cannot take files right now: its owner's storage is full.")
        if errors:
            raise SubmissionInvalid(errors)
    except BaseException:
        received.discard()
        raise
    return received


async def _keep(received: Received, upload: UploadFile, name: str, kinds: list[str], limit: int) -> str:
    """Store one upload; the reason it was refused, or ""."""
    assert received.store is not None and received.tenant_id is not None
    row = SubmissionFile(
        id=uuid7(), tenant_id=received.tenant_id, field_name=name, filename=_filename(upload), sha256=""
    )
    try:
        stored = await received.store.save(received.tenant_id, row.id, upload, limit)
    except TooLarge:
        return _("“%(name)s” is larger than %(n)d MB.", name=row.filename, n=limit // (1024 * 1024))
    finally:
        await upload.close()
    received.files.append(row)
    path = received.store.path(received.tenant_id, row.id)
    try:
        # Decoding and re-encoding is CPU work: off the event loop.
        row.content_type, rewritten = await anyio.to_thread.run_sync(accept, path, kinds, limit)
    except FileRefused as refused:
        return f"{row.filename}: {refused}"
    if rewritten is not None:
        stored = received.store.write_bytes(received.tenant_id, row.id, rewritten)
    row.size, row.sha256 = stored.size, stored.sha256
    return ""


async def contact_files(db: AsyncSession, contact_id: UUID) -> list[SubmissionFile]:
    """The files a contact sent, newest first (the caller's session is scoped to the tenant)."""
    return list(
        (
            await db.execute(
                select(SubmissionFile)
                .join(Submission, Submission.id == SubmissionFile.submission_id)
                .where(Submission.contact_id == contact_id)
                .order_by(SubmissionFile.created_at.desc())
            )
        ).scalars()
    )


async def contact_file(db: AsyncSession, contact_id: UUID, file_id: UUID) -> SubmissionFile | None:
    return next((row for row in await contact_files(db, contact_id) if row.id == file_id), None)


def _delete(session: Session, store: FileStore, rows: list[SubmissionFile]) -> int:
    for row in rows:
        store.delete(row.tenant_id, row.id)
    if rows:
        session.execute(
            delete(SubmissionFile)
            .where(SubmissionFile.id.in_([row.id for row in rows]))
            .execution_options(all_tenants=True)
        )
    return len(rows)


def erase_files(
    session: Session, store: FileStore, tenant_id: UUID, key: str, contact_ids: list[UUID]
) -> int:
    """For an erasure: the person's files go from disk and their rows with them."""
    submissions = select(Submission.id).where(
        Submission.tenant_id == tenant_id,
        (Submission.contact_id.in_(contact_ids))
        | (func.lower(Submission.contact_fields["email"].as_string()) == key),
    )
    rows = list(
        session.execute(
            select(SubmissionFile).where(
                SubmissionFile.tenant_id == tenant_id, SubmissionFile.submission_id.in_(submissions)
            )
        ).scalars()
    )
    return _delete(session, store, rows)


def export_files(session: Session, tenant_id: UUID, key: str) -> list[dict[str, Any]]:
    """For a person's copy of their data: each file they sent (the file itself travels in the zip)."""
    rows = session.execute(
        select(SubmissionFile, Submission.created_at)
        .join(Submission, Submission.id == SubmissionFile.submission_id)
        .where(
            SubmissionFile.tenant_id == tenant_id,
            func.lower(Submission.contact_fields["email"].as_string()) == key,
        )
        .order_by(SubmissionFile.created_at)
    ).all()
    return [
        {
            "file_id": str(row.id),
            "field": row.field_name,
            "filename": row.filename,
            "content_type": row.content_type,
            "size": row.size,
            "sha256": row.sha256,
            "sent_at": sent_at.isoformat(),
        }
        for row, sent_at in rows
    ]


def purge_due(session: Session, store: FileStore, tenant_id: UUID, before: datetime) -> int:
    """Retention: delete the tenant's files sent before `before`; how many."""
    rows = list(
        session.execute(
            select(SubmissionFile).where(
                SubmissionFile.tenant_id == tenant_id, SubmissionFile.created_at < before
            )
        ).scalars()
    )
    return _delete(session, store, rows)


def sweep_orphans(session: Session, store: FileStore, now: float | None = None) -> int:
    """Delete bytes no committed row claims and rows whose submission is gone; how many files.

    Runs for every tenant. Bytes younger than ORPHAN_AFTER_SECONDS may belong to a submission in flight.
    """
    cutoff = (now if now is not None else time.time()) - ORPHAN_AFTER_SECONDS
    gone = list(
        session.execute(
            select(SubmissionFile)
            .outerjoin(Submission, Submission.id == SubmissionFile.submission_id)
            .where(Submission.id.is_(None))
            .execution_options(all_tenants=True)
        ).scalars()
    )
    swept = _delete(session, store, gone)
    on_disk = list(store.stored(cutoff))
    known: set[UUID] = set()
    ids = [file_id for _tenant, file_id, _path in on_disk]
    for start in range(0, len(ids), 1000):
        known.update(
            session.execute(
                select(SubmissionFile.id)
                .where(SubmissionFile.id.in_(ids[start : start + 1000]))
                .execution_options(all_tenants=True)
            ).scalars()
        )
    for _tenant, file_id, path in on_disk:
        if file_id not in known:
            path.unlink(missing_ok=True)
            swept += 1
    return swept


def sweep_orphans_job(settings: Settings) -> int:
    """The scheduled sweep of files no kept submission claims."""
    with sync_session(settings.database.sync_url) as session:
        swept = sweep_orphans(session, FileStore(settings.files_dir))
        session.commit()
    return swept
