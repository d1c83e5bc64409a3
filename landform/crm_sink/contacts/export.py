"""The contact list as a CSV file, written in pages as the export streams them.

Beside the contact's own fields a row has its owner, its tags, its standing consents and the answers of
its newest form (labels as the visitor saw them), so a list worked elsewhere keeps what the CRM knows.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform import hooks
from landform.accounts.models import User
from landform.core.csvfile import csv_text
from landform.core.i18n import gettext as _
from landform.crm_sink.answers import answers_text
from landform.crm_sink.models import Contact, ContactTag, Submission
from landform.crm_sink.pipeline.deals import deals_text

EXPORT_COLUMNS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "company_name",
    "job_title",
    "language",
    "source",
    "created_at",
    "last_activity_at",
    "owner",
    "stage",
    "stage_reason",
    "deals",
    "tags",
    "consent",
    "form",
    "answers",
)


def csv_page(session: Session, contacts: list[Contact], header: bool) -> str:
    """One page of contacts as CSV text (with the header row first when `header`)."""
    ids = [contact.id for contact in contacts]
    owner_ids = {contact.owner_id for contact in contacts if contact.owner_id}
    owners = (
        {user.id: user for user in session.execute(select(User).where(User.id.in_(owner_ids))).scalars()}
        if owner_ids
        else {}
    )
    tags: dict[UUID, list[str]] = defaultdict(list)
    for contact_id, tag in session.execute(
        select(ContactTag.contact_id, ContactTag.tag)
        .where(ContactTag.contact_id.in_(ids))
        .order_by(ContactTag.tag)
    ).tuples():
        tags[contact_id].append(tag)
    newest: dict[UUID, Submission] = {}
    for submission in session.execute(
        select(Submission).where(Submission.contact_id.in_(ids)).order_by(Submission.created_at)
    ).scalars():
        assert submission.contact_id is not None  # selected by it
        newest[submission.contact_id] = submission
    consents = hooks.contact_consents.get()(session, ids) if ids else {}
    deals = deals_text(session, ids) if ids else {}
    yes, no = _("yes"), _("no")
    rows = []
    for contact in contacts:
        owner = owners.get(contact.owner_id) if contact.owner_id else None
        latest = newest.get(contact.id)
        context = (latest.context or {}) if latest else {}
        rows.append(
            {
                **{name: getattr(contact, name) for name in EXPORT_COLUMNS[:11]},
                "owner": f"{owner.full_name} <{owner.email}>" if owner else "",
                "stage": contact.stage,
                "stage_reason": contact.stage_reason,
                "deals": deals.get(contact.id, ""),
                "tags": "; ".join(tags[contact.id]),
                "consent": consents.get(contact.id, ""),
                "form": str(context.get("form_name", "")),
                "answers": answers_text(latest.data or {}, context, yes, no) if latest else "",
            }
        )
    return csv_text(EXPORT_COLUMNS, rows, header=header)
