"""The morning e-mail: at about 07:00 in each user's own time zone, the tasks due that day and overdue.

Only for users who asked for it on their profile (`User.task_mail`), once a local day (`task_mail_on`,
claimed with a conditional update so two workers send it once), and only when there is something to do.
"""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from landform.accounts.models import User
from landform.core.db import sync_session, utcnow
from landform.core.mail import queue_email
from landform.core.settings import Settings
from landform.crm_sink.work import services

SEND_FROM = time(7, 0)
# A morning e-mail, not an evening one: switched on (or a worker back) after noon, the first comes tomorrow.
SEND_UNTIL = time(12, 0)
LISTED = 50


def send_task_mails(settings: Settings) -> int:
    """Every quarter of an hour: the users whose morning has come and who have not had today's e-mail."""
    now = utcnow()
    with sync_session(settings.database.sync_url) as session:
        users = session.execute(
            select(User.id, User.tenant_id, User.timezone, User.task_mail_on)
            .where(User.task_mail.is_(True))
            .execution_options(all_tenants=True)
        ).all()
    sent = 0
    for user_id, tenant_id, timezone, last in users:
        local = now.astimezone(services.zone(timezone))
        if not SEND_FROM <= local.time() < SEND_UNTIL or (last is not None and last >= local.date()):
            continue
        with sync_session(settings.database.sync_url, tenant_id) as session:
            sent += _morning_mail(session, user_id, last, local.date(), now)
    return sent


def _morning_mail(session: Session, user_id: UUID, last: date | None, today: date, now: datetime) -> int:
    claimed = session.execute(
        update(User)
        .where(User.id == user_id, or_(User.task_mail_on.is_(None), User.task_mail_on < today))
        .values(task_mail_on=today)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return 0
    tasks = services.due_by(session, user_id, today)
    if tasks:
        user = session.get_one(User, user_id)
        queue_email(
            session,
            to=user.email,
            template="task_digest",
            language=user.language,
            tenant_id=user.tenant_id,
            name=user.first_name,
            today=today,
            count=len(tasks),
            overdue=sum(1 for item, _contact in tasks if item.due_on and item.due_on < today),
            tasks=[
                {
                    "body": item.body,
                    "due_on": item.due_on,
                    "overdue": bool(item.due_on and item.due_on < today),
                    "contact": (contact.full_name or contact.email) if contact else "",
                    "contact_id": contact.id if contact else None,
                }
                for item, contact in tasks[:LISTED]
            ],
        )
    session.commit()
    return 1 if tasks else 0
