"""The pipeline in the dashboard: the deal board, a deal's page, and a contact's stage and deals.

The board moves a deal by a form per card (a stage select and a button) that works without JavaScript;
with it, dragging a card onto another stage submits that same form through htmx (static/deal-board-1.js).
"""

from __future__ import annotations

import contextlib
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import provide_tenant_db
from landform.accounts.models import User
from landform.core.i18n import get_language
from landform.core.i18n import gettext as _
from landform.crm_sink.models import Company, Contact
from landform.crm_sink.pipeline import deals, lifecycle, stages
from landform.crm_sink.pipeline.lifecycle import Invalid
from landform.crm_sink.pipeline.models import Deal
from landform.crm_sink.work import services as work
from landform.crm_sink.work.controllers import DONE_MESSAGES, read_entry, refused
from landform.crm_sink.work.views import deal_work_context

UserRequest = Request[User, Any, Any]
# The deal form offers this many of the most recently active contacts, and companies by name.
CHOICES = 200


async def _deal_or_404(db: AsyncSession, deal_id: UUID) -> Deal:
    deal = (await db.execute(select(Deal).where(Deal.id == deal_id))).scalar_one_or_none()
    if deal is None:
        raise NotFoundException()
    return deal


async def _team(db: AsyncSession) -> list[User]:
    return list((await db.execute(select(User).order_by(User.first_name, User.last_name))).scalars())


async def contact_section(db: AsyncSession, contact: Any) -> tuple[str, dict[str, Any]]:
    """The contact page's stage (with the form to change it) and deals (`hooks.contact_sections`)."""
    found = await db.run_sync(lambda s: deals.deals_of(s, contact_id=contact.id))
    board_stages = await db.run_sync(stages.tenant_stages)
    return "crm_sink/pipeline/_contact_pipeline.html", {
        "deals": found,
        "stage_names": {stage.id: stage.name for stage in board_stages},
        "labels": lifecycle.stage_labels(),
        "stages": lifecycle.STAGES,
        "with_reason": lifecycle.WITH_REASON,
        "euros": deals.euros,
    }


class ContactStageController(Controller):
    """A contact's lifecycle stage, changed by its owner or a manager."""

    path = "/app/contacts"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @post("/{contact_id:uuid}/stage")
    async def change(self, request: UserRequest, db: AsyncSession, contact_id: UUID) -> Redirect:
        """Move the contact to another stage; a timeline entry and a webhook event record it."""
        contact = (await db.execute(select(Contact).where(Contact.id == contact_id))).scalar_one_or_none()
        if contact is None:
            raise NotFoundException()
        if not lifecycle.may_change_stage(request.user, contact):
            raise PermissionDeniedException(
                detail=_("Only the contact's owner or a manager may change its stage.")
            )
        form = await request.form()
        try:
            stage, reason = lifecycle.clean_stage(str(form.get("stage") or ""), str(form.get("reason") or ""))
        except Invalid as invalid:
            flash(request, " ".join(invalid.errors.values()), category="error")
            return Redirect(f"/app/contacts/{contact.id}")
        user = request.user
        if await db.run_sync(lambda s: lifecycle.change_stage(s, contact, stage, reason, user)):
            await db.commit()
            flash(
                request,
                _("Stage changed to %(stage)s.", stage=lifecycle.stage_labels()[stage]),
                category="success",
            )
        return Redirect(f"/app/contacts/{contact.id}")


