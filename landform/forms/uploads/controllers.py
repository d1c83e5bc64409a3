"""Downloading a contact's files, through the app only: as attachments that cannot run in the browser."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from landform import hooks
from landform.accounts.guards import provide_tenant_db
from landform.core.files import FileStore
from landform.forms.uploads import services


class ContactFilesController(Controller):
    """A file a contact sent with a form, for the tenant's users who can see the contact."""

    path = "/app/contacts"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/{contact_id:uuid}/files/{file_id:uuid}")
    async def download(
        self, request: Request[Any, Any, Any], db: AsyncSession, contact_id: UUID, file_id: UUID
    ) -> Stream:
        """The file as an attachment; 404 for anyone else's (another tenant's is not found, not forbidden)."""
        row = await services.contact_file(db, contact_id, file_id)
        store = FileStore(request.app.state.settings.files_dir)
        if row is None or not store.path(row.tenant_id, row.id).is_file():
            raise NotFoundException()
        return Stream(
            store.stream(row.tenant_id, row.id),
            media_type=row.content_type,
            headers={
                "content-disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
                "content-length": str(row.size),
                "x-content-type-options": "nosniff",
                # Opened anyway (a browser's viewer, a link pasted): nothing in it may run or load.
                "content-security-policy": "sandbox; default-src 'none'",
                "cache-control": "private, no-store",
            },
        )


async def contact_section(db: AsyncSession, contact: hooks.ContactRef) -> tuple[str, dict[str, Any]]:
    """The files part of a contact's page (`hooks.contact_sections`)."""
    return "forms/_contact_files.html", {"files": await services.contact_files(db, contact.id)}
