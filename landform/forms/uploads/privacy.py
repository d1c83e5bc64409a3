"""A person's files: in their data export, gone on erasure and by retention (filled in by the wiring)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landform.core.files import FileStore
from landform.core.settings import get_settings
from landform.forms.uploads import services
from landform.forms.uploads.models import SubmissionFile


def _store() -> FileStore:
    return FileStore(get_settings().files_dir)


def export_section(session: Session, tenant_id: UUID, key: str) -> tuple[str, list[dict[str, Any]]]:
    return "files", services.export_files(session, tenant_id, key)


def export_files(session: Session, tenant_id: UUID, key: str) -> list[tuple[str, Path]]:
    """The files themselves, as (name in the zip, path on disk)."""
    store = _store()
    return [
        (f"files/{row['file_id']}-{row['filename']}", store.path(tenant_id, UUID(row["file_id"])))
        for row in services.export_files(session, tenant_id, key)
    ]


def erase(session: Session, tenant_id: UUID, key: str, contact_ids: list[UUID]) -> int:
    return services.erase_files(session, _store(), tenant_id, key, contact_ids)


def purge_due(session: Session, tenant_id: UUID, before: datetime) -> int:
    """Retention (p-records' registry): the tenant's files sent before `before` are deleted."""
    return services.purge_due(session, _store(), tenant_id, before)


def count_due(session: Session, tenant_id: UUID, before: datetime) -> int:
    """Retention's outlook: how many of the tenant's files were sent before `before`."""
    return (
        session.scalar(
            select(func.count())
            .select_from(SubmissionFile)
            .where(SubmissionFile.tenant_id == tenant_id, SubmissionFile.created_at < before)
        )
        or 0
    )
