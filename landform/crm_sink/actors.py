"""Background jobs of the CRM sink."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.orm import Session

from landform.core.jobs.registry import batch_job
from landform.crm_sink import routing

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
    return routing.route_submissions(session, submission_ids)
