"""The intake's side of uploads: the multipart parts of a request, handed to the store's checks."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request
from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from landform.core.files import FileStore
from landform.forms.uploads.services import Received, receive


async def receive_files(
    request: Request[Any, Any, Any], db: AsyncSession, fields: list[dict[str, Any]], tenant_id: UUID
) -> Received:
    """Store the request's files for the form's file fields (Litestar spooled them to a temporary file)."""
    form = await request.form()  # parsed once by `read_answers`, kept on the request
    parts: dict[str, list[UploadFile]] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            parts.setdefault(name, []).append(value)
    store = FileStore(request.app.state.settings.files_dir)
    return await receive(db, store, tenant_id, fields, parts)
