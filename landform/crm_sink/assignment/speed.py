"""Speed to lead enforced: a lead its owner has not touched in time passes to the next rep of its department.

Time is counted in the tenant's working week (`hours.WorkingWeek`); the clock starts when the owner got
the lead (`Contact.owner_assigned_at`) and stops at their first touch (`touch.touch`). A periodic job finds
the leads that are due, in batches, and each is handed on under a condition (still untouched, still that
owner), so two runs at once hand a lead on once. Both reps are told by e-mail, in their own language.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from landform.accounts.models import User
from landform.core.db import sync_session, utcnow
from landform.core.mail import queue_email
from landform.core.settings import Settings
from landform.crm_sink.assignment.hours import WorkingWeek
from landform.crm_sink.assignment.models import Department, DepartmentMember, RoutingSettings
from landform.crm_sink.models import Activity, Contact

BATCH = 200


def working_week(session: Session) -> WorkingWeek:
    """The tenant's working week (Monday to Friday, 09:00 to 17:00, Amsterdam until it sets its own)."""
    settings = session.scalars(select(RoutingSettings).limit(1)).first()
    if settings is None:
        return WorkingWeek.of("Europe/Amsterdam", "12345", "09:00", "17:00")
    return WorkingWeek.of(settings.timezone, settings.work_days, settings.work_start, settings.work_end)


def reassign_untouched(settings: Settings) -> int:
    """The periodic job: every tenant's due leads handed on; how many were."""
    with sync_session(settings.database.sync_url) as session:
        tenants = list(
            session.execute(
                select(Department.tenant_id)
                .where(Department.touch_within_minutes.is_not(None))
                .distinct()
                .execution_options(all_tenants=True)
            ).scalars()
        )
    handed_on = 0
    for tenant_id in tenants:
        with sync_session(settings.database.sync_url, tenant_id) as session:
            handed_on += reassign_due(session, utcnow())
    return handed_on


def reassign_due(session: Session, now: datetime) -> int:
    """One tenant's leads that are due at `now`, handed on, batch by batch (each batch committed)."""
    week = working_week(session)
    handed_on = 0
    for department in list(
        session.scalars(select(Department).where(Department.touch_within_minutes.is_not(None)))
    ):
        minutes = department.touch_within_minutes or 0
        while True:
            waiting = list(
                session.scalars(
                    select(Contact)
                    .where(
                        Contact.department_id == department.id,
                        Contact.first_touched_at.is_(None),
                        Contact.owner_id.is_not(None),
                        Contact.owner_assigned_at.is_not(None),
                        Contact.owner_assigned_at <= now,
                    )
                    .order_by(Contact.owner_assigned_at, Contact.id)
                    .limit(BATCH)
                )
            )
            # The same allowance for every lead of the department: the earliest given is the first due.
            due = [
                c for c in waiting if c.owner_assigned_at and week.add(c.owner_assigned_at, minutes) <= now
            ]
            for contact in due:
                handed_on += _hand_on(session, department, contact, now, minutes)
            session.commit()
            if len(due) < len(waiting) or len(waiting) < BATCH:
                break
    return handed_on


def _next_member(session: Session, department: Department, current: UUID) -> UUID | None:
    """The department's next rep in turn among its best rank, never the one who let the lead wait."""
    members = list(
        session.execute(
            select(DepartmentMember.user_id, DepartmentMember.rank)
            .where(DepartmentMember.department_id == department.id)
            .order_by(DepartmentMember.rank, DepartmentMember.created_at, DepartmentMember.id)
        ).all()
    )
    others = [m for m in members if m.user_id != current]
    if not others:
        return None
    best = [m.user_id for m in others if m.rank == others[0].rank]
    # The same turn counter routing uses (taken under the row's lock), so handed-on leads are spread too.
    turn = session.execute(
        update(Department)
        .where(Department.id == department.id)
        .values(turn=Department.turn + 1)
        .returning(Department.turn)
    ).scalar_one()
    return best[(turn - 1) % len(best)]


def _hand_on(session: Session, department: Department, contact: Contact, now: datetime, minutes: int) -> int:
    previous_id = contact.owner_id
    if previous_id is None:
        return 0
    new_id = _next_member(session, department, previous_id)
    if new_id is None:
        # Nobody else to pass it to: the clock starts again, so the lead is not found due at every run.
        contact.owner_assigned_at = now
        return 0
    claimed = session.execute(
        update(Contact)
        .where(Contact.id == contact.id, Contact.owner_id == previous_id, Contact.first_touched_at.is_(None))
        .values(owner_id=new_id, owner_assigned_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return 0  # touched or handed on by someone else meanwhile
    session.expire(contact)
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_([previous_id, new_id])))}
    previous, new = people.get(previous_id), people[new_id]
    session.add(
        Activity(
            tenant_id=contact.tenant_id,
            contact_id=contact.id,
            kind="reassigned",
            occurred_at=now,
            details={
                "from": previous.full_name if previous else "?",
                "to": new.full_name,
                "reason": "untouched",
                "minutes": minutes,
            },
        )
    )
    lead = {
        "name": contact.full_name,
        "email": contact.email,
        "company": contact.company_name,
        "contact_id": contact.id,
        "department": department.name,
    }
    for user, template in ((new, "lead_handed_to"), (previous, "lead_handed_from")):
        if user is None:
            continue
        queue_email(
            session,
            to=user.email,
            template=template,
            language=user.language,
            tenant_id=user.tenant_id,
            name=user.first_name,
            other=(previous.full_name if previous else "?") if user is new else new.full_name,
            lead=lead,
        )
    return 1
