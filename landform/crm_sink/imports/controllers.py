"""The import screens: upload, map the columns (with a preview), progress, and the report of refused rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Stream, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.core.i18n import gettext as _
from landform.core.settings import Settings
from landform.crm_sink.imports import services
from landform.crm_sink.imports.mapping import TARGETS
from landform.crm_sink.imports.models import ContactImport

UserRequest = Request[User, Any, Any]


def _choices() -> dict[str, Any]:
    return {
        "targets": TARGETS,
        "bases": {
            "legitimate_interest": _("Legitimate interest (existing customers and business contacts)"),
            "contract": _("A contract with them (customers)"),
        },
    }


class ImportsController(Controller):
    """Importing contacts and companies from another CRM's CSV export (owners, admins and marketers)."""

    path = "/app/contacts/import"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}
    guards = [requires_role(*BUILDERS)]

    async def _import(self, db: AsyncSession, import_id: UUID) -> ContactImport:
        found = (
            await db.execute(select(ContactImport).where(ContactImport.id == import_id))
        ).scalar_one_or_none()
        if found is None:
            raise NotFoundException()
        return found

    async def _upload_screen(
        self, db: AsyncSession, status_code: int = 200, errors: dict[str, str] | None = None
    ) -> Template:
        recent = (
            await db.execute(select(ContactImport).order_by(ContactImport.created_at.desc()).limit(10))
        ).scalars()
        return Template(
            "crm_sink/import_upload.html",
            context={"imports": list(recent), "errors": errors or {}, "max_mb": services.MAX_BYTES // 2**20},
            status_code=status_code,
        )

    @get("/")
    async def index(self, db: AsyncSession) -> Template:
        """Upload a CSV file; the imports of late."""
        return await self._upload_screen(db)

    @post("/", media_type=MediaType.HTML, request_max_body_size=services.MAX_BYTES + 64 * 1024)
    async def upload(self, request: UserRequest, db: AsyncSession) -> Template | Redirect:
        """Keep the file, sniff its encoding and delimiter, and go on to the mapping."""
        form = await request.form()
        upload = next((v for v in form.getall("file", []) if isinstance(v, UploadFile) and v.filename), None)
        if upload is None:
            return await self._upload_screen(db, 422, {"file": _("Choose a CSV file to upload.")})
        user = request.user
        settings: Settings = request.app.state.settings
        try:
            contact_import = await db.run_sync(
                lambda _s: services.store_upload(
                    settings, user.tenant_id, user.id, upload.filename, upload.file
                )
            )
        except services.ImportInvalid as invalid:
            return await self._upload_screen(db, 422, invalid.errors)
        db.add(contact_import)
        await db.commit()
        return Redirect(f"/app/contacts/import/{contact_import.id}")

    async def _screen(
        self, db: AsyncSession, contact_import: ContactImport, status_code: int = 200,
        errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
    ) -> Template:  # fmt: skip
        preview = await db.run_sync(lambda _s: services.preview(contact_import))
        return Template(
            "crm_sink/import.html",
            context={
                "job": contact_import,
                "preview": preview,
                "errors": errors or {},
                "values": values or {},
                **_choices(),
            },
            status_code=status_code,
        )

    @get("/{import_id:uuid}")
    async def show(self, db: AsyncSession, import_id: UUID) -> Template:
        """The mapping (before it starts), else its progress and report."""
        return await self._screen(db, await self._import(db, import_id))

    @post("/{import_id:uuid}", media_type=MediaType.HTML)
    async def begin(self, request: UserRequest, db: AsyncSession, import_id: UUID) -> Template | Redirect:
        """Save the mapping and the choices, and start the import in the background."""
        contact_import = await self._import(db, import_id)
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            await db.run_sync(services.start, contact_import, values)
        except services.ImportInvalid as invalid:
            return await self._screen(db, contact_import, 422, invalid.errors, values)
        await db.commit()
        return Redirect(f"/app/contacts/import/{contact_import.id}")

    @get("/{import_id:uuid}/progress")
    async def progress(self, request: HTMXRequest, db: AsyncSession, import_id: UUID) -> Template:
        """The progress bar and counts (htmx polls it while the import runs)."""
        contact_import = await self._import(db, import_id)
        return Template("crm_sink/_import_progress.html", context={"job": contact_import})

    @post("/{import_id:uuid}/abandon")
    async def abandon(self, db: AsyncSession, import_id: UUID) -> Template | Redirect:
        """Give up before starting: the file is deleted at once."""
        contact_import = await self._import(db, import_id)
        try:
            services.abandon(contact_import)
        except services.ImportInvalid as invalid:
            return await self._screen(db, contact_import, 409, invalid.errors)
        await db.commit()
        return Redirect("/app/contacts/import/")

    @get("/{import_id:uuid}/refused.csv", media_type="text/csv")
    async def refused(self, db: AsyncSession, import_id: UUID) -> Stream:
        """The rows the import refused, as they were in the file, with the line and the reason."""
        contact_import = await self._import(db, import_id)
        chunks: list[str] = await db.run_sync(
            lambda session: list(services.refused_csv(session, contact_import))
        )

        def lines() -> Iterator[str]:
            yield "\ufeff"  # so that Excel reads the accents right
            yield from chunks

        return Stream(
            lines,
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="refused-rows-{contact_import.id}.csv"'},
        )
