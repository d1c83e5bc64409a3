"""Reading contacts for the dashboard and the API: e-mail keys, lists and timelines."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Select, func, or_, select

from landform.crm_sink import normalize
from landform.crm_sink.models import Activity, Contact, Submission


def email_key(email: str) -> str:
    """The de-duplication key for an address: trimmed and case-folded (mailboxes ignore case in practice)."""
    return normalize.email_key(email)


def contacts_query(search: str = "") -> Select[Contact]:
    query = select(Contact).order_by(Contact.last_activity_at.desc().nulls_last(), Contact.id.desc())
    term = search.strip()
    if term:
        like = f"%{term.casefold()}%"
        query = query.where(
            or_(
                Contact.email_key.like(like),
                func.lower(Contact.first_name + " " + Contact.last_name).like(like),
                func.lower(Contact.company_name).like(like),
            )
        )
    return query


def timeline_query(contact_id: UUID) -> Select[Activity]:
    return select(Activity).where(Activity.contact_id == contact_id).order_by(Activity.occurred_at.desc())


def submission_for_activity(activity: Activity) -> Select[Submission]:
    return select(Submission).where(Submission.id == activity.submission_id)
