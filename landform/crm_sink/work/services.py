"""The rules of notes, calls and tasks: what a valid one is, and what writing one does to the contact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import User
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.core.i18n import lazy_gettext
from landform.crm_sink.assignment.touch import touch
from landform.crm_sink.models import Activity, Company, Contact
from landform.crm_sink.work.models import CALL_OUTCOMES, WorkItem

BODY_LIMIT = 20_000
OUTCOME_LABELS = {
    "reached": lazy_gettext("Reached"),
    "voicemail": lazy_gettext("Voicemail"),
    "no_answer": lazy_gettext("No answer"),
    "busy": lazy_gettext("Busy"),
    "wrong_number": lazy_gettext("Wrong number"),
    "call_back": lazy_gettext("Asked to call back"),
}
_TAGS = {"p", "br", "strong", "em", "code", "a", "ul", "ol", "li", "blockquote", "pre", "hr", "h3", "h4"}
# Raw HTML in a note is not rendered at all; nh3 then cleans what Markdown produced (links stay http(s)).
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})


class WorkInvalid(ValueError):
    """What is wrong with a note, call or task, by form field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def render_body(text: str) -> Markup:
    """A note's Markdown as safe HTML."""
    html = nh3.clean(
        _MARKDOWN.render(text or ""),
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(html)  # noqa: S704 - cleaned by nh3 just above


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Amsterdam")


def local_today(timezone: str, now: datetime | None = None) -> date:
    """The day it is now where the user is."""
    return (now or utcnow()).astimezone(zone(timezone)).date()


@dataclass
class Entry:
    """What the form asked to write: the text and, by kind, the outcome or the due day and assignee."""

    kind: str
    body: str
    outcome: str = ""
    due_on: date | None = None
    assignee_id: UUID | None = None
    errors: dict[str, str] = field(default_factory=dict)


def clean(kind: str, data: dict[str, str], team: set[UUID]) -> Entry:
    """The form's values checked; raises WorkInvalid naming each field that is wrong."""
    entry = Entry(kind=kind, body=data.get("body", "").strip())
    errors: dict[str, str] = {}
    if kind != "call" and not entry.body:
        errors["body"] = _("Write something first.") if kind == "note" else _("Say what is to be done.")
    if len(entry.body) > BODY_LIMIT:
        errors["body"] = _("At most %(n)d characters, please.", n=BODY_LIMIT)
    if kind == "call":
        entry.outcome = data.get("outcome", "")
        if entry.outcome not in CALL_OUTCOMES:
            errors["outcome"] = _("Choose how the call went.")
    if kind == "task":
        try:
            entry.due_on = date.fromisoformat(data.get("due_on", "").strip())
        except ValueError:
            errors["due_on"] = _("Give the due date as a date (YYYY-MM-DD).")
        try:
            entry.assignee_id = UUID(data.get("assignee_id", ""))
        except ValueError:
            entry.assignee_id = None
        if entry.assignee_id not in team:
            errors["assignee_id"] = _("Choose someone of your team.")
    if errors:
        raise WorkInvalid(errors)
    return entry


def _on_timeline(
    session: Session, contact: Contact, kind: str, item: WorkItem, user: User, **extra: Any
) -> None:
    now = utcnow()
    session.add(
        Activity(
            tenant_id=contact.tenant_id,
            contact_id=contact.id,
            kind=kind,
            occurred_at=now,
            details={"item_id": str(item.id), "by": user.full_name, **extra},
        )
    )
    contact.last_activity_at = now


def write(session: Session, contact: Contact, user: User, entry: Entry) -> WorkItem:
    """Write a note, call or task on the contact and its timeline; a note or call touches the lead."""
    item = WorkItem(
        tenant_id=contact.tenant_id,
        kind=entry.kind,
        contact_id=contact.id,
        author_id=user.id,
        body=entry.body,
        outcome=entry.outcome,
        due_on=entry.due_on,
        assignee_id=entry.assignee_id,
    )
    session.add(item)
    session.flush()
    if entry.kind == "task":
        _on_timeline(
            session,
            contact,
            "task_added",
            item,
            user,
            due_on=entry.due_on.isoformat() if entry.due_on else "",
        )
    else:
        _on_timeline(session, contact, entry.kind, item, user, outcome=entry.outcome)
        touch(session, contact, user.id, "note" if entry.kind == "note" else "call")
    return item


def write_on_company(session: Session, company: Company, user: User, entry: Entry) -> WorkItem:
    """Write a note, call or task about a company (it has no timeline; its page lists them)."""
    item = WorkItem(
        tenant_id=company.tenant_id,
        kind=entry.kind,
        company_id=company.id,
        author_id=user.id,
        body=entry.body,
        outcome=entry.outcome,
        due_on=entry.due_on,
        assignee_id=entry.assignee_id,
    )
    session.add(item)
    session.flush()
    return item


def write_on_deal(
    session: Session,
    deal_id: UUID,
    contact: Contact | None,
    company: Company | None,
    user: User,
    entry: Entry,
) -> WorkItem:
    """Write a note, call or task about a deal: on its contact's timeline too (a touch, as there), else
    about its company. The deal is passed by id: deals live in their own module, which imports this one."""
    if contact is not None:
        item = write(session, contact, user, entry)
    elif company is not None:
        item = write_on_company(session, company, user, entry)
    else:
        item = WorkItem(
            tenant_id=user.tenant_id,
            kind=entry.kind,
            author_id=user.id,
            body=entry.body,
            outcome=entry.outcome,
            due_on=entry.due_on,
            assignee_id=entry.assignee_id,
        )
        session.add(item)
    item.deal_id = deal_id
    session.flush()
    return item


def for_deal(session: Session, deal_id: UUID) -> list[WorkItem]:
    """The deal's notes, calls and tasks, newest first."""
    return list(
        session.scalars(
            select(WorkItem).where(WorkItem.deal_id == deal_id).order_by(WorkItem.created_at.desc())
        )
    )


def for_company(session: Session, company_id: UUID) -> list[WorkItem]:
    """The company's own notes, calls and tasks, newest first."""
    return list(
        session.scalars(
            select(WorkItem).where(WorkItem.company_id == company_id).order_by(WorkItem.created_at.desc())
        )
    )


def set_done(session: Session, item: WorkItem, user: User, done: bool) -> None:
    """Tick a task off (it goes on the timeline and touches the lead) or open it again."""
    if done == (item.done_at is not None):
        return  # a second click, or a page that was open twice
    item.done_at = utcnow() if done else None
    contact = session.get(Contact, item.contact_id) if item.contact_id else None
    if contact is not None:
        _on_timeline(session, contact, "task_done" if done else "task_reopened", item, user)
        if done:
            touch(session, contact, user.id, "task")


def for_contact(session: Session, contact_id: UUID) -> list[WorkItem]:
    """The contact's notes, calls and tasks, newest first."""
    return list(
        session.scalars(
            select(WorkItem).where(WorkItem.contact_id == contact_id).order_by(WorkItem.created_at.desc())
        )
    )


@dataclass
class MyTasks:
    """One user's open tasks as they see them today, and the contacts they are about."""

    overdue: list[WorkItem]
    today: list[WorkItem]
    upcoming: list[WorkItem]
    done: list[WorkItem]
    contacts: dict[UUID, Contact]
    companies: dict[UUID, Company]


def my_tasks(session: Session, user_id: UUID, today: date) -> MyTasks:
    """Open tasks assigned to the user: overdue, due today, upcoming; and the last ones done."""
    mine = (WorkItem.kind == "task", WorkItem.assignee_id == user_id)
    open_tasks = list(
        session.scalars(
            select(WorkItem)
            .where(*mine, WorkItem.done_at.is_(None))
            .order_by(WorkItem.due_on, WorkItem.created_at)
        )
    )
    done = list(
        session.scalars(
            select(WorkItem)
            .where(*mine, WorkItem.done_at.is_not(None))
            .order_by(WorkItem.done_at.desc())
            .limit(10)
        )
    )
    ids = {t.contact_id for t in [*open_tasks, *done] if t.contact_id}
    contacts = {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(ids)))} if ids else {}
    firms = {t.company_id for t in [*open_tasks, *done] if t.company_id}
    companies = (
        {c.id: c for c in session.scalars(select(Company).where(Company.id.in_(firms)))} if firms else {}
    )
    return MyTasks(
        overdue=[t for t in open_tasks if t.due_on and t.due_on < today],
        today=[t for t in open_tasks if t.due_on == today],
        upcoming=[t for t in open_tasks if not t.due_on or t.due_on > today],
        done=done,
        contacts=contacts,
        companies=companies,
    )


def due_by(session: Session, user_id: UUID, day: date) -> list[tuple[WorkItem, Contact | None]]:
    """Open tasks of the user due on or before the day (the morning e-mail's list)."""
    rows = session.execute(
        select(WorkItem, Contact)
        .outerjoin(Contact, Contact.id == WorkItem.contact_id)
        .where(
            WorkItem.kind == "task",
            WorkItem.assignee_id == user_id,
            WorkItem.done_at.is_(None),
            WorkItem.due_on <= day,
        )
        .order_by(WorkItem.due_on, WorkItem.created_at)
    ).all()
    return [(item, contact) for item, contact in rows]
