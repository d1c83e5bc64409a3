"""The kinds of data a tenant sets a retention period for, with defaults, limits and why.

A kind is shown (settings, portal, outlook, record of processing) once something removes it: the purges
of this module for leads and spam, and whatever the wiring adds to `hooks.retention_purges` (one line per
kind: unfinished answers, uploaded files).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from babel.support import LazyProxy
from sqlalchemy import ColumnElement, exists, func, not_, select
from sqlalchemy.orm import Session

from landform import hooks
from landform.core.i18n import gettext as _
from landform.core.i18n import lazy_gettext
from landform.crm_sink.models import Contact
from landform.forms.models import SpamSubmission
from landform.forms.spam_folder.services import SPAM_KEPT_DAYS
from landform.privacy.fulfilment.erase import erase_person
from landform.privacy.models import OPEN_STATUSES, PrivacyRequest

# Each run removes at most this many of a kind per call, then commits, so one big backlog never holds a
# long transaction (the job calls again until nothing is due).
BATCH = 200


@dataclass(frozen=True)
class RetentionKind:
    key: str
    label: LazyProxy
    # What is removed and how, and why the limits are what they are (shown under the field).
    explanation: LazyProxy
    # How the privacy portal states the period to the people whose data it is ("%(days)d" days).
    stated: LazyProxy
    default_days: int
    minimum_days: int
    maximum_days: int


KINDS = (
    RetentionKind(
        key="inactive_leads",
        stated=lazy_gettext(
            "%(days)d days after your last form answer or contact with the organisation, then anonymized"
        ),
        label=lazy_gettext("Leads with no activity"),
        explanation=lazy_gettext(
            "A contact with no new form answer or other activity for this long is anonymized the way an "
            "erasure request does it: the name, e-mail address and answers are emptied, the counts in your "
            "reports stay. No law sets a minimum for leads; the GDPR asks you to keep them no longer than "
            "you need them. Keep invoices and contracts of customers (7 years for the tax authorities) in "
            "your accounts, not here."
        ),
        default_days=730,
        minimum_days=30,
        maximum_days=3650,
    ),
    RetentionKind(
        key="spam",
        stated=lazy_gettext("%(days)d days, then deleted"),
        label=lazy_gettext("Submissions in the spam folder"),
        # Formatted when shown, in the reader's language (a LazyProxy's % would format it at import).
        explanation=LazyProxy(
            lambda: _(
                "Deleted for good. At least 7 days, so a real lead caught by mistake can still be released; "
                "at most %(days)d days, the most Landform keeps them for anyone.",
                days=SPAM_KEPT_DAYS,
            ),
            enable_cache=False,
        ),
        default_days=SPAM_KEPT_DAYS,
        minimum_days=7,
        maximum_days=SPAM_KEPT_DAYS,
    ),
    RetentionKind(
        key="unfinished",
        stated=lazy_gettext("%(days)d days after you saved them, then deleted"),
        label=lazy_gettext("Unfinished answers saved to resume later"),
        explanation=lazy_gettext(
            "Deleted for good. A visitor who saved a form to finish later can come back within this time; "
            "at most 90 days, as nobody expects a half-filled form to be kept longer."
        ),
        default_days=30,
        minimum_days=1,
        maximum_days=90,
    ),
    RetentionKind(
        key="uploads",
        stated=lazy_gettext("%(days)d days, then deleted"),
        label=lazy_gettext("Files uploaded with form answers"),
        explanation=lazy_gettext(
            "Deleted for good; the form answer itself stays. At least 30 days, so your team can open them."
        ),
        default_days=365,
        minimum_days=30,
        maximum_days=3650,
    ),
)

BY_KEY = {kind.key: kind for kind in KINDS}


def _inactive(tenant_id: UUID, before: datetime) -> list[ColumnElement[bool]]:
    return [
        Contact.tenant_id == tenant_id,
        func.coalesce(Contact.last_activity_at, Contact.created_at) < before,
        # Erased already (by a request or an earlier run): its key is the erasure marker.
        not_(Contact.email_key.like("erased-%@invalid")),
        # A person whose request is still being answered keeps their data until it is (erasure would
        # empty the request itself).
        ~exists().where(
            PrivacyRequest.tenant_id == tenant_id,
            PrivacyRequest.email_key == Contact.email_key,
            PrivacyRequest.status.in_(OPEN_STATUSES),
        ),
    ]


def purge_inactive_leads(session: Session, tenant_id: UUID, before: datetime) -> int:
    """Anonymize up to a batch of contacts whose last activity is older than `before`, as erasure does."""
    keys = session.execute(select(Contact.email_key).where(*_inactive(tenant_id, before)).limit(BATCH))
    done = 0
    for key in keys.scalars().all():
        erase_person(session, tenant_id, key)
        done += 1
    return done


def count_inactive_leads(session: Session, tenant_id: UUID, before: datetime) -> int:
    return session.execute(
        select(func.count()).select_from(Contact).where(*_inactive(tenant_id, before))
    ).scalar_one()


def purge_spam(session: Session, tenant_id: UUID, before: datetime) -> int:
    ids = (
        select(SpamSubmission.id)
        .where(SpamSubmission.tenant_id == tenant_id, SpamSubmission.created_at < before)
        .limit(BATCH)
    )
    rows = list(session.execute(ids).scalars())
    for row in session.execute(select(SpamSubmission).where(SpamSubmission.id.in_(rows))).scalars():
        session.delete(row)
    session.flush()
    return len(rows)


def count_spam(session: Session, tenant_id: UUID, before: datetime) -> int:
    return session.execute(
        select(func.count())
        .select_from(SpamSubmission)
        .where(SpamSubmission.tenant_id == tenant_id, SpamSubmission.created_at < before)
    ).scalar_one()


BUILT_IN = (
    hooks.RetentionPurge("inactive_leads", purge_inactive_leads, count_inactive_leads),
    hooks.RetentionPurge("spam", purge_spam, count_spam),
)


def purges() -> dict[str, hooks.RetentionPurge]:
    """What removes each kind that has a remover, in the order of KINDS."""
    found = {purge.kind: purge for purge in (*BUILT_IN, *hooks.retention_purges)}
    return {kind.key: found[kind.key] for kind in KINDS if kind.key in found}


def active_kinds() -> list[RetentionKind]:
    """The kinds something removes: the ones a tenant sets and the portal states."""
    wired = purges()
    return [kind for kind in KINDS if kind.key in wired]
