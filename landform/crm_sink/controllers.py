"""The CRM in the dashboard: the contacts list with search, and a contact's page with its timeline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.crm_sink import services
from landform.crm_sink.models import Contact, Submission
from landform.web import provide_tenant_db

PAGE_SIZE = 50

# A section another domain adds to a contact's page: (template, context), registered in app.py.
ContactSection = Callable[[AsyncSession, Contact], Awaitable[tuple[str, dict[str, Any]]]]


class ContactsController(Controller):
    """Contacts, for every role (sales reps work leads here)."""

    path = "/app/contacts"
    include_in_schema = False
    dependencies = {"db": Provide(provide_tenant_db)}

    @get("/")
    async def index(self, request: HTMXRequest, db: AsyncSession, q: str = "", page: int = 1) -> Template:
        """Contacts, most recently active first; `q` searches name, e-mail and company."""
        page = max(1, min(page, 10_000))
        query = services.contacts_query(q[:200])
        total = (
            await db.execute(select(func.count()).select_from(query.order_by(None).subquery()))
        ).scalar_one()
        contacts = list((await db.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))).scalars())
        context = {
            "contacts": contacts,
            "q": q,
            "page": page,
            "total": total,
            "has_next": page * PAGE_SIZE < total,
        }
        if request.htmx and request.htmx.target == "contact-results":
            return Template("crm_sink/_contact_rows.html", context=context)
        return Template("crm_sink/contacts.html", context=context)

    @get("/{contact_id:uuid}")
    async def show(self, request: Request[Any, Any, Any], db: AsyncSession, contact_id: UUID) -> Template:
        """One contact with the timeline of everything they did."""
        contact = (await db.execute(select(Contact).where(Contact.id == contact_id))).scalar_one_or_none()
        if contact is None:
            raise NotFoundException()
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
        sections: list[ContactSection] = request.app.state.get("contact_sections", [])
        return Template(
            "crm_sink/contact.html",
            context={
                "contact": contact,
                "activities": activities,
                "submissions": submissions,
                "sections": [await section(db, contact) for section in sections],
            },
        )
