"""The tenant's own pipeline stages: made from defaults on first use, then added, renamed, reordered, removed.

A stage that still holds deals is removed only with a stage to move them to: no deal is lost.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.core.i18n import gettext as _
from landform.crm_sink.pipeline.lifecycle import Invalid
from landform.crm_sink.pipeline.models import OUTCOMES, Deal, PipelineStage

# (English name, Dutch name, outcome): a small B2B sale, as most tenants would start.
DEFAULTS = (
    ("New", "Nieuw", "open"),
    ("Qualified", "Gekwalificeerd", "open"),
    ("Proposal sent", "Offerte verstuurd", "open"),
    ("Negotiation", "Onderhandeling", "open"),
    ("Won", "Gewonnen", "won"),
    ("Lost", "Verloren", "lost"),
)
NAME_MAX = 60
MOST_STAGES = 20


def tenant_stages(session: Session) -> list[PipelineStage]:
    """The session's tenant's stages in board order; the defaults (tenant's language) at first."""
    stages = list(session.execute(select(PipelineStage).order_by(PipelineStage.position)).scalars())
    if stages:
        return stages
    stages = _defaults(session, session.info["tenant_id"])
    session.add_all(stages)
    session.flush()
    return stages


def _defaults(session: Session, tenant_id: UUID) -> list[PipelineStage]:
    dutch = session.get_one(Tenant, tenant_id).default_language == "nl"
    return [
        PipelineStage(tenant_id=tenant_id, name=nl if dutch else en, position=index, outcome=outcome)
        for index, (en, nl, outcome) in enumerate(DEFAULTS)
    ]


def default_stages(session: Session, tenant_id: UUID, owner_id: UUID) -> None:
    """A new account's board starts with the default stages."""
    session.add_all(_defaults(session, tenant_id))


def _clean(session: Session, name: str, outcome: str, stage: PipelineStage | None = None) -> tuple[str, str]:
    name = " ".join(name.split())
    if not name:
        raise Invalid({"name": _("Give the stage a name.")})
    if len(name) > NAME_MAX:
        raise Invalid({"name": _("Keep the name under %(max)d characters.", max=NAME_MAX)})
    if outcome not in OUTCOMES:
        raise Invalid({"outcome": _("Choose whether deals in this stage are open, won or lost.")})
    same = select(PipelineStage.id).where(func.lower(PipelineStage.name) == name.casefold())
    if stage is not None:
        same = same.where(PipelineStage.id != stage.id)
    if session.execute(same).first() is not None:
        raise Invalid({"name": _("There is already a stage called “%(name)s”.", name=name)})
    return name, outcome


def add_stage(session: Session, name: str, outcome: str) -> PipelineStage:
    stages = tenant_stages(session)
    if len(stages) >= MOST_STAGES:
        raise Invalid({"name": _("A pipeline has at most %(max)d stages.", max=MOST_STAGES)})
    name, outcome = _clean(session, name, outcome)
    stage = PipelineStage(name=name, outcome=outcome, position=stages[-1].position + 1)
    session.add(stage)
    session.flush()
    return stage


def rename_stage(session: Session, stage: PipelineStage, name: str, outcome: str) -> None:
    stage.name, stage.outcome = _clean(session, name, outcome, stage)


def move_stage(session: Session, stage: PipelineStage, direction: str) -> None:
    """One place left ("up") or right ("down") on the board."""
    stages = tenant_stages(session)
    index = next(i for i, s in enumerate(stages) if s.id == stage.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(stages):
        return
    stages[index], stages[other] = stages[other], stages[index]
    for position, each in enumerate(stages):
        each.position = position


def remove_stage(session: Session, stage: PipelineStage, move_to: PipelineStage | None) -> int:
    """Remove a stage, its deals moved to `move_to` first; how many deals moved."""
    stages = tenant_stages(session)
    if len(stages) == 1:
        raise Invalid({"stage": _("A pipeline needs at least one stage.")})
    held = session.execute(select(func.count(Deal.id)).where(Deal.stage_id == stage.id)).scalar_one()
    if held and (move_to is None or move_to.id == stage.id):
        raise Invalid({"move_to": _("Choose another stage for the deals in “%(name)s”.", name=stage.name)})
    if held and move_to is not None:
        session.execute(update(Deal).where(Deal.stage_id == stage.id).values(stage_id=move_to.id))
    session.delete(stage)
    session.flush()
    return int(held)