class DealsController(Controller):
    """The deal board, and each deal's page."""

    path = "/app/deals"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def board(self, request: UserRequest, db: AsyncSession, owner: str = "") -> Template:
        """Deals by stage; `owner=me` shows only the user's own."""
        board_stages = await db.run_sync(stages.tenant_stages)
        owner_id = request.user.id if owner == "me" else None
        columns = await db.run_sync(lambda s: deals.board(s, board_stages, owner_id))
        names = await db.run_sync(lambda s: deals.names_for(s, [d for c in columns for d in c.deals]))
        await db.commit()  # a tenant's first visit made its default stages
        return Template(
            "crm_sink/pipeline/board.html",
            context={
                "columns": columns,
                "stages": board_stages,
                "names": names,
                "owner": "me" if owner_id else "",
                "euros": deals.euros,
                "may_edit": lambda deal: deals.may_edit_deal(request.user, deal),
                "may_manage": deals.may_manage_stages(request.user),
            },
        )

    @post("/{deal_id:uuid}/stage")
    async def move(self, request: UserRequest, db: AsyncSession, deal_id: UUID) -> Redirect:
        """Move a deal to another stage (the card's select, or a drag), then back to the board."""
        deal = await _deal_or_404(db, deal_id)
        if not deals.may_edit_deal(request.user, deal):
            raise PermissionDeniedException(detail=_("Sales reps can move only their own deals."))
        form = await request.form()
        board_stages = {str(stage.id): stage for stage in await db.run_sync(stages.tenant_stages)}
        stage = board_stages.get(str(form.get("stage_id") or ""))
        back = "/app/deals/?owner=me" if form.get("owner") == "me" else "/app/deals/"
        if stage is None:
            flash(request, _("Choose a stage of your pipeline."), category="error")
            return Redirect(back)
        if stage.id != deal.stage_id:
            deal.stage_id = stage.id
            await db.commit()
            flash(
                request,
                _("“%(deal)s” moved to %(stage)s.", deal=deal.name, stage=stage.name),
                category="success",
            )
        return Redirect(back)

    async def _form_context(
        self, request: UserRequest, db: AsyncSession, deal: Deal | None, values: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        contacts = list(
            (
                await db.execute(
                    select(Contact)
                    .order_by(Contact.last_activity_at.desc(), Contact.id.desc())
                    .limit(CHOICES)
                )
            ).scalars()
        )
        chosen = values.get("contact_id")
        if chosen and all(str(c.id) != str(chosen) for c in contacts):
            with contextlib.suppress(ValueError):
                contacts += (
                    await db.execute(select(Contact).where(Contact.id == UUID(str(chosen))))
                ).scalars()
        companies = (await db.execute(select(Company).order_by(Company.name).limit(CHOICES))).scalars()
        board_stages = await db.run_sync(stages.tenant_stages)
        return {
            "deal": deal,
            "values": values,
            "errors": {},
            "stages": board_stages,
            "options": {
                "stage": [(stage.id, stage.name) for stage in board_stages],
                "owner": [(user.id, user.full_name or user.email) for user in await _team(db)],
                "contact": [
                    (c.id, f"{c.full_name} <{c.email}>" if c.full_name else c.email) for c in contacts
                ],
                "company": [(company.id, company.name) for company in companies],
            },
            "euros": deals.euros,
            "may_edit": deal is None or deals.may_edit_deal(request.user, deal),
            **extra,
        }

    @get("/new")
    async def new(self, request: UserRequest, db: AsyncSession, contact: str = "") -> Template:
        """The form for a new deal; from a contact's page, for that contact."""
        board_stages = await db.run_sync(stages.tenant_stages)
        values: dict[str, Any] = {"stage_id": str(board_stages[0].id), "owner_id": str(request.user.id)}
        try:
            found = (
                await db.execute(select(Contact).where(Contact.id == UUID(contact)))
            ).scalar_one_or_none()
        except ValueError:
            found = None
        if found is not None:
            values.update(contact_id=str(found.id), company_id=str(found.company_id or ""))
            values["name"] = found.company_name or found.full_name
        await db.commit()
        return Template(
            "crm_sink/pipeline/deal.html", context=await self._form_context(request, db, None, values)
        )

    @post("/new", media_type=MediaType.HTML)
    async def create(self, request: UserRequest, db: AsyncSession) -> Any:
        """Save a new deal."""
        form = await request.form()
        user, language = request.user, get_language()
        try:
            values = await db.run_sync(lambda s: deals.clean_deal(s, form, user, language))
        except Invalid as invalid:
            context = await self._form_context(request, db, None, dict(form), errors=invalid.errors)
            return Template("crm_sink/pipeline/deal.html", status_code=422, context=context)
        deal = await db.run_sync(lambda s: deals.save_deal(s, Deal(), values))
        await db.commit()
        flash(request, _("Deal saved."), category="success")
        return Redirect(f"/app/deals/{deal.id}")

    @get("/{deal_id:uuid}")
    async def show(self, request: UserRequest, db: AsyncSession, deal_id: UUID) -> Template:
        """A deal: what it is worth, where it stands, who it is for; the form to change it."""
        deal = await _deal_or_404(db, deal_id)
        language = get_language()
        values = {
            "name": deal.name,
            "value_cents": deals.euros(deal.value_cents, language).replace("€", "").strip(),
            "stage_id": str(deal.stage_id),
            "expected_close_on": deal.expected_close_on.isoformat() if deal.expected_close_on else "",
            "owner_id": str(deal.owner_id or ""),
            "contact_id": str(deal.contact_id or ""),
            "company_id": str(deal.company_id or ""),
            "notes": deal.notes,
        }
        names = await db.run_sync(lambda s: deals.names_for(s, [deal]))
        context = await self._form_context(request, db, deal, values, names=names)
        return Template(
            "crm_sink/pipeline/deal.html", context={**context, **await deal_work_context(db, deal.id)}
        )

    @post("/{deal_id:uuid}", media_type=MediaType.HTML)
    async def save(self, request: UserRequest, db: AsyncSession, deal_id: UUID) -> Any:
        """Save the deal."""
        deal = await _deal_or_404(db, deal_id)
        if not deals.may_edit_deal(request.user, deal):
            raise PermissionDeniedException(detail=_("Sales reps can change only their own deals."))
        form = await request.form()
        user, language = request.user, get_language()
        try:
            values = await db.run_sync(lambda s: deals.clean_deal(s, form, user, language))
        except Invalid as invalid:
            names = await db.run_sync(lambda s: deals.names_for(s, [deal]))
            context = await self._form_context(
                request, db, deal, dict(form), errors=invalid.errors, names=names
            )
            # The page of a saved deal lists its notes, calls and tasks, refused or not.
            context.update(await deal_work_context(db, deal.id))
            return Template("crm_sink/pipeline/deal.html", status_code=422, context=context)
        await db.run_sync(lambda s: deals.save_deal(s, deal, values))
        await db.commit()
        flash(request, _("Deal saved."), category="success")
        return Redirect(f"/app/deals/{deal.id}")

    @post("/{deal_id:uuid}/delete")
    async def delete(self, request: UserRequest, db: AsyncSession, deal_id: UUID) -> Redirect:
        """Delete the deal (it was a mistake; a deal that ended goes to a won or lost stage instead)."""
        deal = await _deal_or_404(db, deal_id)
        if not deals.may_edit_deal(request.user, deal):
            raise PermissionDeniedException(detail=_("Sales reps can change only their own deals."))
        await db.delete(deal)
        await db.commit()
        flash(request, _("Deal deleted."), category="success")
        return Redirect("/app/deals/")


class DealWorkController(Controller):
    """Writing a note, logging a call or adding a task about a deal (also on its contact's timeline)."""

    path = "/app/deals/{deal_id:uuid}/work"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @post("/{kind:str}")
    async def write(self, request: UserRequest, db: AsyncSession, deal_id: UUID, kind: str) -> Redirect:
        """Save a note, call or task, back to the deal; a refused one says which field and why."""
        deal = await _deal_or_404(db, deal_id)
        if not deals.may_edit_deal(request.user, deal):
            raise PermissionDeniedException(detail=_("Sales reps can change only their own deals."))
        back = f"/app/deals/{deal.id}#work"
        try:
            entry = await read_entry(request, db, kind)
        except work.WorkInvalid as invalid:
            return refused(request, invalid, back)
        contact = await db.get(Contact, deal.contact_id) if deal.contact_id else None
        company = await db.get(Company, deal.company_id) if deal.company_id else None
        user = request.user
        await db.run_sync(lambda session: work.write_on_deal(session, deal.id, contact, company, user, entry))
        await db.commit()
        flash(request, str(DONE_MESSAGES[kind]), category="success")
        return Redirect(back)
