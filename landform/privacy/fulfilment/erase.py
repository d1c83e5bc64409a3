"""Erasure as anonymization: everything a tenant holds on one person emptied, the counts kept.

Uses landform.core.personal_data's anonymizer, so the tenant's counts stay as they were; other domains
add their own erasers through `hooks.erasers`.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from landform import hooks
from landform.accounts.models import Tenant
from landform.consent.minors import purge_hold
from landform.consent.models import ConsentRecord, ParentalConsent
from landform.core.db import utcnow
from landform.core.jobs.models import OutboxJob
from landform.core.mail import EmailMessage, queue_email
from landform.core.personal_data import anonymize
from landform.crm_sink.models import Activity, Contact, Submission
from landform.forms.models import SpamSubmission
from landform.privacy.fulfilment.export import held_submissions
from landform.privacy.labels import kind_labels
from landform.privacy.models import PrivacyExport, PrivacyRequest, RequestStatus
from landform.privacy.requests import audit
from landform.webhooks import notices

log = logging.getLogger(__name__)


def erase_person(session: Session, tenant_id: UUID, key: str) -> dict[str, int]:
    """Anonymize everything the tenant holds on the person with this e-mail key; counts by table.

    The contact, its submissions (and a minor's held one), timeline, consent records (kept as proof,
    personal fields emptied), spam with their address, e-mails to them with their jobs, their exports
    and their privacy requests. Held minors' data naming the address (as the child's or the parent's)
    is purged as refusal purges it.
    """
    counts: dict[str, int] = {}

    def count(name: str, n: int) -> None:
        counts[name] = counts.get(name, 0) + n

    contact_ids = list(session.execute(select(Contact.id).where(Contact.email_key == key)).scalars())
    submission_ids = list(
        session.execute(
            select(Submission.id).where(
                or_(Submission.contact_id.in_(contact_ids), *held_submissions(session, key))
            )
        ).scalars()
    )
    holds = list(
        session.execute(
            select(ParentalConsent).where(
                or_(
                    ParentalConsent.submission_id.in_(submission_ids),
                    func.lower(ParentalConsent.parent_email) == key,
                )
            )
        ).scalars()
    )
    for hold in holds:
        if hold.status == "pending":
            purge_hold(session, hold)
            count("held_minors_data", 1)
        else:
            submission_ids.append(hold.submission_id)
            table = ParentalConsent.__table__
            count("parental_consent", anonymize(session, table, table.c.id == hold.id))  # type: ignore[arg-type]
    session.flush()

    def wipe(model: Any, where: Any) -> None:
        table = model.__table__
        count(table.name, anonymize(session, table, (table.c.tenant_id == tenant_id) & where(table.c)))

    wipe(Contact, lambda c: c.id.in_(contact_ids))
    wipe(Submission, lambda c: c.id.in_(submission_ids))
    wipe(Activity, lambda c: or_(c.contact_id.in_(contact_ids), c.submission_id.in_(submission_ids)))
    wipe(ConsentRecord, lambda c: or_(c.contact_id.in_(contact_ids), c.submission_id.in_(submission_ids)))
    spam = session.execute(select(SpamSubmission.id, SpamSubmission.answers)).all()
    spam_ids = [row.id for row in spam if key in json.dumps(row.answers or {}, ensure_ascii=False).casefold()]
    wipe(SpamSubmission, lambda c: c.id.in_(spam_ids))
    message_ids = list(
        session.execute(
            select(EmailMessage.id).where(
                EmailMessage.tenant_id == tenant_id,
                or_(
                    func.lower(EmailMessage.recipient) == key,
                    # The team's e-mails about the person's lead (the owner's, a digest) name them too.
                    func.lower(EmailMessage.body_text).contains(key, autoescape=True),
                    *(EmailMessage.body_text.contains(str(cid)) for cid in contact_ids),
                ),
            )
        ).scalars()
    )
    wipe(EmailMessage, lambda c: c.id.in_(message_ids))
    jobs = OutboxJob.__table__
    count(
        "outbox_job",
        anonymize(session, jobs, jobs.c.subject_id.in_([*message_ids, *submission_ids])),  # type: ignore[arg-type]
    )
    request_ids = list(
        session.execute(
            select(PrivacyRequest.id).where(
                PrivacyRequest.tenant_id == tenant_id, PrivacyRequest.email_key == key
            )
        ).scalars()
    )
    exports = session.execute(delete(PrivacyExport).where(PrivacyExport.request_id.in_(request_ids)))
    count("privacy_export", int(exports.rowcount or 0))  # type: ignore[attr-defined]
    wipe(PrivacyRequest, lambda c: c.id.in_(request_ids))
    for eraser in hooks.erasers:
        count(getattr(eraser, "__name__", "other"), eraser(session, tenant_id, key, contact_ids))
    return counts


def erase(session: Session, request: PrivacyRequest, tenant: Tenant) -> None:
    """Erase, then tell the person in an e-mail that is itself emptied once it has gone out."""
    address, language, kind, key = request.email, request.language, request.kind, request.email_key
    # Read before the erasure empties them: the other systems find their copy by these.
    contact_ids = list(session.execute(select(Contact.id).where(Contact.email_key == key)).scalars())
    counts = erase_person(session, tenant.id, key)
    session.expire(request)  # its personal fields were just emptied by a Core statement
    request.status = RequestStatus.DONE
    request.completed_at = utcnow()
    audit(session, request, "erased")
    if notices.tell(session, "contact.erased", contact_ids, key, request_id=request.id):
        audit(session, request, "downstream_told")
    queue_email(
        session,
        to=address,
        template="privacy_done",
        language=language,
        tenant_id=tenant.id,
        forget_after_sending=True,
        organisation=tenant.name,
        kind=kind.value,
        kind_label=kind_labels()[kind],
        outcome="",
    )
    log.info("privacy: erased a person's data for tenant %s: %s", tenant.id, counts)
