"""The spam folder's rules: release a false positive into the CRM, forget the rest after 30 days."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.core.db import sync_session, utcnow
from landform.core.i18n import gettext as _
from landform.core.settings import Settings
from landform.crm_sink.models import Submission
from landform.forms.builder.services import FormInvalid
from landform.forms.fields import SubmissionInvalid
from landform.forms.intake import pipeline
from landform.forms.models import Form, SpamSubmission

SPAM_KEPT_DAYS = 30


async def release_spam(db: AsyncSession, form: Form, spam: SpamSubmission, country: str) -> Submission:
    """A person judged it genuine: route it into the CRM like any submission."""
    if spam.released_at is not None:
        raise FormInvalid(_("This submission was released already."))
    version = await pipeline.live_version(db, form)
    spec: pipeline.FormSpec = version or form
    try:
        submission = await pipeline.accept_submission(
            db,
            form,
            spec,
            form.published_version,
            dict(spam.answers),
            pipeline.SubmissionContext(source="released", language=spam.context.get("language", "nl")),
            country,
        )
    except SubmissionInvalid as invalid:
        problems = "; ".join(invalid.errors.values())
        raise FormInvalid(_("It cannot be released as it is: %(problems)s", problems=problems)) from invalid
    spam.released_at = utcnow()
    return submission


def purge_old_spam(session: Session) -> int:
    """Forget suspected spam after 30 days (runs for every tenant)."""
    cutoff = utcnow() - timedelta(days=SPAM_KEPT_DAYS)
    result = session.execute(
        delete(SpamSubmission).where(SpamSubmission.created_at < cutoff).execution_options(all_tenants=True)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def purge_old_spam_job(settings: Settings) -> int:
    """The scheduled purge of suspected spam older than 30 days."""
    with sync_session(settings.database.sync_url) as session:
        purged = purge_old_spam(session)
        session.commit()
    return purged
