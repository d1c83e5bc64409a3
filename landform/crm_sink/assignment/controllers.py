"""Routing settings in the dashboard: departments and ranked members, rules, fallback owner, field mapping.

Owners and admins only. Every change is a small form posting here, answered with a redirect back
(htmx's `hx-boost` makes that a partial page swap); a change that cannot be made re-renders the page
with the reason and a 4xx status.
"""

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

from landform import hooks
from landform.accounts.guards import MANAGERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.core.i18n import gettext as _
from landform.crm_sink.assignment import admin
from landform.crm_sink.assignment.channel import chat_names

HOME = "/app/routing"


async def _form_data(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in (await request.form()).items()}


async def _forms(request: Request[Any, Any, Any], db: AsyncSession) -> list[hooks.FormSummary]:
    return await hooks.form_catalog.get()(db)


async def _page(
    request: Request[Any, Any, Any], db: AsyncSession, error: str = "", status_code: int = 200
) -> Template:
    forms = await _forms(request, db)
    return Template(
        "crm_sink/routing/index.html",
        status_code=status_code,
        context={
            "o": await admin.overview(db),
            "forms": forms,
            "form_names": {form.id: form.name for form in forms},
            "ranks": admin.RANKS,
            "chats": chat_names(),
            "error": error,
        },
    )


