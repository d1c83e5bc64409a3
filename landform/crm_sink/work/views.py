"""What a contact's page needs to show its notes, calls and tasks (crm_sink/work/_contact_work.html)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import User
from landform.crm_sink.models import Company, Contact
from landform.crm_sink.work import services
from landform.crm_sink.work.models import CALL_OUTCOMES, WorkItem


async def work_context(db: AsyncSession, contact: Contact) -> dict[str, Any]:
    """The contact's items (for the timeline, by id), its open tasks, and the team to assign one to."""
    items = await db.run_sync(services.for_contact, contact.id)
    return await _context(db, items, f"/app/contacts/{contact.id}")


async def company_work_context(db: AsyncSession, company: Company) -> dict[str, Any]:
    """As a contact's, and the notes and calls listed on the card: a company has no timeline."""
    items = await db.run_sync(services.for_company, company.id)
    context = await _context(db, items, f"/app/companies/{company.id}")
    return {**context, "work_log": [item for item in items if item.kind != "task"]}


async def deal_work_context(db: AsyncSession, deal_id: UUID) -> dict[str, Any]:
    """As a company's: a deal's page lists its notes and calls on the card."""
    items = await db.run_sync(services.for_deal, deal_id)
    context = await _context(db, items, f"/app/deals/{deal_id}")
    return {**context, "work_log": [item for item in items if item.kind != "task"]}


async def _context(db: AsyncSession, items: list[WorkItem], base: str) -> dict[str, Any]:
    team = list((await db.execute(select(User).order_by(User.first_name, User.last_name))).scalars())
    return {
        "work_base": base,
        "work_items": {str(item.id): item for item in items},
        "open_tasks": [item for item in reversed(items) if item.kind == "task" and item.done_at is None],
        "work_team": {user.id: user for user in team},
        "call_outcomes": [(key, services.OUTCOME_LABELS[key]) for key in CALL_OUTCOMES],
        "render_body": services.render_body,
        "outcome_label": lambda key: services.OUTCOME_LABELS.get(key, key),
    }
