"""Owner assignment: a new lead's contact gets the first matching rule's department, in turn among its
best-ranked members (round robin), or else the tenant's fallback owner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from landform.core.db import utcnow
from landform.crm_sink.assignment.models import Department, DepartmentMember, RoutingRule, RoutingSettings


class Lead(Protocol):
    """What the rules look at of a lead (`leads.reading.Lead`): its submission, country and company size."""

    @property
    def submission(self) -> Row[Any]: ...

    @property
    def country(self) -> str: ...

    @property
    def company_size(self) -> int | None: ...


@dataclass
class OwnerRules:
    """What assigning owners needs of one tenant's settings, read once per batch."""

    rules: list[Row[Any]]  # the tenant's RoutingRule rows, in order
    # department id -> the members of its best rank that has any, in a stable order
    turns: dict[UUID, list[UUID]]
    fallback_owner_id: UUID | None


def load_owner_rules(session: Session, tenant_id: UUID) -> OwnerRules:
    """One tenant's rules, departments and fallback owner, in Core statements (see `load_lead_settings`)."""
    connection = session.connection()
    rule_table = RoutingRule.__table__
    rules = list(
        connection.execute(
            select(rule_table)
            .where(rule_table.c.tenant_id == tenant_id)
            .order_by(rule_table.c.position, rule_table.c.created_at)
        )
    )
    turns: dict[UUID, list[UUID]] = {}
    best: dict[UUID, int] = {}
    member_table = DepartmentMember.__table__
    for member in connection.execute(
        select(member_table)
        .where(member_table.c.tenant_id == tenant_id)
        .order_by(member_table.c.rank, member_table.c.created_at, member_table.c.id)
    ):
        rank = best.setdefault(member.department_id, member.rank)
        if member.rank == rank:
            turns.setdefault(member.department_id, []).append(member.user_id)
    settings_table = RoutingSettings.__table__
    fallback = connection.execute(
        select(settings_table.c.fallback_owner_id).where(settings_table.c.tenant_id == tenant_id).limit(1)
    ).scalar()
    return OwnerRules(rules=rules, turns=turns, fallback_owner_id=fallback)


def rule_matches(rule: Row[Any], lead: Lead) -> bool:
    submission = lead.submission
    if rule.form_id is not None and rule.form_id != submission.form_id:
        return False
    if rule.country and rule.country != lead.country:
        return False
    if rule.min_company_size is not None or rule.max_company_size is not None:
        if lead.company_size is None:
            return False
        if rule.min_company_size is not None and lead.company_size < rule.min_company_size:
            return False
        if rule.max_company_size is not None and lead.company_size > rule.max_company_size:
            return False
    campaign = str((submission.context or {}).get("utm_campaign", "")).strip().casefold()
    return not rule.utm_campaign or rule.utm_campaign.strip().casefold() == campaign


def assign_owners(session: Session, config: OwnerRules, waiting: Sequence[tuple[Any, Lead]]) -> None:
    """Owners for contacts that have none: the first matching rule's department, in turn among its
    best-ranked members; otherwise the fallback owner. The speed-to-lead clock starts for each."""
    by_department: dict[UUID, list[Any]] = defaultdict(list)
    now = utcnow()
    for contact, lead in waiting:
        contact.owner_assigned_at = now
        rule = next((rule for rule in config.rules if rule_matches(rule, lead)), None)
        if rule is not None and config.turns.get(rule.department_id):
            by_department[rule.department_id].append(contact)
        else:
            contact.owner_id = config.fallback_owner_id
    for department_id in sorted(by_department):
        contacts = by_department[department_id]
        # The row lock taken by this UPDATE keeps concurrent batches from sharing a turn.
        turn = session.execute(
            update(Department)
            .where(Department.id == department_id)
            .values(turn=Department.turn + len(contacts))
            .returning(Department.turn)
            .execution_options(all_tenants=True)
        ).scalar_one()
        members = config.turns[department_id]
        first = turn - len(contacts)
        for offset, contact in enumerate(contacts):
            contact.owner_id = members[(first + offset) % len(members)]
            contact.department_id = department_id
