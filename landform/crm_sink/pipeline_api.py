"""The pipeline in the JSON API: deals (list, create, change), the tenant's stages, a contact's stage.

A deal's value is in euro cents (an integer: no rounding); its stage is one of `GET /pipeline/stages`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post, put
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import User
from landform.crm_sink.api import CURSOR, ONE_PROBLEMS, READ_PROBLEMS
from landform.crm_sink.models import Company, Contact
from landform.crm_sink.pipeline import deals, lifecycle, stages
from landform.crm_sink.pipeline.lifecycle import Invalid
from landform.crm_sink.pipeline.models import Deal, PipelineStage

Cents = Annotated[int, msgspec.Meta(ge=0, le=deals.MOST_CENTS, description="The value in euro cents")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=deals.NAME_MAX)]
Notes = Annotated[str, msgspec.Meta(max_length=deals.NOTES_MAX)]


class StageOut(msgspec.Struct):
    id: UUID
    name: str
    position: int
    outcome: Annotated[str, msgspec.Meta(description="open, won or lost")]


class DealOut(msgspec.Struct):
    id: UUID
    name: str
    value_cents: int
    currency: str
    stage_id: UUID
    expected_close_on: date | None
    owner_id: UUID | None
    contact_id: UUID | None
    company_id: UUID | None
    notes: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, deal: Deal) -> DealOut:
        values = {name: getattr(deal, name) for name in cls.__struct_fields__ if name != "currency"}
        return cls(**values, currency="EUR")


class DealPage(msgspec.Struct):
    data: list[DealOut]
    next_cursor: str | None


class DealIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    stage_id: UUID | None = None  # the first stage when left out
    value_cents: Cents = 0
    expected_close_on: date | None = None
    owner_id: UUID | None = None
    contact_id: UUID | None = None
    company_id: UUID | None = None
    notes: Notes = ""


class DealPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    stage_id: UUID | msgspec.UnsetType = msgspec.UNSET
    value_cents: Cents | msgspec.UnsetType = msgspec.UNSET
    expected_close_on: date | msgspec.UnsetType | None = msgspec.UNSET
    owner_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    contact_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    company_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    notes: Notes | msgspec.UnsetType = msgspec.UNSET


class StageIn(msgspec.Struct, forbid_unknown_fields=True):
    stage: Annotated[str, msgspec.Meta(description="lead, prospect, customer, not_a_fit or lost")]
    reason: Annotated[
        str, msgspec.Meta(max_length=lifecycle.REASON_MAX, description="Why: for not_a_fit and lost")
    ] = ""


class ContactStageOut(msgspec.Struct):
    id: UUID
    stage: str
    stage_reason: str


WRITE_PROBLEMS = ONE_PROBLEMS


def _refused(invalid: Invalid) -> ValidationException:
    return ValidationException(
        detail="; ".join(f"{key}: {message}" for key, message in invalid.errors.items()),
        extra=[{"key": key, "message": message} for key, message in invalid.errors.items()],
    )


def _checked_links(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """The ids a deal links to must be the tenant's own: Invalid naming the field otherwise."""
    for name, model in (
        ("stage_id", PipelineStage),
        ("owner_id", User),
        ("contact_id", Contact),
        ("company_id", Company),
    ):
        if values.get(name) is not None:
            deals.linked_id(session, model, str(values[name]), name, f"No {name[:-3]} with this id.")
    return values


