"""The dashboard's list of forms: the default list or the archive, duplicating, archiving, restoring and
deleting a form (builder/lifecycle.py has the rules), and answering websites refused the embed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import User
from landform.billing import quotas
from landform.core.i18n import gettext as _
from landform.crm_sink.models import Submission
from landform.forms import embed_refusals
from landform.forms.builder import lifecycle
from landform.forms.models import Form


async def form_or_404(db: AsyncSession, form_id: UUID) -> Form:
    form = (await db.execute(select(Form).where(Form.id == form_id))).scalar_one_or_none()
    if form is None:
        raise NotFoundException()
    return form


def _back(raw: Any, form: Form) -> str:
    """Where an answer to a refusal returns: the form's screen or the list (never another address)."""
    return f"/app/forms/{form.id}#embed" if raw == "form" else "/app/forms/"


def _confirm(form: Form, *, action: str, **context: Any) -> Template:
    return Template(
        "layout/confirm.html",
        context={
            "title": form.name,
            "crumb": ("/app/forms/", _("Forms")),
            "action": f"/app/forms/{form.id}/{action}",
            "cancel": "/app/forms/",
            **context,
        },
    )


async def form_list(db: AsyncSession, archived: bool) -> Template:
    """All forms with how many submissions each has had, or the archived ones; the websites refused."""
    shelf = Form.archived_at.is_not(None) if archived else Form.archived_at.is_(None)
    counts = select(Submission.form_id, func.count().label("n")).group_by(Submission.form_id).subquery()
    rows = (
        await db.execute(
            select(Form, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.form_id == Form.id)
            .where(shelf)
            .order_by(Form.created_at.desc())
        )
    ).all()
    other = (await db.execute(select(func.count()).select_from(Form).where(~shelf))).scalar_one()
    context = {
        "rows": rows,
        "errors": {},
        "archived": archived,
        "other_count": other,
        "refusals": [] if archived else await embed_refusals.waiting(db),
    }
    return Template("forms/list.html", context=context)


class FormListController(Controller):
    """Duplicating, archiving, restoring and deleting forms; answering websites refused the embed."""

    path = "/app/forms"
    include_in_schema = False
    guards = [requires_role(*BUILDERS)]
    dependencies = {"db": Provide(provide_tenant_db)}

    @post("/{form_id:uuid}/duplicate")
    async def duplicate(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Redirect:
        """A draft copy with a new key, opened in the builder."""
        form = await form_or_404(db, form_id)
        await quotas.ensure_room(db, "forms")
        copy = lifecycle.copy_of(form)
        db.add(copy)
        await db.commit()
        flash(request, _("Copy made as a draft. Publish it when it is ready."), category="success")
        return Redirect(f"/app/forms/{copy.id}")

    @post("/{form_id:uuid}/archive")
    async def archive(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Redirect:
        form = await form_or_404(db, form_id)
        try:
            await lifecycle.archive(db, form)
        except lifecycle.FormStays as refused:
            flash(request, str(refused), category="error")
            return Redirect("/app/forms/")
        await db.commit()
        flash(request, _("The form is closed and archived; its leads stay in the CRM."), category="success")
        return Redirect("/app/forms/")

    @post("/{form_id:uuid}/restore")
    async def restore(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Redirect:
        form = await form_or_404(db, form_id)
        lifecycle.restore(form)
        await db.commit()
        flash(request, _("The form is back on the list and open again."), category="success")
        return Redirect("/app/forms/")

    @get("/{form_id:uuid}/delete")
    async def confirm_delete(self, db: AsyncSession, form_id: UUID) -> Template:
        form = await form_or_404(db, form_id)
        return _confirm(
            form,
            action="delete",
            question=_("Delete this form?"),
            explain=_("The draft is deleted. This cannot be undone."),
            refused=await lifecycle.why_not_deletable(db, form),
            button=_("Delete the form"),
            danger=True,
        )

    @post("/{form_id:uuid}/delete")
    async def delete(self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID) -> Redirect:
        form = await form_or_404(db, form_id)
        try:
            await lifecycle.delete_form(db, form)
        except lifecycle.FormStays as refused:
            flash(request, str(refused), category="error")
            return Redirect(f"/app/forms/{form.id}/delete")
        await db.commit()
        flash(request, _("The form is deleted."), category="success")
        return Redirect("/app/forms/")

    @post("/{form_id:uuid}/refusals/{refusal_id:uuid}/allow")
    async def allow_website(
        self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID, refusal_id: UUID
    ) -> Redirect:
        """Add a refused website to the form's allowed websites (one click, CSRF-protected)."""
        form = await form_or_404(db, form_id)
        back = _back((await request.form()).get("back"), form)
        try:
            origin = await embed_refusals.allow(db, form, refusal_id)
        except embed_refusals.RefusalNotFound:
            flash(request, _("That website was answered already."), category="info")
            return Redirect(back)
        await db.commit()
        flash(request, _("%(origin)s may now show this form.", origin=origin), category="success")
        return Redirect(back)

    @post("/{form_id:uuid}/refusals/{refusal_id:uuid}/dismiss")
    async def dismiss_website(
        self, request: Request[User, Any, Any], db: AsyncSession, form_id: UUID, refusal_id: UUID
    ) -> Redirect:
        """Stop offering a refused website; it stays refused."""
        form = await form_or_404(db, form_id)
        back = _back((await request.form()).get("back"), form)
        try:
            origin = await embed_refusals.dismiss(db, form, refusal_id)
        except embed_refusals.RefusalNotFound:
            flash(request, _("That website was answered already."), category="info")
            return Redirect(back)
        await db.commit()
        flash(
            request,
            _("%(origin)s stays refused; it will not be offered again.", origin=origin),
            category="success",
        )
        return Redirect(back)
