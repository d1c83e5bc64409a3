"""The page builder's blocks: add, edit, move and remove the blocks of a page's draft."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.core.drafts import record_save
from landform.core.i18n import gettext as _
from landform.core.images import UPLOAD_BODY
from landform.site import blocks as page_blocks
from landform.site import services
from landform.site.editor import block_values, editor_page, page_or_404, read_posted, tenant_forms


class PageBlocksController(Controller):
    """The blocks of a page's draft; published versions keep the blocks they were published with."""

    path = "/app/pages"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @post("/{page_id:uuid}/blocks", media_type=MediaType.HTML)
    async def add_block(self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID) -> Any:
        """Add an empty block at the end, above the footer."""
        page = await page_or_404(db, page_id)
        kind = str((await request.form()).get("type", ""))
        try:
            block = page_blocks.new_block(kind)
        except page_blocks.BlockInvalid:
            flash(request, _("Choose a kind of block."), category="error")
            return Redirect(f"/app/pages/{page.id}")
        services.set_blocks(page, page_blocks.insert(page.blocks, block))
        record_save(page, request.user.id)  # an editor open in another tab is told before it overwrites
        await db.commit()
        return Redirect(f"/app/pages/{page.id}#block-{block['id']}")

    @post(
        "/{page_id:uuid}/blocks/{block_id:str}", media_type=MediaType.HTML, request_max_body_size=UPLOAD_BODY
    )
    async def edit_block(
        self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID, block_id: str
    ) -> Any:
        """Save one block's texts and settings (with an image upload for image blocks)."""
        page = await page_or_404(db, page_id)
        block = next((b for b in page.blocks if b["id"] == block_id), None)
        if block is None:
            raise NotFoundException()
        raw, upload_errors = await read_posted(request, db, "image_id" if block["type"] == "image" else "")
        try:
            if upload_errors:
                raise page_blocks.BlockInvalid(upload_errors)
            forms = {str(f.id) for f in await tenant_forms(db)}
            edited = page_blocks.apply_block_edit(block, raw, forms, set(await services.images(db)))
        except page_blocks.BlockInvalid as error:
            return await editor_page(
                request,
                db,
                page,
                status_code=422,
                block_values={**{b["id"]: block_values(b) for b in page.blocks}, block_id: raw},
                block_errors={block_id: error.errors},
            )
        services.set_blocks(page, [edited if b["id"] == block_id else b for b in page.blocks])
        record_save(page, request.user.id)  # an editor open in another tab is told before it overwrites
        await db.commit()
        flash(request, _("Block saved."), category="success")
        return Redirect(f"/app/pages/{page.id}#block-{block_id}")

    @post("/{page_id:uuid}/blocks/{block_id:str}/move", media_type=MediaType.HTML)
    async def move_block(
        self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID, block_id: str
    ) -> Redirect:
        """Move a block one place up or down."""
        page = await page_or_404(db, page_id)
        step = -1 if (await request.form()).get("direction") == "up" else 1
        services.set_blocks(page, page_blocks.move(page.blocks, block_id, step))
        record_save(page, request.user.id)  # an editor open in another tab is told before it overwrites
        await db.commit()
        return Redirect(f"/app/pages/{page.id}#block-{block_id}")

    @post("/{page_id:uuid}/blocks/{block_id:str}/remove", media_type=MediaType.HTML)
    async def remove_block(
        self, request: Request[User, Any, Any], db: AsyncSession, page_id: UUID, block_id: str
    ) -> Redirect:
        """Remove a block from the draft (published versions keep it)."""
        page = await page_or_404(db, page_id)
        services.set_blocks(page, [b for b in page.blocks if b["id"] != block_id])
        record_save(page, request.user.id)  # an editor open in another tab is told before it overwrites
        await db.commit()
        flash(request, _("Block removed."), category="success")
        return Redirect(f"/app/pages/{page.id}#blocks")
