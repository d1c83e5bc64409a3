"""The CRM in the dashboard: contacts (list, filters, page, edit, merge, duplicates, export) and companies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Stream, Template
from sqlalchemy import literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform import hooks
from landform.accounts.guards import BUILDERS, provide_tenant_db, requires_role
from landform.accounts.models import Role, User
from landform.core.db import scope_to_tenant, utcnow
from landform.core.i18n import gettext as _
from landform.crm_sink import fields, services
from landform.crm_sink.answers import shown_answers
from landform.crm_sink.assignment.touch import touch
from landform.crm_sink.contacts import duplicates, edit, export, merge, search
from landform.crm_sink.contacts.edit import RecordInvalid
from landform.crm_sink.contacts.erased import erased_page, refuse_erased
from landform.crm_sink.contacts.search import ContactFilter, Cursor
from landform.crm_sink.models import Company, Contact, ContactTag, Submission
from landform.crm_sink.pipeline import deals, lifecycle, stages
from landform.crm_sink.work.views import company_work_context, work_context

PAGE_SIZE = search.PAGE_SIZE
UserRequest = Request[User, Any, Any]


# A section another domain adds to a contact's page: (template, context), registered in app.py.
def _tell_contact_changed(session: Session, contact: Contact) -> None:
    for changed in hooks.contact_changed:
        changed(session, contact)


async def _contact_or_404(db: AsyncSession, contact_id: UUID, *, changing: bool = False) -> Contact:
    contact = (await db.execute(select(Contact).where(Contact.id == contact_id))).scalar_one_or_none()
    if contact is None:
        raise NotFoundException()
    if changing:
        refuse_erased(contact)
    return contact


async def _company_or_404(db: AsyncSession, company_id: UUID) -> Company:
    company = (await db.execute(select(Company).where(Company.id == company_id))).scalar_one_or_none()
    if company is None:
        raise NotFoundException()
    return company


async def _team(db: AsyncSession) -> list[User]:
    return list((await db.execute(select(User).order_by(User.first_name, User.last_name))).scalars())


def _may_edit(user: User, contact: Contact) -> bool:
    """Sales reps work their own leads; everyone else may edit every contact."""
    return user.role != Role.SALES_REP or contact.owner_id == user.id


def _region(request: UserRequest) -> str:
    return request.user.tenant.country or "NL"


class ContactsController(Controller):
    """Contacts, for every role (sales reps work leads here)."""

    path = "/app/contacts"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, request: HTMXRequest, db: AsyncSession, cursor: str = "") -> Template:
        """Contacts, most recently active first, filtered by search, owner, tag, consent and source."""
        filters = ContactFilter.of(request.query_params)
        contacts, next_cursor = await db.run_sync(search.contact_page, filters, Cursor.decode(cursor))
        total = await db.run_sync(search.capped_count, filters)
        owners = {user.id: user for user in await _team(db)}
        context = {
            "contacts": contacts,
            "filters": filters,
            "q": filters.q,
            "total": total,
            "capped": total > search.COUNT_CAP,
            "next_cursor": next_cursor.encode() if next_cursor else "",
            "first_page": not cursor,
            "owners": owners,
            "tags": await db.run_sync(search.all_tags),
            "sources": search.SOURCES,
            "stages": lifecycle.STAGES,
            "stage_labels": lifecycle.stage_labels(),
        }
        if request.htmx and request.htmx.target == "contact-results":
            return Template("crm_sink/_contact_rows.html", context=context)
        return Template("crm_sink/contacts.html", context=context)

    @get("/export.csv", media_type="text/csv")
    async def export(self, request: UserRequest, db: AsyncSession) -> Stream:
        """The filtered list as CSV, streamed page by page.

        Contacts who asked not to be contacted are left out: an export is for working leads elsewhere.
        Sales reps export only the contacts they own.
        """
        filters = ContactFilter.of(request.query_params)
        if request.user.role == Role.SALES_REP:
            if filters.owner and filters.owner != str(request.user.id):
                raise PermissionDeniedException(detail=_("Sales reps can export only their own contacts."))
            filters = ContactFilter(**{**filters.__dict__, "owner": str(request.user.id)})
        filters = ContactFilter(**{**filters.__dict__, "without_do_not_contact": True})
        tenant_id = request.user.tenant_id
        bind = db.bind

        async def lines() -> AsyncIterator[str]:
            # Its own session: the request's is closed once the response starts.
            async with AsyncSession(bind=bind, expire_on_commit=False) as session:
                scope_to_tenant(session.sync_session, tenant_id)
                cursor: Cursor | None = None
                header = True
                while True:
                    page, cursor = await session.run_sync(search.contact_page, filters, cursor, 1000)
                    yield await session.run_sync(export.csv_page, page, header)
                    header = False
                    if cursor is None:
                        return

        stamp = utcnow().strftime("%Y%m%d-%H%M")
        return Stream(
            lines,
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="contacts-{stamp}.csv"'},
        )

    @get("/duplicates", guards=[requires_role(*BUILDERS)])
    async def duplicates(self, db: AsyncSession) -> Template:
        """Likely duplicates for a person to merge or dismiss."""
        pairs = await db.run_sync(duplicates.duplicate_pairs)
        return Template("crm_sink/duplicates.html", context={"pairs": pairs})

    @post("/duplicates/dismiss", guards=[requires_role(*BUILDERS)])
    async def dismiss(self, request: UserRequest, db: AsyncSession) -> Redirect:
        """Remember that two contacts are different people."""
        form = await request.form()
        try:
            first, second = UUID(str(form.get("a"))), UUID(str(form.get("b")))
        except ValueError:
            raise NotFoundException() from None
        found = (await db.execute(select(Contact.id).where(Contact.id.in_([first, second])))).all()
        if len(found) != 2:
            raise NotFoundException()
        await db.run_sync(duplicates.dismiss_pair, first, second, request.user.id)
        await db.commit()
        flash(request, _("Dismissed: these two will not be suggested again."), category="success")
        return Redirect("/app/contacts/duplicates")

    @get("/{contact_id:uuid}")
    async def show(self, request: UserRequest, db: AsyncSession, contact_id: UUID) -> Template:
        """One contact with the timeline of everything they did."""
        contact = await _contact_or_404(db, contact_id)
        if contact.is_erased:
            return await erased_page(db, contact)
        # Its owner opening it is the first touch that stops the speed-to-lead clock.
        if await db.run_sync(lambda session: touch(session, contact, request.user.id, "opened")):
            await db.commit()
        activities = list((await db.execute(services.timeline_query(contact.id))).scalars())
        submission_ids = [a.submission_id for a in activities if a.submission_id]
        submissions = (
            {
                s.id: s
                for s in (
                    await db.execute(select(Submission).where(Submission.id.in_(submission_ids)))
                ).scalars()
            }
            if submission_ids
            else {}
        )
        company = (
            (await db.execute(select(Company).where(Company.id == contact.company_id))).scalar_one_or_none()
            if contact.company_id
            else None
        )
        owner = (
            (await db.execute(select(User).where(User.id == contact.owner_id))).scalar_one_or_none()
            if contact.owner_id
            else None
        )
        tags = list(
            (
                await db.execute(
                    select(ContactTag.tag).where(ContactTag.contact_id == contact.id).order_by(ContactTag.tag)
                )
            ).scalars()
        )
        return Template(
            "crm_sink/contact.html",
            context={
                "contact": contact,
                "company": company,
                "owner": owner,
                "tags": tags,
                "may_edit": _may_edit(request.user, contact),
                "activities": activities,
                # The answers in the words the visitor saw (labels, not option keys).
                "answers": {
                    sid: shown_answers(s.data or {}, s.context or {}) for sid, s in submissions.items()
                },
                "sections": [await section(db, contact) for section in hooks.contact_sections],
                **await work_context(db, contact),
            },
        )

    async def _edit_context(
        self, db: AsyncSession, contact: Contact, values: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        if values is None:
            mine = ContactTag.contact_id == contact.id
            tags = (await db.execute(select(ContactTag.tag).where(mine))).scalars()
            values = {name: getattr(contact, name) or "" for name in merge.MERGE_FIELDS}
            values["tags"] = ", ".join(sorted(tags))
        return {"contact": contact, "values": values, "errors": {}, "team": await _team(db), **extra}

    @get("/{contact_id:uuid}/edit")
    async def edit(self, request: UserRequest, db: AsyncSession, contact_id: UUID) -> Template:
        """The contact form."""
        contact = await _contact_or_404(db, contact_id, changing=True)
        if not _may_edit(request.user, contact):
            raise PermissionDeniedException(detail=_("Sales reps can edit only their own contacts."))
        return Template("crm_sink/contact_edit.html", context=await self._edit_context(db, contact))

    @post("/{contact_id:uuid}/edit", media_type=MediaType.HTML)
    async def update(self, request: UserRequest, db: AsyncSession, contact_id: UUID) -> Any:
        """Save the contact (validated); tells the webhooks."""
        contact = await _contact_or_404(db, contact_id, changing=True)
        if not _may_edit(request.user, contact):
            raise PermissionDeniedException(detail=_("Sales reps can edit only their own contacts."))
        form = await request.form()
        team = {user.id for user in await _team(db)}
        try:
            values = edit.clean_contact(form, _region(request), team)
            await db.run_sync(edit.save_contact, contact, values)
        except RecordInvalid as invalid:
            context = await self._edit_context(db, contact, dict(form), errors=invalid.errors)
            return Template("crm_sink/contact_edit.html", status_code=422, context=context)
        await db.flush()
        await db.run_sync(_tell_contact_changed, contact)
        await db.commit()
        flash(request, _("Saved."), category="success")
        return Redirect(f"/app/contacts/{contact.id}")

    @get("/{contact_id:uuid}/merge", guards=[requires_role(*BUILDERS)])
    async def merge_form(self, db: AsyncSession, contact_id: UUID, other: str = "", q: str = "") -> Template:
        """Pick the contact to merge into this one, then which values win."""
        contact = await _contact_or_404(db, contact_id, changing=True)
        other_contact = None
        if other:
            try:
                other_contact = await _contact_or_404(db, UUID(other), changing=True)
            except ValueError:
                raise NotFoundException() from None
        candidates: list[Contact] = []
        if q and other_contact is None:
            candidates, _next = await db.run_sync(search.contact_page, ContactFilter(q=q[:200]), None, 10)
            candidates = [c for c in candidates if c.id != contact.id]
        return Template(
            "crm_sink/merge.html",
            context={
                "contact": contact,
                "other": other_contact,
                "candidates": candidates,
                "q": q,
                "fields": merge.MERGE_FIELDS,
                "team": {user.id: user for user in await _team(db)},
            },
        )

    @post("/{contact_id:uuid}/merge", guards=[requires_role(*BUILDERS)])
    async def merge(self, request: UserRequest, db: AsyncSession, contact_id: UUID) -> Redirect:
        """Merge the other contact into this one: it keeps activities, submissions, tags and consent."""
        contact = await _contact_or_404(db, contact_id, changing=True)
        form = await request.form()
        try:
            other = await _contact_or_404(db, UUID(str(form.get("other_id"))), changing=True)
        except ValueError:
            raise NotFoundException() from None
        take = {name for name in merge.MERGE_FIELDS if form.get(f"take_{name}") == "other"}
        try:
            await db.run_sync(merge.merge_contacts, contact, other, take, request.user.full_name)
        except RecordInvalid as invalid:
            flash(request, invalid.errors["_form"], category="error")
            return Redirect(f"/app/contacts/{contact.id}")
        await db.flush()
        await db.run_sync(_tell_contact_changed, contact)
        await db.commit()
        flash(request, _("Merged. Everything of both contacts is on this page now."), category="success")
        return Redirect(f"/app/contacts/{contact.id}")


class CompaniesController(Controller):
    """Companies in the CRM and the contacts who work there."""

    path = "/app/companies"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, db: AsyncSession, q: str = "", after: str = "") -> Template:
        """Companies by name, 50 at a time (keyset on name and id), and how many match (up to a cap)."""
        term = q.strip()[:200]
        matching = [search.company_search(term)] if term else []
        total = await db.run_sync(search.count_up_to, Company, matching)
        query = select(Company).where(*matching).order_by(Company.name, Company.id).limit(PAGE_SIZE + 1)
        name, _sep, ident = after.partition("|")
        try:
            if after:
                # Typed parameters: an untyped UUID would be compared as text with SQLite's binary ids.
                last = tuple_(literal(name, Company.name.type), literal(UUID(ident), Company.id.type))
                query = query.where(tuple_(Company.name, Company.id) > last)
        except ValueError:
            pass  # a garbled cursor: the first page
        companies = list((await db.execute(query)).scalars())
        more = len(companies) > PAGE_SIZE
        companies = companies[:PAGE_SIZE]
        next_after = f"{companies[-1].name}|{companies[-1].id}" if more else ""
        return Template(
            "crm_sink/companies.html",
            context={
                "companies": companies,
                "q": term,
                "next_after": next_after,
                "total": total,
                "capped": total > search.COUNT_CAP,
            },
        )

    @get("/{company_id:uuid}")
    async def show(self, request: UserRequest, db: AsyncSession, company_id: UUID) -> Template:
        """A company and its contacts."""
        company = await _company_or_404(db, company_id)
        contacts = list(
            (
                await db.execute(
                    select(Contact)
                    .where(Contact.company_id == company.id)
                    .order_by(Contact.last_activity_at.desc(), Contact.id.desc())
                    .limit(200)
                )
            ).scalars()
        )
        company_deals = await db.run_sync(lambda s: deals.deals_of(s, company_id=company.id))
        deal_stages = {stage.id: stage.name for stage in await db.run_sync(stages.tenant_stages)}
        return Template(
            "crm_sink/company.html",
            context={
                "company": company,
                "contacts": contacts,
                "may_edit": request.user.role in BUILDERS,
                "deals": company_deals,
                "deal_stages": deal_stages,
                "euros": deals.euros,
                **await company_work_context(db, company),
            },
        )

    @get("/{company_id:uuid}/edit", guards=[requires_role(*BUILDERS)])
    async def edit(self, db: AsyncSession, company_id: UUID) -> Template:
        """The company form."""
        company = await _company_or_404(db, company_id)
        values = {name: getattr(company, name) for name in fields.COMPANY_FIELDS}
        values = {k: ("" if v is None else v) for k, v in values.items()}
        context = {"company": company, "values": values, "errors": {}}
        return Template("crm_sink/company_edit.html", context=context)

    @post("/{company_id:uuid}/edit", guards=[requires_role(*BUILDERS)], media_type=MediaType.HTML)
    async def update(self, request: UserRequest, db: AsyncSession, company_id: UUID) -> Any:
        """Save the company (VAT, KvK and RSIN checked)."""
        company = await _company_or_404(db, company_id)
        form = await request.form()
        try:
            values = edit.clean_company(form, _region(request))
        except RecordInvalid as invalid:
            return Template(
                "crm_sink/company_edit.html",
                status_code=422,
                context={"company": company, "values": dict(form), "errors": invalid.errors},
            )
        for name, value in values.items():
            setattr(company, name, value)
        await db.commit()
        flash(request, _("Saved."), category="success")
        return Redirect(f"/app/companies/{company.id}")
