"""The routing job: writing it for a submission (the intake, a released hold) and running it in batches."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.core.db import Base
from landform.core.jobs.fastpath import store_with_job
from landform.core.jobs.registry import add_job, batch_job
from landform.crm_sink.leads.writing import route_submissions
from landform.crm_sink.models import Submission

# A submission's job is a kick: the worker routes it with up to BATCH others that wait.
BATCH = 500


@batch_job(
    size=BATCH,
    max_retries=20,
    min_backoff=1_000,
    max_backoff=5 * 60_000,
    time_limit=120_000,
    # An old message is dropped: its job row is still pending and the sweep sends it again.
    max_age=6 * 3_600_000,
)
def route_submission(session: Session, submission_ids: list[UUID]) -> dict[UUID, str]:
    return route_submissions(session, submission_ids)


# A job is named by its function; the name is stored with every pending job row.
ROUTING_JOB = route_submission.__name__


def enqueue_routing(session: Session, submission_id: UUID, tenant_id: UUID) -> None:
    """Write the routing job of a stored submission in the caller's transaction (sent once it commits)."""
    add_job(session, ROUTING_JOB, submission_id, tenant_id)


async def store_with_routing(db: AsyncSession, submission: Submission, with_it: Sequence[Base]) -> None:
    """Store a new submission, the rows given with it and its routing job in one statement, committed
    (the intake's fast path: `landform.core.jobs.store_with_job`)."""
    await store_with_job(db, [submission, *with_it], ROUTING_JOB)