class DealsApi(Controller):
    """Deals of the API key's tenant."""

    path = "/deals"
    tags = ["deals"]

    @get("/", responses=READ_PROBLEMS)
    async def list_deals(
        self,
        db: AsyncSession,
        stage_id: UUID | None = None,
        contact_id: UUID | None = None,
        company_id: UUID | None = None,
        owner_id: UUID | None = None,
        cursor: str = CURSOR,
        limit: int = Parameter(default=50, ge=1, le=500),
    ) -> DealPage:
        """Deals, newest first, optionally of one stage, contact, company or owner."""
        query = select(Deal)
        for column, value in (
            (Deal.stage_id, stage_id),
            (Deal.contact_id, contact_id),
            (Deal.company_id, company_id),
            (Deal.owner_id, owner_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if cursor:
            try:
                query = query.where(Deal.id < UUID(cursor))
            except ValueError:
                raise ValidationException(detail="cursor is not one this API gave out") from None
        rows = list((await db.execute(query.order_by(Deal.id.desc()).limit(limit + 1))).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        return DealPage(data=[DealOut.of(d) for d in rows], next_cursor=str(rows[-1].id) if more else None)

    @post("/", status_code=201, responses=WRITE_PROBLEMS)
    async def create_deal(self, db: AsyncSession, data: DealIn) -> DealOut:
        """Add a deal (in the first stage unless `stage_id` says which)."""
        values = msgspec.structs.asdict(data)
        values["name"] = " ".join(values["name"].split())

        def create(session: Session) -> Deal:
            if values["stage_id"] is None:
                values["stage_id"] = stages.tenant_stages(session)[0].id
            return deals.save_deal(session, Deal(), _checked_links(session, values))

        try:
            deal = await db.run_sync(create)
        except Invalid as invalid:
            raise _refused(invalid) from None
        await db.commit()
        return DealOut.of(deal)

    @get("/{deal_id:uuid}", responses=ONE_PROBLEMS)
    async def get_deal(self, db: AsyncSession, deal_id: UUID) -> DealOut:
        """One deal."""
        return DealOut.of(await _deal(db, deal_id))

    @patch("/{deal_id:uuid}", responses=WRITE_PROBLEMS)
    async def update_deal(self, db: AsyncSession, deal_id: UUID, data: DealPatch) -> DealOut:
        """Change the fields given (move a deal with `stage_id`); null empties a link or the date."""
        deal = await _deal(db, deal_id)
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if "name" in values:
            values["name"] = " ".join(values["name"].split())
        try:
            await db.run_sync(lambda s: deals.save_deal(s, deal, _checked_links(s, values)))
        except Invalid as invalid:
            raise _refused(invalid) from None
        await db.commit()
        return DealOut.of(deal)


async def _deal(db: AsyncSession, deal_id: UUID) -> Deal:
    deal = (await db.execute(select(Deal).where(Deal.id == deal_id))).scalar_one_or_none()
    if deal is None:
        raise NotFoundException(detail="No deal with this id.")
    return deal


class PipelineStagesApi(Controller):
    """The tenant's pipeline stages, in board order."""

    path = "/pipeline/stages"
    tags = ["deals"]

    @get("/", responses=READ_PROBLEMS)
    async def list_stages(self, db: AsyncSession) -> list[StageOut]:
        """Every stage a deal can be in."""
        found = await db.run_sync(stages.tenant_stages)
        await db.commit()
        return [StageOut(id=s.id, name=s.name, position=s.position, outcome=s.outcome) for s in found]


class StageApi(Controller):
    """A contact's lifecycle stage."""

    path = "/contacts"
    tags = ["contacts"]

    @put("/{contact_id:uuid}/stage", responses=WRITE_PROBLEMS)
    async def set_stage(self, db: AsyncSession, contact_id: UUID, data: StageIn) -> ContactStageOut:
        """Move a contact to a stage (a reason is required for not_a_fit and lost); on its timeline and sent
        as the `contact.stage_changed` webhook."""
        contact = (await db.execute(select(Contact).where(Contact.id == contact_id))).scalar_one_or_none()
        if contact is None:
            raise NotFoundException(detail="No contact with this id.")
        try:
            stage, reason = lifecycle.clean_stage(data.stage, data.reason)
        except Invalid as invalid:
            raise _refused(invalid) from None
        if await db.run_sync(lambda s: lifecycle.change_stage(s, contact, stage, reason, None)):
            await db.commit()
        return ContactStageOut(id=contact.id, stage=contact.stage, stage_reason=contact.stage_reason)
