"""The pipeline's stages (managers add, rename, reorder and remove them) and the forecast."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import MANAGERS, provide_tenant_db, requires_role
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.crm_sink.pipeline import deals, stages
from landform.crm_sink.pipeline.controllers import UserRequest
from landform.crm_sink.pipeline.lifecycle import Invalid
from landform.crm_sink.pipeline.models import OUTCOMES, PipelineStage

STAGES_URL = "/app/deals/stages"


async def _stage_or_404(db: AsyncSession, stage_id: UUID) -> PipelineStage:
    stage = (await db.execute(select(PipelineStage).where(PipelineStage.id == stage_id))).scalar_one_or_none()
    if stage is None:
        raise NotFoundException()
    return stage


class ForecastController(Controller):
    """What the pipeline is worth by stage and month of expected close."""

    path = "/app/deals/forecast"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def forecast(self, db: AsyncSession, start: str = "") -> Template:
        """Twelve months from this month (or from `start`, YYYY-MM)."""
        try:
            first = date.fromisoformat(f"{start}-01") if start else utcnow().date()
        except ValueError:
            first = utcnow().date()
        board_stages = await db.run_sync(stages.tenant_stages)
        result = await db.run_sync(lambda s: deals.forecast(s, board_stages, first))
        await db.commit()
        return Template("crm_sink/pipeline/forecast.html", context={"forecast": result, "euros": deals.euros})


class StagesController(Controller):
    """The tenant's pipeline stages, for managers."""

    path = STAGES_URL
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}
    guards = [requires_role(*MANAGERS)]

    async def _page(
        self, db: AsyncSession, errors: dict[str, str] | None = None, status: int = 200
    ) -> Template:
        board_stages = await db.run_sync(stages.tenant_stages)
        columns = await db.run_sync(lambda s: deals.board(s, board_stages))
        await db.commit()
        return Template(
            "crm_sink/pipeline/stages.html",
            status_code=status,
            context={
                "columns": columns,
                "stages": board_stages,
                "outcomes": OUTCOMES,
                "errors": errors or {},
            },
        )

    @get("/")
    async def index(self, db: AsyncSession) -> Template:
        """The stages in board order, each with its deals' count."""
        return await self._page(db)

    @post("/")
    async def add(self, request: UserRequest, db: AsyncSession) -> Any:
        """Add a stage at the end."""
        form = await request.form()
        name, outcome = str(form.get("name") or ""), str(form.get("outcome") or "open")
        try:
            await db.run_sync(lambda s: stages.add_stage(s, name, outcome))
        except Invalid as invalid:
            return await self._page(db, invalid.errors, 422)
        await db.commit()
        flash(request, _("Stage added."), category="success")
        return Redirect(STAGES_URL)

    @post("/{stage_id:uuid}")
    async def rename(self, request: UserRequest, db: AsyncSession, stage_id: UUID) -> Any:
        """Rename a stage, or say whether its deals are open, won or lost."""
        stage = await _stage_or_404(db, stage_id)
        form = await request.form()
        name, outcome = str(form.get("name") or ""), str(form.get("outcome") or stage.outcome)
        try:
            await db.run_sync(lambda s: stages.rename_stage(s, stage, name, outcome))
        except Invalid as invalid:
            await db.rollback()
            return await self._page(db, invalid.errors, 422)
        await db.commit()
        flash(request, _("Stage saved."), category="success")
        return Redirect(STAGES_URL)

    @post("/{stage_id:uuid}/move")
    async def move(self, request: UserRequest, db: AsyncSession, stage_id: UUID) -> Redirect:
        """One place earlier or later on the board."""
        stage = await _stage_or_404(db, stage_id)
        direction = str((await request.form()).get("direction") or "")
        await db.run_sync(lambda s: stages.move_stage(s, stage, direction))
        await db.commit()
        return Redirect(STAGES_URL)

    @post("/{stage_id:uuid}/remove")
    async def remove(self, request: UserRequest, db: AsyncSession, stage_id: UUID) -> Any:
        """Remove a stage; its deals move to the stage chosen."""
        stage = await _stage_or_404(db, stage_id)
        chosen = str((await request.form()).get("move_to") or "")
        try:
            target = await _stage_or_404(db, UUID(chosen)) if chosen else None
        except (ValueError, NotFoundException):
            target = None
        try:
            moved = await db.run_sync(lambda s: stages.remove_stage(s, stage, target))
        except Invalid as invalid:
            return await self._page(db, invalid.errors, 422)
        await db.commit()
        message = (
            _("Stage removed; its %(count)d deals moved to %(stage)s.", count=moved, stage=target.name)
            if moved and target
            else _("Stage removed.")
        )
        flash(request, message, category="success")
        return Redirect(STAGES_URL)
