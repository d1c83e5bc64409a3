"""The media library over HTTP: /app/media (list, upload, alt texts, delete) and the editor's image picker."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.core.http import read_upload
from landform.core.i18n import gettext as _
from landform.core.images import UPLOAD_BODY, ImageRefused
from landform.site import media

PICKER_NAME_LIMIT = 60


def _picker_name(name: str) -> str:
    """The radio inputs' name the including form wants; anything odd falls back to `image_id`."""
    cleaned = "".join(c for c in name if c.isalnum() or c in "_-")[:PICKER_NAME_LIMIT]
    return cleaned or "image_id"


class MediaController(Controller):
    """The tenant's images: reused across pages, described once, deleted only when nothing shows them."""

    path = "/app/media"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    async def _screen(
        self,
        db: AsyncSession,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        image_errors: dict[str, Any] | None = None,
    ) -> Template:
        return Template(
            "site/media.html",
            status_code=status_code,
            context={
                "library": await media.library(db),
                "errors": errors or {},
                "values": values or {},
                # A refused edit or delete: {"id": image id, "errors": {...}, "uses": [...]}
                "image_errors": image_errors or {},
            },
        )

    async def _image(self, db: AsyncSession, site_image_id: UUID) -> Any:
        image = await media.find(db, site_image_id)
        if image is None:
            raise NotFoundException()
        return image

    @get("/")
    async def index(self, db: AsyncSession) -> Template:
        """Every image of the tenant: a thumbnail, its size, its alt texts and the pages that use it."""
        return await self._screen(db)

    @post("/", media_type=MediaType.HTML, request_max_body_size=UPLOAD_BODY)
    async def upload(self, request: Request[User, Any, Any], db: AsyncSession) -> Template | Redirect:
        """Add an image (checked and re-written like every upload) with its alt texts."""
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        errors: dict[str, str] = {}
        try:
            alt = media.clean_alt(values)
        except media.MediaInvalid as invalid:
            errors, alt = invalid.errors, {}
        data = await read_upload(form, "image")
        if data is None:
            errors["image"] = _("Choose an image to upload (PNG, JPEG, WebP or GIF, at most 2 MB).")
        elif not errors:
            try:
                image = await media.upload(db, data, alt)
            except ImageRefused as refused:
                errors["image"] = str(refused)
        if errors:
            return await self._screen(db, status_code=422, errors=errors, values=values)
        await db.commit()
        flash(request, _("Image uploaded."), category="success")
        return Redirect(f"/app/media/#image-{image.id}")

    @post("/{site_image_id:uuid}", media_type=MediaType.HTML)
    async def describe(
        self, request: Request[User, Any, Any], db: AsyncSession, site_image_id: UUID
    ) -> Template | Redirect:
        """Save an image's alt texts: what it shows, per language."""
        image = await self._image(db, site_image_id)
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            image.alt = media.clean_alt(values)
        except media.MediaInvalid as invalid:
            await db.rollback()
            return await self._screen(
                db,
                status_code=422,
                image_errors={"id": image.id, "errors": invalid.errors, "values": values},
            )
        await db.commit()
        flash(request, _("Alt texts saved."), category="success")
        return Redirect(f"/app/media/#image-{image.id}")

    @post("/{site_image_id:uuid}/delete", media_type=MediaType.HTML)
    async def delete(
        self, request: Request[User, Any, Any], db: AsyncSession, site_image_id: UUID
    ) -> Template | Redirect:
        """Delete an image no page and no brand uses; otherwise say which pages still show it."""
        image = await self._image(db, site_image_id)
        try:
            await media.delete(db, image)
        except media.ImageInUse as in_use:
            # 422 like every refused form: the dashboard's htmx swaps it in (base.html's responseHandling).
            return await self._screen(db, status_code=422, image_errors={"id": image.id, "uses": in_use.uses})
        await db.commit()
        flash(request, _("Image deleted."), category="success")
        return Redirect("/app/media/")

    @get("/picker")
    async def picker(
        self, db: AsyncSession, name: str = "image_id", selected: str = "", multiple: bool = False
    ) -> Template:
        """The image picker fragment the page editor includes: radio inputs named `name`, and an upload.

        `multiple` (a row of logos): checkboxes instead, `selected` then holds ids separated by commas.
        """
        return await self._picker(db, _picker_name(name), selected, multiple=multiple)

    @post("/picker", media_type=MediaType.HTML, request_max_body_size=UPLOAD_BODY)
    async def picker_upload(
        self,
        request: Request[User, Any, Any],
        db: AsyncSession,
        name: str = "image_id",
        multiple: bool = False,
    ) -> Template:
        """Upload from the picker: the fragment again, the new image chosen (or why it was refused)."""
        name = _picker_name(name)
        form = await request.form()
        data = await read_upload(form, "upload")
        selected = str(form.get(name, "") or "")
        if data is None:
            return await self._picker(
                db, name, selected, error=_("Choose an image to upload."), status_code=422
            )
        try:
            image = await media.upload(db, data, {})
        except ImageRefused as refused:
            return await self._picker(db, name, selected, error=str(refused), status_code=422)
        await db.commit()
        return await self._picker(db, name, str(image.id))

    async def _picker(
        self,
        db: AsyncSession,
        name: str,
        selected: str,
        *,
        multiple: bool = False,
        error: str = "",
        status_code: int = 200,
    ) -> Template:
        return Template(
            "site/_media_picker.html",
            status_code=status_code,
            context={
                "library": await media.library(db),
                "name": name,
                "selected": [part for part in selected.split(",") if part],
                "multiple": multiple,
                "error": error,
            },
        )
