"""A tenant's periods (read, validated, saved), the daily job that removes what is due, and the outlook."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from babel.support import LazyProxy
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.core.db import sync_session, utcnow
from landform.core.i18n import gettext as _
from landform.core.settings import Settings
from landform.privacy.retention.kinds import BY_KEY, RetentionKind, active_kinds, purges
from landform.privacy.retention.models import RetentionPolicy

log = logging.getLogger(__name__)

# A purge that keeps returning rows stops after this many batches in one run; the next day goes on.
MAX_BATCHES = 500
OUTLOOK_DAYS = 30


class RetentionInvalid(Exception):
    """Periods out of their limits, by kind."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def periods_of(policy: RetentionPolicy | None) -> dict[str, int]:
    """Days per kind: the tenant's choice where it made one, else the default."""
    chosen = policy.periods if policy else {}
    return {kind.key: int(chosen.get(kind.key, kind.default_days)) for kind in BY_KEY.values()}


def policy_in(session: Session, tenant_id: UUID) -> RetentionPolicy | None:
    return session.execute(
        select(RetentionPolicy).where(RetentionPolicy.tenant_id == tenant_id)
    ).scalar_one_or_none()


async def policy_of(db: AsyncSession, tenant_id: UUID) -> RetentionPolicy | None:
    return await db.run_sync(policy_in, tenant_id)


def parse_periods(data: dict[str, str]) -> dict[str, int]:
    """Whole days within each kind's limits, from the settings form; RetentionInvalid names each problem.

    A kind the form did not send keeps its current period (save_periods merges): a page opened before a
    kind was added, or a client that sets one kind, changes only what it sent. A field sent empty is an
    error, not a silent default.
    """
    periods: dict[str, int] = {}
    errors: dict[str, str] = {}
    for kind in active_kinds():
        if kind.key not in data:
            continue
        raw = data[kind.key].strip()
        try:
            days = int(raw)
        except ValueError:
            errors[kind.key] = _("Enter a whole number of days.")
            continue
        if not kind.minimum_days <= days <= kind.maximum_days:
            errors[kind.key] = _(
                "Choose between %(low)d and %(high)d days.", low=kind.minimum_days, high=kind.maximum_days
            )
            continue
        periods[kind.key] = days
    if errors:
        raise RetentionInvalid(errors)
    return periods


async def save_periods(db: AsyncSession, tenant_id: UUID, user_id: UUID, periods: dict[str, int]) -> None:
    policy = await policy_of(db, tenant_id)
    if policy is None:
        policy = RetentionPolicy(tenant_id=tenant_id, periods={})
        db.add(policy)
    policy.periods = {**policy.periods, **periods}
    policy.updated_by_id = user_id


def stated_periods(periods: dict[str, int]) -> list[tuple[LazyProxy | str, LazyProxy | str]]:
    """The portal's lines for the tenant's own periods, in the visitor's language."""
    return [(str(kind.label), str(kind.stated) % {"days": periods[kind.key]}) for kind in active_kinds()]


@dataclass
class Outlook:
    kind: RetentionKind
    days: int
    # None: the kind's remover cannot count without removing.
    count: int | None


def outlook(session: Session, tenant_id: UUID, now: datetime | None = None) -> list[Outlook]:
    """How much of each kind becomes due within the next 30 days (at today's periods)."""
    now = now or utcnow()
    periods = periods_of(policy_in(session, tenant_id))
    wired = purges()
    rows = []
    for kind in active_kinds():
        days = periods[kind.key]
        counter = wired[kind.key].count_due
        before = now + timedelta(days=OUTLOOK_DAYS) - timedelta(days=days)
        rows.append(Outlook(kind, days, counter(session, tenant_id, before) if counter else None))
    return rows


def purge_tenant(settings: Settings, tenant_id: UUID, now: datetime) -> dict[str, int]:
    """Remove everything of one tenant that is past its period, a batch per transaction; counts by kind."""
    counts: dict[str, int] = {}
    with sync_session(settings.database.sync_url, tenant_id) as session:
        periods = periods_of(policy_in(session, tenant_id))
    for key, purge in purges().items():
        before = now - timedelta(days=periods[key])
        for _batch in range(MAX_BATCHES):
            with sync_session(settings.database.sync_url, tenant_id) as session:
                removed = purge.purge_due(session, tenant_id, before)
                session.commit()
            if not removed:
                break
            counts[key] = counts.get(key, 0) + removed
    return counts


def run_daily(settings: Settings) -> int:
    """The periodic job: every tenant's due data anonymized or deleted; logged as counts, never names."""
    now = utcnow()
    with sync_session(settings.database.sync_url) as session:
        tenants = list(session.execute(select(Tenant.id).execution_options(all_tenants=True)).scalars())
    total = 0
    for tenant_id in tenants:
        counts = purge_tenant(settings, tenant_id, now)
        if counts:
            log.info("retention: tenant %s: %s", tenant_id, counts)
            total += sum(counts.values())
    return total
