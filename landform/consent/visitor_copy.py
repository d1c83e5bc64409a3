"""The visitor's confirmation: an e-mail to the person who sent a form, with a copy of their answers.

A form asks for it in its settings; the intake notes that in the submission's context (`CONFIRM_KEY`).
It is written once the lead is routed, which spam never is and a minor's lead is only after a parent
agreed; a lead that waits for a double opt-in gets it when the person confirms. The job sends it once
per submission (it marks the submission) and never to a person who asked not to be contacted.
The e-mail carries the tenant's name, a link to its privacy portal and, as every e-mail to a contact,
the one-click withdrawal of consent (`core.mail`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.consent.models import ConsentRecord
from landform.core.db import utcnow
from landform.core.jobs.models import PermanentJobError
from landform.core.jobs.registry import add_job, job
from landform.core.mail import queue_email
from landform.crm_sink.answers import shown_answers
from landform.crm_sink.models import Contact, Submission

# In a submission's context: the form asks for the visitor's confirmation; once sent, when.
CONFIRM_KEY = "confirm_to_visitor"
SENT_KEY = "confirmation_sent_at"
# The double opt-in's part of a submission's context (`double_opt_in.PENDING_KEY`).
AWAITING_KEY = "consents_awaiting_confirmation"

_SUBMISSIONS = Submission.__table__


def _awaits_double_opt_in(session: Session, submission_id: UUID, context: Mapping[str, Any]) -> bool:
    if not context.get(AWAITING_KEY):
        return False
    confirmed = session.execute(
        select(ConsentRecord.id).where(
            ConsentRecord.submission_id == submission_id, ConsentRecord.confirmed_by == "double_opt_in"
        )
    ).first()
    return confirmed is None


def after_routing(session: Session, tenant_id: UUID, routed: list[tuple[UUID, UUID]]) -> None:
    """The router's hook: a confirmation job for each routed lead whose form asks for one."""
    if not routed:
        return
    # Only the forms that ask for it: most leads' contexts are never read back here.
    asking = session.connection().scalars(
        select(_SUBMISSIONS.c.id).where(
            _SUBMISSIONS.c.id.in_([sid for sid, _cid in routed]),
            _SUBMISSIONS.c.context[CONFIRM_KEY].as_boolean(),
        )
    )
    # A lead still waiting for its double opt-in is skipped by the job; one routed late (held for the plan)
    # whose person confirmed already is sent now.
    for submission_id in asking:
        add_job(session, send_visitor_copy.__name__, submission_id, tenant_id)


def after_double_opt_in(session: Session, submission: Submission) -> None:
    """The person confirmed their double opt-in: their confirmation goes out now, if it waited for it."""
    context = submission.context or {}
    if context.get(CONFIRM_KEY) and not context.get(SENT_KEY) and submission.contact_id is not None:
        add_job(session, send_visitor_copy.__name__, submission.id, submission.tenant_id)


@job(max_retries=10, min_backoff=5_000, max_backoff=10 * 60_000, time_limit=60_000, max_age=24 * 3_600_000)
def send_visitor_copy(session: Session, submission_id: UUID) -> None:
    """E-mail the person who sent the form what they sent, once."""
    submission = session.get(Submission, submission_id)
    if submission is None or submission.contact_id is None:
        raise PermanentJobError(f"submission {submission_id} is gone or not routed")
    context = dict(submission.context or {})
    if context.get(SENT_KEY) or _awaits_double_opt_in(session, submission_id, context):
        return
    contact = session.get(Contact, submission.contact_id)
    if contact is None:
        raise PermanentJobError(f"the contact of submission {submission_id} is gone")
    context[SENT_KEY] = utcnow().isoformat()
    submission.context = context
    if contact.do_not_contact:
        return
    tenant = session.get_one(Tenant, submission.tenant_id)
    email = str(submission.contact_fields.get("email") or contact.email)
    queue_email(
        session,
        to=email,
        template="visitor_copy",
        language=str(context.get("language") or tenant.default_language),
        tenant_id=tenant.id,
        contact_id=contact.id,
        tenant_name=tenant.name,
        form_name=str(context.get("form_name", "")),
        answers=shown_answers(submission.data or {}, context),
        portal_url=f"/privacy/{tenant.slug}",
        sent_at=submission.created_at,
    )
