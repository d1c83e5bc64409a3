"""Notes, calls and tasks in the dashboard: written on a contact's page, and the user's "My tasks"."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.guards import provide_tenant_db
from landform.accounts.models import Role, User
from landform.core.i18n import gettext as _
from landform.core.i18n import lazy_gettext
from landform.crm_sink.models import Company, Contact
from landform.crm_sink.work import services
from landform.crm_sink.work.models import WorkItem

UserRequest = Request[User, Any, Any]
DONE_MESSAGES = {
    "note": lazy_gettext("Note saved."),
    "call": lazy_gettext("Call logged."),
    "task": lazy_gettext("Task added."),
}


async def _contact_or_404(db: AsyncSession, contact_id: UUID) -> Contact:
    contact = (await db.execute(select(Contact).where(Contact.id == contact_id))).scalar_one_or_none()
    if contact is None:
        raise NotFoundException()
    return contact


def _may_work_on(user: User, contact: Contact) -> bool:
    """Sales reps work their own leads; everyone else every contact (as editing a contact)."""
    return user.role != Role.SALES_REP or contact.owner_id == user.id


async def read_entry(request: UserRequest, db: AsyncSession, kind: str) -> services.Entry:
    """The note, call or task a posted form describes (404: unknown kind; WorkInvalid names the field)."""
    if kind not in DONE_MESSAGES:
        raise NotFoundException()
    form = {key: str(value) for key, value in (await request.form()).items()}
    team = set((await db.execute(select(User.id))).scalars())
    return services.clean(kind, form, team)


def refused(request: UserRequest, invalid: services.WorkInvalid, back: str) -> Redirect:
    """Back to the page the form was on, saying what was wrong."""
    for message in invalid.errors.values():
        flash(request, message, category="error")
    return Redirect(back, status_code=303)


class ContactWorkController(Controller):
    """Writing a note, logging a call or adding a task on one contact."""

    path = "/app/contacts/{contact_id:uuid}/work"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @post("/{kind:str}")
    async def write(self, request: UserRequest, db: AsyncSession, contact_id: UUID, kind: str) -> Redirect:
        """Save a note, call or task, back to the contact; a refused one says which field and why."""
        contact = await _contact_or_404(db, contact_id)
        if not _may_work_on(request.user, contact):
            raise PermissionDeniedException(detail=_("Sales reps can work only on their own contacts."))
        back = f"/app/contacts/{contact.id}#work"
        try:
            entry = await read_entry(request, db, kind)
        except services.WorkInvalid as invalid:
            return refused(request, invalid, back)
        user = request.user  # only its id and name are written
        await db.run_sync(lambda session: services.write(session, contact, user, entry))
        await db.commit()
        flash(request, str(DONE_MESSAGES[kind]), category="success")
        return Redirect(back)


class CompanyWorkController(Controller):
    """Writing a note, logging a call or adding a task about a company."""

    path = "/app/companies/{company_id:uuid}/work"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @post("/{kind:str}")
    async def write(self, request: UserRequest, db: AsyncSession, company_id: UUID, kind: str) -> Redirect:
        """Save a note, call or task, back to the company."""
        company = (await db.execute(select(Company).where(Company.id == company_id))).scalar_one_or_none()
        if company is None:
            raise NotFoundException()
        back = f"/app/companies/{company.id}#work"
        try:
            entry = await read_entry(request, db, kind)
        except services.WorkInvalid as invalid:
            return refused(request, invalid, back)
        user = request.user
        await db.run_sync(lambda session: services.write_on_company(session, company, user, entry))
        await db.commit()
        flash(request, str(DONE_MESSAGES[kind]), category="success")
        return Redirect(back)


class TasksController(Controller):
    """The user's own tasks, as their day looks in their time zone."""

    path = "/app/tasks"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, request: UserRequest, db: AsyncSession) -> Template:
        """Overdue, today, upcoming, and the last ones done."""
        today = services.local_today(request.user.timezone)
        tasks = await db.run_sync(services.my_tasks, request.user.id, today)
        return Template("crm_sink/work/tasks.html", context={"tasks": tasks, "today": today})

    @post("/{item_id:uuid}/done")
    async def done(self, request: UserRequest, db: AsyncSession, item_id: UUID) -> Redirect:
        """Tick a task off, or (done=0) open it again; back to where it was ticked."""
        item = (
            await db.execute(select(WorkItem).where(WorkItem.id == item_id, WorkItem.kind == "task"))
        ).scalar_one_or_none()
        if item is None:
            raise NotFoundException()
        contact = await _contact_or_404(db, item.contact_id) if item.contact_id else None
        if (
            item.assignee_id != request.user.id
            and contact is not None
            and not _may_work_on(request.user, contact)
        ):
            raise PermissionDeniedException(detail=_("Sales reps can work only on their own contacts."))
        form = await request.form()
        done = str(form.get("done", "1")) != "0"
        user = request.user
        await db.run_sync(lambda session: services.set_done(session, item, user, done))
        await db.commit()
        back = str(form.get("next", ""))
        return Redirect(back if back.startswith("/app/") else "/app/tasks/")
