"""Deals: what a person may enter (validated), money in euros, the board's columns and the forecast."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from babel.numbers import NumberFormatError, format_currency, parse_decimal
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landform.accounts.guards import MANAGERS
from landform.accounts.models import Role, User
from landform.core.i18n import get_language
from landform.core.i18n import gettext as _
from landform.crm_sink.models import Company, Contact
from landform.crm_sink.pipeline.lifecycle import Invalid
from landform.crm_sink.pipeline.models import Deal, PipelineStage

NAME_MAX = 200
NOTES_MAX = 5000
# A billion euros: beyond that a value is a typing mistake, and it keeps sums far from BigInteger's end.
MOST_CENTS = 100_000_000_000
# The board shows this many cards per stage (the soonest to close first); the column's total counts all.
CARDS_PER_STAGE = 100


def euros(cents: int | None, language: str | None = None) -> str:
    """An amount as the language writes it: "€ 12.500,00" (nl), "€12,500.00" (en)."""
    return format_currency(Decimal(cents or 0) / 100, "EUR", locale=language or get_language())


def parse_euros(text: str, language: str | None = None) -> int:
    """What a person typed, as cents, in their language: "€ 1.250,50" (Dutch), "1,250.50" (English)."""
    cleaned = text.replace("€", "").replace("EUR", "").replace("\u00a0", "").replace(" ", "").strip()
    if not cleaned:
        return 0
    try:
        amount = parse_decimal(cleaned, locale=language or get_language(), strict=True)
    except (NumberFormatError, InvalidOperation):
        raise Invalid(
            {
                "value_cents": _(
                    "Write the value as an amount in euros, like %(example)s.", example=euros(1250050)
                )
            }
        ) from None
    return cents_of(amount)


def cents_of(amount: Decimal) -> int:
    if not amount.is_finite() or amount < 0 or amount * 100 > MOST_CENTS:
        raise Invalid({"value_cents": _("The value must be an amount of euros from 0 up to a billion.")})
    return int((amount * 100).quantize(Decimal(1)))


def may_edit_deal(user: User, deal: Deal) -> bool:
    """Sales reps work their own deals; everyone else may work every deal."""
    return user.role != Role.SALES_REP or deal.owner_id == user.id


def _date(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(
            {"expected_close_on": _("Give the expected close date as a date (YYYY-MM-DD).")}
        ) from None


def linked_id(session: Session, model: Any, text: str, field_name: str, message: str) -> UUID | None:
    if not text.strip():
        return None
    try:
        ident = UUID(text.strip())
    except ValueError:
        raise Invalid({field_name: message}) from None
    if session.execute(select(model.id).where(model.id == ident)).first() is None:
        raise Invalid({field_name: message})
    return ident


def clean_deal(session: Session, form: Any, user: User, language: str | None = None) -> dict[str, Any]:
    """The values of a deal form (dashboard) as stored, or Invalid with a message per field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def take(name: str, clean: Any) -> None:
        try:
            values[name] = clean(str(form.get(name) or ""))
        except Invalid as invalid:
            errors.update(invalid.errors)

    def name(text: str) -> str:
        text = " ".join(text.split())
        if not text:
            raise Invalid({"name": _("Give the deal a name.")})
        if len(text) > NAME_MAX:
            raise Invalid({"name": _("Keep the name under %(max)d characters.", max=NAME_MAX)})
        return text

    def notes(text: str) -> str:
        if len(text) > NOTES_MAX:
            raise Invalid({"notes": _("Keep the notes under %(max)d characters.", max=NOTES_MAX)})
        return text.strip()

    take("name", name)
    take("value_cents", lambda text: parse_euros(text, language))
    take(
        "stage_id",
        lambda t: linked_id(session, PipelineStage, t, "stage_id", _("Choose a stage of your pipeline.")),
    )
    take("expected_close_on", _date)
    take("owner_id", lambda t: linked_id(session, User, t, "owner_id", _("Choose someone of your team.")))
    take(
        "contact_id",
        lambda t: linked_id(session, Contact, t, "contact_id", _("Choose one of your contacts.")),
    )
    take(
        "company_id",
        lambda t: linked_id(session, Company, t, "company_id", _("Choose one of your companies.")),
    )
    take("notes", notes)
    if "stage_id" in values and values["stage_id"] is None:
        errors["stage_id"] = _("Choose a stage of your pipeline.")
    if user.role == Role.SALES_REP and values.get("owner_id") not in (None, user.id):
        errors["owner_id"] = _("Sales reps own the deals they make.")
    if errors:
        raise Invalid(errors)
    if user.role == Role.SALES_REP:
        values["owner_id"] = user.id
    return values


def save_deal(session: Session, deal: Deal, values: dict[str, Any]) -> Deal:
    """Apply cleaned values; a contact's deal is their company's unless another was chosen."""
    for name, value in values.items():
        setattr(deal, name, value)
    if deal.contact_id and not deal.company_id:
        deal.company_id = session.execute(
            select(Contact.company_id).where(Contact.id == deal.contact_id)
        ).scalar_one_or_none()
    if deal not in session:
        session.add(deal)
    session.flush()
    return deal


def may_manage_stages(user: User) -> bool:
    return user.role in MANAGERS


