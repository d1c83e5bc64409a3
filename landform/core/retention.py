"""Retention purges that belong to no single domain: finished jobs, old e-mails, expired sessions.

Each purge deletes rows older than a cut-off, so running it twice, or on two workers at once,
has the effect of running it once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from litestar.stores.file import FileStore
from sqlalchemy import delete

from landform.core.db import sync_session, utcnow
from landform.core.jobs.models import OutboxJob
from landform.core.mail import EmailMessage
from landform.core.settings import Settings

log = logging.getLogger(__name__)

# Finished jobs only explain the recent past; failed ones stay until a person has looked.
DONE_JOBS_KEPT = timedelta(days=7)
# Sent e-mails hold names, addresses and links; the local outbox and support need only the recent ones.
SENT_EMAILS_KEPT = timedelta(days=30)


def purge_expired(settings: Settings) -> dict[str, int]:
    """Delete what has outlived its purpose; how many of each."""
    now = utcnow()
    with sync_session(settings.database.sync_url) as session:
        jobs = session.execute(delete(OutboxJob).where(OutboxJob.done_at < now - DONE_JOBS_KEPT))
        emails = session.execute(delete(EmailMessage).where(EmailMessage.sent_at < now - SENT_EMAILS_KEPT))
        session.commit()
    purged = {"outbox_jobs": jobs.rowcount, "emails": emails.rowcount}  # type: ignore[attr-defined]
    sessions = settings.data_dir / "stores" / "sessions"
    if not settings.queue.redis_url and sessions.is_dir():
        # Redis expires sessions by itself; the embedded default's file store needs telling.
        asyncio.run(FileStore(sessions).delete_expired())
    log.info("retention: purged %s", purged)
    return purged
