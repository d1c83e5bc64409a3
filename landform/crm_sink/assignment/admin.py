"""Changing how leads are routed: departments and their members, rules in order, the fallback owner, and
each form's field mapping (the dashboard's side; `routing.py` applies them)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import User
from landform.core.i18n import gettext as _
from landform.core.text import normalize_text
from landform.crm_sink.assignment.channel import check_channel
from landform.crm_sink.assignment.models import (
    Department,
    DepartmentMember,
    FieldMapping,
    RoutingRule,
    RoutingSettings,
)
from landform.crm_sink.fields import COMPANY_TARGETS, CONTACT_TARGETS, TARGETS
from landform.hooks import FormSummary

RANKS = range(1, 10)


class RoutingInvalid(ValueError):
    """A routing change that cannot be made as asked; the message says why, in the user's language."""


@dataclass
class Overview:
    departments: list[Department]
    members: dict[UUID, list[DepartmentMember]]
    rules: list[RoutingRule]
    users: dict[UUID, User]
    fallback_owner_id: UUID | None
    chat_kind: str = ""
    chat_webhook_url: str = ""


async def overview(db: AsyncSession) -> Overview:
    departments = list((await db.execute(select(Department).order_by(Department.name))).scalars())
    members: dict[UUID, list[DepartmentMember]] = {d.id: [] for d in departments}
    for member in (
        await db.execute(
            select(DepartmentMember).order_by(DepartmentMember.rank, DepartmentMember.created_at)
        )
    ).scalars():
        members.setdefault(member.department_id, []).append(member)
    rules = list(
        (
            await db.execute(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.created_at))
        ).scalars()
    )
    users = {u.id: u for u in (await db.execute(select(User).order_by(User.first_name))).scalars()}
    settings = (await db.execute(select(RoutingSettings))).scalar_one_or_none()
    if settings is None:
        return Overview(departments, members, rules, users, None)
    return Overview(
        departments,
        members,
        rules,
        users,
        settings.fallback_owner_id,
        settings.chat_kind,
        settings.chat_webhook_url,
    )


def _uuid(raw: str, message: str) -> UUID:
    try:
        return UUID(raw.strip())
    except ValueError as error:
        raise RoutingInvalid(message) from error


def _rank(raw: str) -> int:
    if not raw.strip().isdigit() or int(raw) not in RANKS:
        raise RoutingInvalid(_("A rank is a number from 1 (gets leads first) to 9."))
    return int(raw)


async def _user(db: AsyncSession, raw: str) -> User:
    user = (
        await db.execute(select(User).where(User.id == _uuid(raw, _("Choose a person."))))
    ).scalar_one_or_none()
    if user is None:
        raise RoutingInvalid(_("Choose a person."))
    return user


async def department(db: AsyncSession, department_id: UUID) -> Department | None:
    return (await db.execute(select(Department).where(Department.id == department_id))).scalar_one_or_none()


async def add_department(db: AsyncSession, raw_name: str) -> Department:
    name = normalize_text(raw_name)[:100]
    if not name:
        raise RoutingInvalid(_("Give the department a name."))
    taken = (await db.execute(select(Department.id).where(Department.name == name))).first()
    if taken:
        raise RoutingInvalid(_("There is a department with this name already."))
    created = Department(name=name, turn=0)
    db.add(created)
    return created


