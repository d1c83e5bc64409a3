"""What the dashboard shows of an erased contact: that it was erased and when, and what still counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from litestar.exceptions import HTTPException
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform import hooks
from landform.core.i18n import gettext as _
from landform.crm_sink.models import Activity, Contact, Submission


class ContactErased(HTTPException):
    """Editing or merging an erased contact: nothing of the person is left to change."""

    status_code = 409


def refuse_erased(*contacts: Contact) -> None:
    if any(contact.is_erased for contact in contacts):
        raise ContactErased(detail=_("This contact was erased: there is nothing left to edit or merge."))


@dataclass
class Trace:
    """One line of an erased contact's timeline: when, and which of the tenant's forms (None: not a form)."""

    occurred_at: datetime
    form_name: str | None
    merged: bool


async def erased_page(db: AsyncSession, contact: Contact) -> Template:
    """The erased state: the date, what was removed, and the timeline's dates and form names only."""
    rows = (
        await db.execute(
            select(Activity.occurred_at, Activity.kind, Submission.form_id)
            .outerjoin(Submission, Submission.id == Activity.submission_id)
            .where(Activity.contact_id == contact.id)
            .order_by(Activity.occurred_at.desc())
        )
    ).all()
    forms: dict[UUID, str] = {form.id: form.name for form in await hooks.form_catalog.get()(db)}
    traces = [
        Trace(occurred_at, forms.get(form_id) if form_id else None, kind == "merged")
        for occurred_at, kind, form_id in rows
    ]
    return Template("crm_sink/contact_erased.html", context={"contact": contact, "traces": traces})