@dataclass
class Column:
    """One stage of the board: its first cards, how many deals it holds and what they are worth."""

    stage: PipelineStage
    deals: list[Deal] = field(default_factory=list)
    count: int = 0
    total_cents: int = 0


def board(session: Session, stages: list[PipelineStage], owner_id: UUID | None = None) -> list[Column]:
    """The board's columns in stage order, optionally of one owner's deals."""
    mine = [Deal.owner_id == owner_id] if owner_id else []
    columns = {stage.id: Column(stage) for stage in stages}
    totals = session.execute(
        select(Deal.stage_id, func.count(Deal.id), func.coalesce(func.sum(Deal.value_cents), 0))
        .where(*mine)
        .group_by(Deal.stage_id)
    ).tuples()
    for stage_id, count, total in totals:
        if stage_id in columns:
            columns[stage_id].count, columns[stage_id].total_cents = int(count), int(total)
    for column in columns.values():
        if column.count:
            column.deals = list(
                session.execute(
                    select(Deal)
                    .where(Deal.stage_id == column.stage.id, *mine)
                    .order_by(Deal.expected_close_on.is_(None), Deal.expected_close_on, Deal.id)
                    .limit(CARDS_PER_STAGE)
                ).scalars()
            )
    return list(columns.values())


def names_for(session: Session, deals: list[Deal]) -> dict[UUID, str]:
    """Who and what the deals are linked to, by id (contacts, companies, owners), for cards and lists."""
    names: dict[UUID, str] = {}
    contact_ids = {d.contact_id for d in deals if d.contact_id}
    company_ids = {d.company_id for d in deals if d.company_id}
    owner_ids = {d.owner_id for d in deals if d.owner_id}
    if contact_ids:
        for contact in session.execute(select(Contact).where(Contact.id.in_(contact_ids))).scalars():
            names[contact.id] = contact.full_name or contact.email
    if company_ids:
        names.update(
            session.execute(select(Company.id, Company.name).where(Company.id.in_(company_ids)))
            .tuples()
            .all()
        )
    if owner_ids:
        for user in session.execute(select(User).where(User.id.in_(owner_ids))).scalars():
            names[user.id] = user.full_name or user.email
    return names


def deals_of(
    session: Session, *, contact_id: UUID | None = None, company_id: UUID | None = None
) -> list[Deal]:
    """A contact's or a company's deals, the soonest to close first."""
    where = Deal.contact_id == contact_id if contact_id else Deal.company_id == company_id
    query = select(Deal).where(where).order_by(Deal.expected_close_on.is_(None), Deal.expected_close_on)
    return list(session.execute(query.limit(200)).scalars())


def deals_text(session: Session, contact_ids: list[UUID]) -> dict[UUID, str]:
    """For the contacts CSV: each contact's deals in words ("Roof 40 panels (€ 12.500,00, Proposal sent)")."""
    found: dict[UUID, list[str]] = defaultdict(list)
    rows = session.execute(
        select(Deal.contact_id, Deal.name, Deal.value_cents, PipelineStage.name)
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(Deal.contact_id.in_(contact_ids))
        .order_by(Deal.created_at)
    ).tuples()
    for contact_id, name, cents, stage in rows:
        if contact_id is not None:  # selected by it
            found[contact_id].append(f"{name} ({euros(cents)}, {stage})")
    return {contact_id: "; ".join(texts) for contact_id, texts in found.items()}


@dataclass
class Forecast:
    """Deal values by stage and month of expected close, in cents; `undated` for deals without a date."""

    months: list[date]
    stages: list[PipelineStage]
    cells: dict[tuple[UUID, date], int]
    undated: dict[UUID, int]
    # Per month: what open and won deals are worth (lost deals are not expected money).
    expected: dict[date, int]

    def row_total(self, stage_id: UUID) -> int:
        return sum(self.cells.get((stage_id, m), 0) for m in self.months) + self.undated.get(stage_id, 0)

    @property
    def most_expected(self) -> int:
        return max(self.expected.values(), default=0)


def _month_add(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def forecast(session: Session, stages: list[PipelineStage], start: date, months: int = 12) -> Forecast:
    """The forecast for `months` months from `start`'s month: a sum per stage and month."""
    first = start.replace(day=1)
    columns = [_month_add(first, i) for i in range(months)]
    end = _month_add(first, months)
    rows = session.execute(
        select(Deal.stage_id, Deal.expected_close_on, func.sum(Deal.value_cents))
        .where(
            (Deal.expected_close_on.is_(None))
            | ((Deal.expected_close_on >= first) & (Deal.expected_close_on < end))
        )
        .group_by(Deal.stage_id, Deal.expected_close_on)
    ).tuples()
    cells: dict[tuple[UUID, date], int] = defaultdict(int)
    undated: dict[UUID, int] = defaultdict(int)
    for stage_id, closing, total in rows:
        if closing is None:
            undated[stage_id] += int(total or 0)
        else:
            cells[(stage_id, closing.replace(day=1))] += int(total or 0)
    counted = {stage.id for stage in stages if stage.outcome != "lost"}
    expected = {month: sum(cells.get((stage_id, month), 0) for stage_id in counted) for month in columns}
    return Forecast(columns, stages, dict(cells), dict(undated), expected)
