"""A directory of stored files outside the web root: safe names, streamed writes, deletes.

Nothing here is served directly: the application reads a file only after checking who asks. The directory
is a setting (`LANDFORM_FILES_DIR`): a shared mount such as NFS or EFS when several app servers run, `var/`
on the embedded default. A file's name is chosen here (a UUID under its tenant's folder), never by whoever
sent it, so no name can climb out of the directory.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from uuid import UUID

import anyio

CHUNK = 64 * 1024


class Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


class TooLarge(Exception):
    """More bytes arrived than the caller allowed; nothing was kept."""


@dataclass(frozen=True)
class Stored:
    size: int
    sha256: str


class FileStore:
    """Files by (tenant, id) under one root directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, tenant_id: UUID, file_id: UUID) -> Path:
        # Both parts are UUIDs (typed as such), so the path stays inside the root.
        return self.root / str(UUID(str(tenant_id))) / str(UUID(str(file_id)))

    async def save(self, tenant_id: UUID, file_id: UUID, source: Readable, limit: int) -> Stored:
        """Copy a stream to disk in chunks (never whole in memory); TooLarge past `limit` bytes."""
        target = self.path(tenant_id, file_id)
        await anyio.Path(target.parent).mkdir(parents=True, exist_ok=True, mode=0o700)
        digest, size = hashlib.sha256(), 0
        # Written under a temporary name and renamed: a half-written file is never found by its id.
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        os.close(handle)
        temporary = anyio.Path(name)
        try:
            async with await anyio.open_file(name, "wb") as out:
                while chunk := await source.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge
                    digest.update(chunk)
                    await out.write(chunk)
            await temporary.replace(target)
        except BaseException:
            await temporary.unlink(missing_ok=True)
            raise
        return Stored(size=size, sha256=digest.hexdigest())

    def write_bytes(self, tenant_id: UUID, file_id: UUID, data: bytes) -> Stored:
        """Replace a stored file with bytes we produced (a re-encoded image)."""
        target = self.path(tenant_id, file_id)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
        return Stored(size=len(data), sha256=hashlib.sha256(data).hexdigest())

    async def stream(self, tenant_id: UUID, file_id: UUID) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self.path(tenant_id, file_id), "rb") as source:
            while chunk := await source.read(CHUNK):
                yield chunk

    def delete(self, tenant_id: UUID, file_id: UUID) -> None:
        self.path(tenant_id, file_id).unlink(missing_ok=True)

    def stored(self, older_than: float) -> Iterator[tuple[UUID, UUID, Path]]:
        """Every stored file (and left-over partial write) last changed before `older_than` (a timestamp)."""
        if not self.root.is_dir():
            return
        for tenant_dir in self.root.iterdir():
            try:
                tenant_id = UUID(tenant_dir.name)
            except ValueError:
                continue
            for path in tenant_dir.iterdir():
                if path.stat().st_mtime >= older_than:
                    continue
                try:
                    yield tenant_id, UUID(path.name), path
                except ValueError:
                    if path.name.startswith(".part-"):
                        path.unlink(missing_ok=True)
