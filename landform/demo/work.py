"""The demo's notes, calls and tasks: the owner has tasks for today (and one overdue) on the demo's leads,
a lead has a note and a logged call, and a department passes untouched leads on after four working hours.

Idempotent: once the demo has any work item it is left as it is.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landform.accounts.models import Role, User
from landform.crm_sink.assignment.models import Department
from landform.crm_sink.assignment.speed import working_week
from landform.crm_sink.models import Contact, Submission
from landform.crm_sink.work import services
from landform.crm_sink.work.models import WorkItem

TASKS = (
    (0, "Offerte voor 12 panelen sturen"),
    (0, "Terugbellen over de dakscan"),
    (-1, "Bevestiging van de afspraak mailen"),
    (3, "Na de installatie vragen hoe het gaat"),
)


def seed_work(session: Session) -> None:
    if session.execute(select(WorkItem.id).limit(1)).first() is not None:
        return
    owner = session.execute(select(User).where(User.role == Role.OWNER)).scalars().first()
    contacts = list(
        session.execute(select(Contact).order_by(Contact.created_at, Contact.id).limit(6)).scalars()
    )
    if owner is None or not contacts:
        return
    today = services.local_today(owner.timezone)
    for n, (days, body) in enumerate(TASKS):
        entry = services.Entry(
            kind="task", body=body, due_on=today + timedelta(days=days), assignee_id=owner.id
        )
        services.write(session, contacts[n % len(contacts)], owner, entry)
    first = contacts[0]
    services.write(
        session,
        first,
        owner,
        services.Entry(kind="note", body="Wil **voor de zomer** panelen; dak op het zuiden."),
    )
    services.write(
        session, first, owner, services.Entry(kind="call", body="Voicemail ingesproken.", outcome="voicemail")
    )
    # Time to first touch for the report: each demo lead arrived when its form was sent (the seed routes
    # them all at once) and was picked up minutes to hours later.
    sent = dict(
        session.execute(
            select(Submission.contact_id, func.min(Submission.created_at)).group_by(Submission.contact_id)
        ).all()
    )
    week = working_week(session)
    for n, contact in enumerate(contacts):
        contact.created_at = min(contact.created_at, sent.get(contact.id, contact.created_at))
        # The first stays untouched: a lead the department's clock is running for.
        if n and contact.first_touched_at is None:
            contact.first_touched_at = week.add(contact.created_at, 25 * n * n)
    for department in session.execute(select(Department).where(Department.name == "Particulieren")).scalars():
        department.touch_within_minutes = 4 * 60
    session.flush()
