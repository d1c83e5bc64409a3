"""The owner's e-mail of a new lead: at once (within a minute of routing), or in an hourly or daily digest.

Each user chooses on their profile (`User.lead_notifications`). The e-mail is in the owner's language and
stays inside the team, so a do-not-contact person's lead is announced too: the CRM must still know of it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from landform.accounts.models import LEAD_NOTIFICATIONS, Tenant, User
from landform.core.db import rls_all_tenants, rls_tenant, scope_to_tenant, sync_session, utcnow
from landform.core.jobs.models import PermanentJobError
from landform.core.jobs.registry import batch_job
from landform.core.mail import queue_email
from landform.core.settings import Settings
from landform.crm_sink.models import Activity, Contact, Submission
from landform.crm_sink.notify.summary import LeadSummary, summarize

IMMEDIATELY, HOURLY, DAILY = LEAD_NOTIFICATIONS[:3]
DIGEST_PERIODS = {HOURLY: timedelta(hours=1), DAILY: timedelta(days=1)}
# The hourly run starts a minute or so late now and then; a digest a few minutes early is still on time.
_SLACK = timedelta(minutes=5)
_SUBMISSIONS = Submission.__table__
# A digest lists this many leads; the rest are counted, the CRM has them all.
DIGEST_LISTED = 50
# Up to this many leads for one owner in one batch each get their own e-mail with the answers; more (an
# import, a campaign's first minute) is one e-mail listing them, not a flood.
BURST = 10


@batch_job(
    size=200,
    max_retries=10,
    min_backoff=5_000,
    max_backoff=10 * 60_000,
    time_limit=120_000,
    max_age=24 * 3_600_000,
)
def notify_lead_owners(session: Session, submission_ids: list[UUID]) -> dict[UUID, str]:
    """E-mail routed leads to their owners who want each lead at once; returns the leads that are gone.

    A batch job, like routing: one transaction for many leads, each tenant's with row-level security set
    to it, in a session scoped to it on the same connection (as webhooks' events are written).
    """
    connection = session.connection()
    rls_all_tenants(connection, True)
    tenants = dict(
        connection.execute(
            select(_SUBMISSIONS.c.id, _SUBMISSIONS.c.tenant_id).where(_SUBMISSIONS.c.id.in_(submission_ids))
        )
        .tuples()
        .all()
    )
    if not session.info.get("all_tenants"):
        rls_all_tenants(connection, False)
    failed = {sid: f"submission {sid} no longer exists" for sid in submission_ids if sid not in tenants}
    by_tenant: dict[UUID, list[UUID]] = defaultdict(list)
    for submission_id, tenant_id in tenants.items():
        by_tenant[tenant_id].append(submission_id)
    for tenant_id in sorted(by_tenant):
        rls_tenant(connection, tenant_id)
        with Session(bind=connection) as scoped:
            scope_to_tenant(scoped, tenant_id)
            failed |= _notify_tenant(scoped, by_tenant[tenant_id])
            scoped.flush()
            # Their delivery jobs go to the broker when the batch's transaction commits.
            session.info.setdefault("outbox_to_send", []).extend(scoped.info.pop("outbox_to_send", []))
    return failed


def _notify_tenant(session: Session, submission_ids: list[UUID]) -> dict[UUID, str]:
    # Loaded in three statements; `summarize` then finds them in the session.
    submissions = list(session.scalars(select(Submission).where(Submission.id.in_(submission_ids))))
    contact_ids = {s.contact_id for s in submissions if s.contact_id}
    contacts = list(session.scalars(select(Contact).where(Contact.id.in_(contact_ids))))
    owners = {
        user.id: user
        for user in session.scalars(
            select(User).where(User.id.in_({c.owner_id for c in contacts if c.owner_id}))
        )
    }
    by_id = {s.id: s for s in submissions}
    failed: dict[UUID, str] = {}
    # Leads of one batch grouped by owner: a burst (more than BURST) is one e-mail listing them.
    waiting: dict[UUID, list[tuple[Submission, LeadSummary]]] = defaultdict(list)
    for submission_id in submission_ids:
        try:
            lead = summarize(session, submission_id)
        except PermanentJobError as gone:
            failed[submission_id] = str(gone)
            continue
        owner = owners.get(lead.owner_id) if lead.owner_id else None
        if owner is None or owner.lead_notifications != IMMEDIATELY:
            continue
        waiting[owner.id].append((by_id[submission_id], lead))
    for owner_id, leads in waiting.items():
        owner = owners[owner_id]
        if len(leads) <= BURST:
            for _submission, lead in leads:
                queue_email(
                    session,
                    to=owner.email,
                    template="lead_owner",
                    language=owner.language,
                    tenant_id=owner.tenant_id,
                    lead=lead,
                    owner_name=owner.first_name,
                )
            continue
        queue_email(
            session,
            to=owner.email,
            template="lead_digest",
            language=owner.language,
            tenant_id=owner.tenant_id,
            owner_name=owner.first_name,
            tenant_name=leads[0][1].tenant_name,
            timezone=owner.timezone,
            burst=True,
            count=len(leads),
            leads=[
                {
                    "when": submission.created_at,
                    "name": lead.name,
                    "email": lead.email,
                    "company": lead.company,
                    "form_name": lead.form_name,
                    "contact_id": submission.contact_id,
                }
                for submission, lead in leads[:DIGEST_LISTED]
            ],
        )
    return failed


def send_digests(settings: Settings) -> int:
    """Every hour: each user whose digest is due gets the leads routed to them since the last one."""
    now = utcnow()
    with sync_session(settings.database.sync_url) as session:
        users = session.execute(
            select(User.id, User.tenant_id, User.lead_notifications, User.lead_digest_at)
            .where(User.lead_notifications.in_(DIGEST_PERIODS))
            .execution_options(all_tenants=True)
        ).all()
    sent = 0
    for user_id, tenant_id, frequency, last in users:
        period = DIGEST_PERIODS[frequency]
        if last is not None and now - last < period - _SLACK:
            continue
        with sync_session(settings.database.sync_url, tenant_id) as session:
            sent += _digest(session, user_id, last, now - period if last is None else last, now)
    return sent


def _digest(session: Session, user_id: UUID, last: datetime | None, since: datetime, now: datetime) -> int:
    """One user's digest, claimed first so that two workers send it once; 1 if an e-mail was written."""
    claimed = session.execute(
        update(User)
        .where(
            User.id == user_id, User.lead_digest_at.is_(None) if last is None else User.lead_digest_at == last
        )
        .values(lead_digest_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return 0
    rows = session.execute(
        select(Activity.occurred_at, Activity.details, Contact)
        .join(Contact, Contact.id == Activity.contact_id)
        .where(
            Contact.owner_id == user_id,
            Activity.kind == "form_submission",
            Activity.created_at > since,
            Activity.created_at <= now,
        )
        .order_by(Activity.occurred_at)
    ).all()
    if rows:
        user = session.get_one(User, user_id)
        tenant = session.get_one(Tenant, user.tenant_id)
        queue_email(
            session,
            to=user.email,
            template="lead_digest",
            language=user.language,
            tenant_id=user.tenant_id,
            owner_name=user.first_name,
            tenant_name=tenant.name,
            timezone=user.timezone,
            count=len(rows),
            leads=[
                {
                    "when": occurred_at,
                    "name": contact.full_name,
                    "email": contact.email,
                    "company": contact.company_name,
                    "form_name": str((details or {}).get("form_name", "")),
                    "contact_id": contact.id,
                }
                for occurred_at, details, contact in rows[:DIGEST_LISTED]
            ],
        )
    session.commit()
    return 1 if rows else 0
