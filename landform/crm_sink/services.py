"""Routing a submission into the CRM, and reading contacts for the dashboard and the API."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from landform.core.jobs.models import PermanentJobError
from landform.crm_sink import normalize, routing
from landform.crm_sink.models import Activity, Contact, Submission


def email_key(email: str) -> str:
    """The de-duplication key for an address: trimmed and case-folded (mailboxes ignore case in practice)."""
    return normalize.email_key(email)


def route_submission(session: Session, submission_id: UUID) -> Contact:
    """Make one submission a contact (created or updated) with an activity on its timeline.

    The worker routes many at once (`routing.route_submissions`); this is the same for one, in the
    caller's transaction. Idempotent: routing it again changes nothing.
    """
    failed = routing.route_submissions(session, [submission_id])
    if failed:
        raise PermanentJobError(failed[submission_id])
    submission = session.get_one(Submission, submission_id)
    return session.get_one(Contact, submission.contact_id)


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
