"""Background jobs of the webhooks: one attempt to deliver one event to one endpoint."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.orm import Session

from landform.core.jobs.registry import job
from landform.webhooks import delivery


# Failures of the receiver are not errors of the job: the attempt is logged and the next one scheduled
# (see delivery.deliver). dramatiq's own retries only cover our side failing (database, a crash).
@job(max_retries=5, min_backoff=5_000, max_backoff=5 * 60_000, time_limit=60_000, max_age=24 * 3600_000)
def deliver_webhook(session: Session, delivery_id: UUID) -> None:
    delivery.deliver(session, delivery_id)
