"""What an account's deletion does to its Stripe subscription: stopped, resumed, or ended for good.

Asking to delete the account sets the subscription to stop at the end of its paid period; cancelling
the deletion lets it continue, unless the owner had cancelled it themselves before (then it stays as
they left it); when the account is anonymized on day 8, whatever still bills is cancelled at once.

Stripe is never called inside the request: the wanted state is written on the deletion (`billing`)
with an outbox job in the same transaction, and `settle_deletion_billing` brings Stripe there,
retrying while Stripe is unreachable. An outage therefore never blocks a deletion or its
cancellation, and the dashboard shows where things stand. The job reads the deletion's state under
a row lock each time, so however often or late it runs, Stripe ends where the deletion says.
"""

from __future__ import annotations

import logging
import time
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.billing import stripe_gateway
from landform.billing.models import Subscription
from landform.billing.services import ENDED, apply_subscription, subscription_row
from landform.core.jobs.models import PermanentJobError
from landform.core.jobs.registry import add_job, job
from landform.core.settings import get_settings
from landform.privacy.models import AccountDeletion

log = logging.getLogger(__name__)

JOB = "settle_deletion_billing"

# AccountDeletion.billing: where the deletion's subscription stands.
NONE = "none"  # no subscription that bills (or payments are not set up): nothing to do
STOPPING = "stopping"  # to stop at the end of the paid period; Stripe not reached yet
STOPPED = "stopped"  # stops at the end of the paid period
WAS_ENDING = "was_ending"  # the owner had cancelled it already; left exactly as they set it
RESUMING = "resuming"  # the deletion was cancelled: to continue; Stripe not reached yet
RESUMED = "resumed"  # continues as before
ENDING = "ending"  # the account is anonymized: to be cancelled now; Stripe not reached yet
GONE = "ended"  # nothing bills any more
WAITING = {STOPPING: STOPPED, RESUMING: RESUMED, ENDING: GONE}


def _billing_subscription(session: Session, tenant_id: UUID) -> Subscription | None:
    """The tenant's subscription if it may still bill and payments are set up here."""
    if not get_settings().stripe.configured:
        return None
    row = session.execute(
        select(Subscription).where(Subscription.tenant_id == tenant_id).execution_options(all_tenants=True)
    ).scalar_one_or_none()
    if row is None or not row.stripe_subscription_id or row.status in ENDED | {"none"}:
        return None
    return row


def stop_at_period_end(session: Session, deletion: AccountDeletion) -> None:
    """The account is to be deleted: its subscription stops at the end of the paid period."""
    row = _billing_subscription(session, deletion.tenant_id)
    if row is None:
        return
    deletion.stripe_subscription_id = row.stripe_subscription_id
    # The owner's own earlier cancellation is remembered, so cancelling the deletion does not undo it.
    deletion.billing = WAS_ENDING if row.cancel_at_period_end else STOPPING
    if deletion.billing == STOPPING:
        add_job(session, JOB, deletion.id, deletion.tenant_id)


def resume(session: Session, deletion: AccountDeletion) -> bool:
    """The deletion was cancelled: the subscription continues as before. True when it had been stopped."""
    if deletion.billing not in (STOPPING, STOPPED):
        return False
    deletion.billing = RESUMING
    add_job(session, JOB, deletion.id, deletion.tenant_id)
    return True


def end_now(session: Session, deletion: AccountDeletion) -> None:
    """The account is anonymized: nothing of it may go on billing, so whatever still runs ends now."""
    row = _billing_subscription(session, deletion.tenant_id)
    if row is None:
        if deletion.billing != NONE:
            deletion.billing = GONE
        return
    deletion.stripe_subscription_id = row.stripe_subscription_id
    deletion.billing = ENDING
    add_job(session, JOB, deletion.id, deletion.tenant_id)


@job(
    max_retries=10, min_backoff=15_000, max_backoff=30 * 60_000, time_limit=60_000, max_age=7 * 24 * 3_600_000
)
def settle_deletion_billing(session: Session, deletion_id: UUID) -> None:
    """Bring the subscription at Stripe where the deletion says; raises (is retried) while Stripe is down."""
    deletion = session.execute(
        select(AccountDeletion).where(AccountDeletion.id == deletion_id).with_for_update()
    ).scalar_one_or_none()
    if deletion is None:
        raise PermanentJobError(f"account deletion {deletion_id} no longer exists")
    if deletion.billing not in WAITING or not deletion.stripe_subscription_id:
        return  # settled by an earlier run
    settings = get_settings().stripe
    if not settings.configured:
        raise PermanentJobError("payments are no longer configured on this installation")
    subscription_id = deletion.stripe_subscription_id
    try:
        if deletion.billing == ENDING:
            updated = stripe_gateway.cancel_now(settings, subscription_id)
        else:
            updated = stripe_gateway.cancel_at_period_end(
                settings, subscription_id, deletion.billing == STOPPING
            )
    except stripe_gateway.BillingRefused as error:
        # Stripe refuses for a subscription that has ended there: then nothing bills any more.
        log.warning("privacy: Stripe refused to change subscription %s: %s", subscription_id, error)
        deletion.billing = GONE
        return
    row = subscription_row(session, deletion.tenant_id)
    if row.stripe_subscription_id == subscription_id:
        apply_subscription(session, row, updated, settings)
        # Its webhook follows; an event from before this change must not undo it.
        row.subscription_event_at = max(row.subscription_event_at, int(time.time()))
    deletion.billing = WAITING[deletion.billing]
    log.info("privacy: subscription %s of a deleted account is now %s", subscription_id, deletion.billing)