class RoutingController(Controller):
    """Who gets which lead."""

    path = HOME
    include_in_schema = False
    guards = [requires_role(*MANAGERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, request: Request[User, Any, Any], db: AsyncSession) -> Template:
        """Departments with their members, the rules in order, the fallback owner, and the forms to map."""
        return await _page(request, db)

    async def _done(self, request: Request[User, Any, Any], db: AsyncSession, message: str) -> Redirect:
        await db.commit()
        flash(request, message, category="success")
        return Redirect(HOME)

    @post("/departments", media_type=MediaType.HTML)
    async def add_department(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """A new department (no members yet)."""
        try:
            await admin.add_department(db, (await _form_data(request)).get("name", ""))
        except admin.RoutingInvalid as invalid:
            return await _page(request, db, str(invalid), 422)
        return await self._done(request, db, _("Department added. Add the people who take its leads."))

    @post("/departments/{department_id:uuid}/delete", media_type=MediaType.HTML)
    async def delete_department(
        self, request: Request[User, Any, Any], db: AsyncSession, department_id: UUID
    ) -> Any:
        """Remove a department, its members and the rules that lead to it."""
        found = await admin.department(db, department_id)
        if found is None:
            raise NotFoundException()
        await db.delete(found)
        return await self._done(request, db, _("Department removed."))

    @post("/departments/{department_id:uuid}/members", media_type=MediaType.HTML)
    async def add_member(
        self, request: Request[User, Any, Any], db: AsyncSession, department_id: UUID
    ) -> Any:
        """Add a person to a department at a rank (or change their rank)."""
        found = await admin.department(db, department_id)
        if found is None:
            raise NotFoundException()
        try:
            await admin.add_member(db, found, await _form_data(request))
        except admin.RoutingInvalid as invalid:
            return await _page(request, db, str(invalid), 422)
        return await self._done(request, db, _("Member saved."))

    @post("/members/{department_member_id:uuid}/rank", media_type=MediaType.HTML)
    async def set_rank(
        self, request: Request[User, Any, Any], db: AsyncSession, department_member_id: UUID
    ) -> Any:
        """Change a member's rank."""
        found = await admin.member(db, department_member_id)
        if found is None:
            raise NotFoundException()
        try:
            admin.set_rank(found, (await _form_data(request)).get("rank", ""))
        except admin.RoutingInvalid as invalid:
            return await _page(request, db, str(invalid), 422)
        return await self._done(request, db, _("Rank saved."))

    @post("/members/{department_member_id:uuid}/delete", media_type=MediaType.HTML)
    async def remove_member(
        self, request: Request[User, Any, Any], db: AsyncSession, department_member_id: UUID
    ) -> Any:
        """Take a person out of a department; leads they own stay theirs."""
        found = await admin.member(db, department_member_id)
        if found is None:
            raise NotFoundException()
        await db.delete(found)
        return await self._done(request, db, _("Member removed."))

    @post("/rules", media_type=MediaType.HTML)
    async def add_rule(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """A rule at the end of the list."""
        try:
            await admin.add_rule(db, await _form_data(request), await _forms(request, db))
        except admin.RoutingInvalid as invalid:
            return await _page(request, db, str(invalid), 422)
        return await self._done(request, db, _("Rule added."))

    @post("/rules/{rule_id:uuid}/move", media_type=MediaType.HTML)
    async def move_rule(self, request: Request[User, Any, Any], db: AsyncSession, rule_id: UUID) -> Any:
        """Move a rule up or down one place."""
        found = await admin.rule(db, rule_id)
        if found is None:
            raise NotFoundException()
        direction = (await _form_data(request)).get("direction")
        await admin.move_rule(db, found, -1 if direction == "up" else 1)
        return await self._done(request, db, _("Rule moved."))

    @post("/rules/{rule_id:uuid}/delete", media_type=MediaType.HTML)
    async def delete_rule(self, request: Request[User, Any, Any], db: AsyncSession, rule_id: UUID) -> Any:
        """Remove a rule."""
        found = await admin.rule(db, rule_id)
        if found is None:
            raise NotFoundException()
        await db.delete(found)
        return await self._done(request, db, _("Rule removed."))

    @post("/fallback", media_type=MediaType.HTML)
    async def set_fallback(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """Who gets a lead that no rule places (or nobody)."""
        try:
            await admin.set_fallback(db, (await _form_data(request)).get("user_id", ""))
        except admin.RoutingInvalid as invalid:
            return await _page(request, db, str(invalid), 422)
        return await self._done(request, db, _("Fallback owner saved."))

    @post("/chat", media_type=MediaType.HTML)
    async def set_chat(self, request: Request[User, Any, Any], db: AsyncSession) -> Any:
        """The team channel (Slack, Teams, Mattermost, Google Chat) told of every new lead."""
        data = await _form_data(request)
        try:
            await admin.set_chat(db, data.get("chat_kind", ""), data.get("chat_webhook_url", ""))
        except admin.RoutingInvalid as invalid:
            return await _page(request, db, str(invalid), 422)
        return await self._done(request, db, _("Team channel saved."))

    async def _mapping_page(
        self,
        request: Request[User, Any, Any],
        db: AsyncSession,
        form_id: UUID,
        error: str = "",
        status: int = 200,
    ) -> Template:
        form = next((f for f in await _forms(request, db) if f.id == form_id), None)
        if form is None:
            raise NotFoundException()
        return Template(
            "crm_sink/routing/mapping.html",
            status_code=status,
            context={
                "form": form,
                "groups": admin.target_groups(),
                "mappings": await admin.mappings(db, form.id),
                "default": admin.DEFAULT,
                "error": error,
            },
        )

    @get("/forms/{form_id:uuid}/mapping")
    async def mapping(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Template:
        """Which of this form's fields fills which CRM field, and whether a new answer replaces the old."""
        return await self._mapping_page(request, db, form_id)

    @post("/forms/{form_id:uuid}/mapping", media_type=MediaType.HTML)
    async def save_mapping(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Any:
        """Save the whole mapping of one form."""
        form = next((f for f in await _forms(request, db) if f.id == form_id), None)
        if form is None:
            raise NotFoundException()
        try:
            await admin.save_mapping(db, form, await _form_data(request))
        except admin.RoutingInvalid as invalid:
            return await self._mapping_page(request, db, form_id, str(invalid), 422)
        await db.commit()
        flash(
            request,
            _("Field mapping saved. It applies to submissions routed from now on."),
            category="success",
        )
        return Redirect(f"{HOME}/forms/{form_id}/mapping")
