"""Routing a submission into the CRM, and reading contacts for the dashboard and the API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from landform.crm_sink.models import Activity, Contact, Submission
from landform.db import utcnow
from landform.outbox import PermanentJobError
from landform.webhooks import services as webhooks

CONTACT_FIELDS = ("first_name", "last_name", "phone", "company_name", "job_title")


def email_key(email: str) -> str:
    """The de-duplication key for an address: trimmed and case-folded (mailboxes ignore case in practice)."""
    return email.strip().casefold()


def _insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def route_submission(session: Session, submission_id: UUID) -> Contact:
    """Make the submission a contact (created or updated) with an activity on its timeline.

    Idempotent: the contact is unique per tenant and e-mail key and the activity per submission,
    both enforced by the database, so concurrent or repeated routing has the effect of one.
    """
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise PermanentJobError(f"submission {submission_id} no longer exists")
    fields = submission.contact_fields
    email = fields.get("email", "")
    if not email:
        raise PermanentJobError(f"submission {submission_id} has no e-mail address")
    key = email_key(email)
    now = utcnow()
    session.execute(
        _insert(session, Contact)
        .values(
            id=uuid7(),
            tenant_id=submission.tenant_id,
            email=email,
            email_key=key,
            language=submission.context.get("language", ""),
            source=submission.context.get("source", "")[:16],
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "email_key"])
    )
    contact = session.execute(select(Contact).where(Contact.email_key == key).with_for_update()).scalar_one()
    if submission.routed_at is not None:
        return contact
    # The newest submission wins a field; an older one (routed late) only fills blanks.
    newest = contact.last_activity_at is None or contact.last_activity_at <= submission.created_at
    for name in CONTACT_FIELDS:
        value = fields.get(name)
        if value and (newest or not getattr(contact, name)):
            setattr(contact, name, value)
    if newest:
        contact.email = email
        contact.last_activity_at = submission.created_at
    session.execute(
        _insert(session, Activity)
        .values(
            id=uuid7(),
            tenant_id=submission.tenant_id,
            contact_id=contact.id,
            kind="form_submission",
            submission_id=submission.id,
            occurred_at=submission.created_at,
            details={
                "form_id": str(submission.form_id) if submission.form_id else None,
                **submission.context,
            },
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["submission_id"])
    )
    submission.contact_id = contact.id
    submission.routed_at = now
    webhooks.submission_routed(session, submission, contact)
    return contact


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
