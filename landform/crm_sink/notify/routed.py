"""After routing: one job for the owners' e-mails and one for the team channel per routed batch.

A job per lead cost routing a row, a message and a run for every lead (half its throughput); a batch's
leads are one `RoutedBatch` row and at most two jobs, which group the e-mails per owner and the chat
post per batch, within the same minute.
"""

from __future__ import annotations

from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from landform.accounts.models import User
from landform.core.db import utcnow
from landform.core.jobs.registry import add_job, job
from landform.crm_sink.assignment.models import RoutingSettings
from landform.crm_sink.models import Contact
from landform.crm_sink.notify.chat import CHATS, post_leads_to_chat
from landform.crm_sink.notify.models import RoutedBatch, batch_submissions
from landform.crm_sink.notify.owner_mail import IMMEDIATELY, notify_lead_owners

_CONTACTS = Contact.__table__
_USERS = User.__table__
_SETTINGS = RoutingSettings.__table__


def after_routing(session: Session, tenant_id: UUID, routed: list[tuple[UUID, UUID]]) -> None:
    """The router's hook: two reads for the whole batch, then one row and at most two jobs.

    Written in the router's transaction, so a batch routed again after a crash adds them once.
    """
    if not routed:
        return
    connection = session.connection()
    contacts = {
        row.id: row
        for row in connection.execute(
            select(_CONTACTS.c.id, _CONTACTS.c.do_not_contact, _USERS.c.lead_notifications)
            .outerjoin(_USERS, _USERS.c.id == _CONTACTS.c.owner_id)
            .where(_CONTACTS.c.tenant_id == tenant_id, _CONTACTS.c.id.in_({cid for _sid, cid in routed}))
        )
    }
    chat = connection.execute(
        select(_SETTINGS.c.chat_webhook_url, _SETTINGS.c.chat_kind).where(_SETTINGS.c.tenant_id == tenant_id)
    ).first()
    to_chat = chat is not None and bool(chat.chat_webhook_url) and chat.chat_kind in CHATS
    told = [
        (submission_id, contact)
        for submission_id, contact_id in routed
        if (contact := contacts.get(contact_id)) is not None
    ]
    mail = any(contact.lead_notifications == IMMEDIATELY for _sid, contact in told)
    post = to_chat and any(not contact.do_not_contact for _sid, contact in told)
    if not (mail or post):
        return
    batch_id, now = uuid7(), utcnow()
    connection.execute(
        insert(RoutedBatch).values(
            id=batch_id,
            tenant_id=tenant_id,
            submission_ids=[str(submission_id) for submission_id, _contact in told],
            created_at=now,
            updated_at=now,
        )
    )
    if mail:
        add_job(session, notify_routed_batch.__name__, batch_id, tenant_id)
    if post:
        add_job(session, post_leads_to_chat.__name__, batch_id, tenant_id)


@job(max_retries=10, min_backoff=5_000, max_backoff=10 * 60_000, time_limit=120_000, max_age=24 * 3_600_000)
def notify_routed_batch(session: Session, batch_id: UUID) -> None:
    """E-mail the owners of a routed batch's leads who want each lead at once (a burst is one e-mail).

    A lead erased since is left out; the others are still told.
    """
    notify_lead_owners(session, batch_submissions(session, batch_id))