async def add_member(db: AsyncSession, department: Department, data: dict[str, str]) -> None:
    user = await _user(db, data.get("user_id", ""))
    rank = _rank(data.get("rank", "1"))
    existing = (
        await db.execute(
            select(DepartmentMember).where(
                DepartmentMember.department_id == department.id, DepartmentMember.user_id == user.id
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        existing.rank = rank
        return
    db.add(DepartmentMember(department_id=department.id, user_id=user.id, rank=rank))


async def member(db: AsyncSession, member_id: UUID) -> DepartmentMember | None:
    return (
        await db.execute(select(DepartmentMember).where(DepartmentMember.id == member_id))
    ).scalar_one_or_none()


def set_rank(member: DepartmentMember, raw: str) -> None:
    member.rank = _rank(raw)


async def add_rule(db: AsyncSession, data: dict[str, str], forms: list[FormSummary]) -> RoutingRule:
    found = await department(db, _uuid(data.get("department_id", ""), _("Choose a department.")))
    if found is None:
        raise RoutingInvalid(_("Choose a department."))
    form_id = None
    if data.get("form_id", "").strip():
        form_id = _uuid(data["form_id"], _("Choose one of your forms."))
        if form_id not in {form.id for form in forms}:
            raise RoutingInvalid(_("Choose one of your forms."))
    country = normalize_text(data.get("country", "")).upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise RoutingInvalid(_("A country is two letters, like NL or BE."))
    sizes = []
    for key in ("min_company_size", "max_company_size"):
        raw = normalize_text(data.get(key, ""))
        if raw and (not raw.isdigit() or len(raw) > 9):
            raise RoutingInvalid(_("A company size is a whole number of employees."))
        sizes.append(int(raw) if raw else None)
    if sizes[0] is not None and sizes[1] is not None and sizes[0] > sizes[1]:
        raise RoutingInvalid(_("The smallest company size is larger than the largest."))
    last = (await db.execute(select(func.max(RoutingRule.position)))).scalar_one_or_none()
    rule = RoutingRule(
        position=(last or 0) + 1,
        department_id=found.id,
        form_id=form_id,
        country=country,
        min_company_size=sizes[0],
        max_company_size=sizes[1],
        utm_campaign=normalize_text(data.get("utm_campaign", ""))[:200],
    )
    db.add(rule)
    return rule


async def rule(db: AsyncSession, rule_id: UUID) -> RoutingRule | None:
    return (await db.execute(select(RoutingRule).where(RoutingRule.id == rule_id))).scalar_one_or_none()


async def move_rule(db: AsyncSession, moved: RoutingRule, offset: int) -> None:
    """Up (-1) or down (+1) one place; every rule is renumbered, so positions stay 1..n."""
    rules = list(
        (
            await db.execute(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.created_at))
        ).scalars()
    )
    index = rules.index(moved)
    target = min(max(index + offset, 0), len(rules) - 1)
    rules.insert(target, rules.pop(index))
    for position, each in enumerate(rules, start=1):
        each.position = position


async def set_fallback(db: AsyncSession, raw_user_id: str) -> None:
    owner_id = (await _user(db, raw_user_id)).id if raw_user_id.strip() else None
    settings = (await db.execute(select(RoutingSettings))).scalar_one_or_none()
    if settings is None:
        db.add(RoutingSettings(fallback_owner_id=owner_id))
    else:
        settings.fallback_owner_id = owner_id


def default_owner(session: Session, tenant_id: UUID, owner_id: UUID) -> None:
    """A new account's owner gets the leads no rule places: a one-person company has nobody else."""
    session.add(RoutingSettings(tenant_id=tenant_id, fallback_owner_id=owner_id))


async def set_chat(db: AsyncSession, kind: str, url: str) -> None:
    """The team channel told of every new lead (an empty address: none); checked as webhook endpoints are."""
    url = url.strip()
    errors = await asyncio.to_thread(check_channel, kind, url)
    if errors:
        raise RoutingInvalid(" ".join(errors.values()))
    settings = (await db.execute(select(RoutingSettings))).scalar_one_or_none()
    if settings is None:
        settings = RoutingSettings()
        db.add(settings)
    settings.chat_kind, settings.chat_webhook_url = (kind, url) if url else ("", "")


async def mappings(db: AsyncSession, form_id: UUID) -> dict[str, FieldMapping]:
    rows = await db.execute(select(FieldMapping).where(FieldMapping.form_id == form_id))
    return {m.target: m for m in rows.scalars()}


DEFAULT = "__default__"


async def save_mapping(db: AsyncSession, form: FormSummary, data: dict[str, Any]) -> None:
    """Per CRM field: the form's own choice (no row), nothing, or one of its fields; and overwrite or not."""
    field_names = {name for name, _label in form.fields}
    current = await mappings(db, form.id)
    for target in TARGETS:
        key = target.replace(".", "__")
        choice = str(data.get(f"field_{key}", DEFAULT))
        overwrite = data.get(f"overwrite_{key}") == "on"
        if choice == DEFAULT:
            if target in current:
                await db.delete(current[target])
            continue
        if choice and choice not in field_names:
            raise RoutingInvalid(_("Choose one of this form's fields."))
        row = current.get(target)
        if row is None:
            db.add(FieldMapping(form_id=form.id, target=target, field_name=choice, overwrite=overwrite))
        else:
            row.field_name, row.overwrite = choice, overwrite


def target_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The CRM fields a form can fill, grouped for the mapping screen: (group label, [(target, label)])."""
    return [
        (_("Contact"), [(f"contact.{name}", str(label)) for name, label in CONTACT_TARGETS.items()]),
        (_("Company"), [(f"company.{name}", str(label)) for name, label in COMPANY_TARGETS.items()]),
    ]
