"""Background jobs of the CRM sink."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.orm import Session

from landform.crm_sink import services
from landform.outbox import job


@job(max_retries=20, min_backoff=1_000, max_backoff=5 * 60_000, time_limit=60_000)
def route_submission(session: Session, submission_id: UUID) -> None:
    services.route_submission(session, submission_id)
