"""Counting views and submissions without slowing the request down: in memory, written in batches.

Each process keeps its counts in memory and adds them to the daily rows every few seconds with one
multi-row upsert (`views = views + excluded.views`), so a busy page costs a dictionary update per view
instead of a write. Several processes add to the same rows safely. A failed write keeps its counts
for the next attempt; what a crash loses is at most one interval of views (never a lead: submissions
themselves are stored by the intake, these are only their counts).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from landform.analytics.models import TrafficDay, Visit

log = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0
UTM_MAX = 100

Key = tuple[UUID, date, str, UUID, str, str, str]


def utm_of(values: Mapping[str, Any]) -> tuple[str, str, str]:
    """UTM source, medium and campaign as counted: trimmed, lower case, at most 100 characters."""

    def clean(name: str) -> str:
        value = values.get(name)
        return value.strip().casefold()[:UTM_MAX] if isinstance(value, str) else ""

    return clean("utm_source"), clean("utm_medium"), clean("utm_campaign")


@dataclass
class Counter:
    """The process's counts not yet written, and the background task writing them."""

    engine: AsyncEngine
    counts: defaultdict[Key, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    visits: list[dict[str, Any]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def view(self, tenant_id: UUID, kind: str, subject_id: UUID, utm: tuple[str, str, str]) -> None:
        self.counts[self._key(tenant_id, kind, subject_id, utm)][0] += 1

    def submission(self, tenant_id: UUID, kind: str, subject_id: UUID, utm: tuple[str, str, str]) -> None:
        self.counts[self._key(tenant_id, kind, subject_id, utm)][1] += 1

    def visit(
        self, tenant_id: UUID, visitor_id: str, page_id: UUID, utm: tuple[str, str, str], referrer_host: str
    ) -> None:
        now = datetime.now(UTC)
        self.visits.append(
            {
                "id": uuid7(),
                "tenant_id": tenant_id,
                "visitor_id": visitor_id,
                "page_id": page_id,
                "occurred_at": now,
                "utm": " / ".join(part for part in utm if part)[:300],
                "referrer_host": referrer_host[:255],
                "created_at": now,
                "updated_at": now,
            }
        )

    @staticmethod
    def _key(tenant_id: UUID, kind: str, subject_id: UUID, utm: tuple[str, str, str]) -> Key:
        return (tenant_id, datetime.now(UTC).date(), kind, subject_id, *utm)

    async def flush(self) -> None:
        """Write what was counted since the last flush; on failure keep it for the next one."""
        counts, self.counts = self.counts, defaultdict(lambda: [0, 0])
        visits, self.visits = self.visits, []
        if not counts and not visits:
            return
        try:
            async with AsyncSession(self.engine) as session:
                if counts:
                    await session.execute(_upsert(session, counts).execution_options(all_tenants=True))
                if visits:
                    await session.execute(
                        _insert(session, Visit).values(visits).execution_options(all_tenants=True)
                    )
                await session.commit()
        except Exception:
            log.warning("analytics: could not write %d counters, keeping them for the next try", len(counts))
            for key, (views, submissions) in counts.items():
                self.counts[key][0] += views
                self.counts[key][1] += submissions
            self.visits[:0] = visits

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            await self.flush()

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()


def _insert(session: AsyncSession, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def _upsert(session: AsyncSession, counts: Mapping[Key, list[int]]) -> Any:
    now = datetime.now(UTC)
    rows = [
        {
            "id": uuid7(),
            "tenant_id": tenant_id,
            "day": day,
            "kind": kind,
            "subject_id": subject_id,
            "source": source,
            "medium": medium,
            "campaign": campaign,
            "views": views,
            "submissions": submissions,
            "created_at": now,
            "updated_at": now,
        }
        for (tenant_id, day, kind, subject_id, source, medium, campaign), (
            views,
            submissions,
        ) in counts.items()
    ]
    statement = _insert(session, TrafficDay).values(rows)
    table = TrafficDay.__table__
    return statement.on_conflict_do_update(
        index_elements=["tenant_id", "day", "kind", "subject_id", "source", "medium", "campaign"],
        set_={
            "views": table.c.views + statement.excluded.views,
            "submissions": table.c.submissions + statement.excluded.submissions,
            "updated_at": statement.excluded.updated_at,
        },
    )
