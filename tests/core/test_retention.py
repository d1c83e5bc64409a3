"""The hourly retention purge: finished jobs after a week, sent e-mails after thirty days."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from landform.core.db import utcnow
from landform.core.jobs.models import OutboxJob
from landform.core.mail import EmailMessage
from landform.core.retention import purge_expired


def _job(**times) -> OutboxJob:
    return OutboxJob(actor_name="deliver_email", subject_id=uuid.uuid4(), redispatch_at=utcnow(), **times)


def _email(sent_at) -> EmailMessage:
    return EmailMessage(recipient="r@example.com", subject="s", body_text="t", body_html="h", sent_at=sent_at)


def test_it_purges_what_has_outlived_its_purpose_and_nothing_else(settings, db):
    now = utcnow()
    old_done, recent_done, old_failed = (
        _job(done_at=now - timedelta(days=8)),
        _job(done_at=now - timedelta(days=1)),
        _job(failed_at=now - timedelta(days=60)),
    )
    old_mail, recent_mail, unsent_mail = _email(now - timedelta(days=31)), _email(now), _email(None)
    db.add_all([old_done, recent_done, old_failed, old_mail, recent_mail, unsent_mail])
    db.commit()

    assert purge_expired(settings) == {"outbox_jobs": 1, "emails": 1}
    assert purge_expired(settings) == {"outbox_jobs": 0, "emails": 0}  # twice is once
    db.expire_all()
    assert set(db.execute(select(OutboxJob.id)).scalars()) == {recent_done.id, old_failed.id}
    assert set(db.execute(select(EmailMessage.id)).scalars()) == {recent_mail.id, unsent_mail.id}
