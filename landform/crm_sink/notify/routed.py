"""After routing: the jobs that tell the owner (at once) and the team channel of each new lead."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import User
from landform.core.jobs.registry import add_job
from landform.crm_sink.assignment.models import RoutingSettings
from landform.crm_sink.models import Contact
from landform.crm_sink.notify.chat import CHATS, post_lead_to_chat
from landform.crm_sink.notify.owner_mail import IMMEDIATELY, notify_lead_owners

_CONTACTS = Contact.__table__
_USERS = User.__table__
_SETTINGS = RoutingSettings.__table__


def after_routing(session: Session, tenant_id: UUID, routed: list[tuple[UUID, UUID]]) -> None:
    """The router's hook: two statements for the whole batch, then a job per lead someone is told of.

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
    for submission_id, contact_id in routed:
        contact = contacts.get(contact_id)
        if contact is None:
            continue
        if contact.lead_notifications == IMMEDIATELY:
            add_job(session, notify_lead_owners.__name__, submission_id, tenant_id)
        if to_chat and not contact.do_not_contact:
            add_job(session, post_lead_to_chat.__name__, submission_id, tenant_id)
