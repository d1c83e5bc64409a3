"""Deleting a tenant's account: a 7-day cooling-off (cancellable), then everything personal anonymized.

The owner asks in the dashboard; an e-mail confirms it with a signed link that cancels it. After
seven days a periodic job empties every personal column of every row the tenant owns (with the same
anonymizer erasure uses), keeping ids, timestamps and counts for anonymous statistics, and sends the
owner a last confirmation that is itself emptied once sent. The Stripe subscription stops at the end
of its paid period meanwhile, continues if the deletion is cancelled, and ends on day 8 if it still
runs (deletion_billing.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import Role, Tenant, User
from landform.core import security
from landform.core.db import metadata, sync_session, utcnow
from landform.core.mail import EmailMessage, queue_email
from landform.core.personal_data import anonymize, personal_columns
from landform.core.settings import Settings
from landform.privacy import deletion_billing
from landform.privacy.models import AccountDeletion, PrivacyExport

log = logging.getLogger(__name__)

COOLING_OFF = timedelta(days=7)
CANCEL_PURPOSE = "account-deletion-cancel"


class DeletionRefused(Exception):
    """Only an owner can delete the account, once at a time; the message says why."""


async def pending(db: AsyncSession, tenant_id: UUID, user_id: UUID | None = None) -> AccountDeletion | None:
    """The account's pending deletion, or (with `user_id`) that user's own."""
    return (
        await db.execute(
            select(AccountDeletion).where(
                AccountDeletion.tenant_id == tenant_id,
                AccountDeletion.user_id.is_(None) if user_id is None else AccountDeletion.user_id == user_id,
                AccountDeletion.cancelled_at.is_(None),
                AccountDeletion.completed_at.is_(None),
            )
        )
    ).scalar_one_or_none()


async def latest(db: AsyncSession, tenant_id: UUID) -> AccountDeletion | None:
    """The account's most recent deletion, pending or not: the page shows what it did to the subscription."""
    return (
        await db.execute(
            select(AccountDeletion)
            .where(AccountDeletion.tenant_id == tenant_id, AccountDeletion.user_id.is_(None))
            .order_by(AccountDeletion.requested_at.desc(), AccountDeletion.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


def cancel_link(tenant: Tenant, deletion: AccountDeletion) -> str:
    token = security.sign(CANCEL_PURPOSE, [tenant.slug, str(deletion.id)])
    return f"/privacy/{tenant.slug}/keep-account?token={token}"


async def request_deletion(db: AsyncSession, user: User, *, only_me: bool = False) -> AccountDeletion:
    """Start the cooling-off and e-mail a link to cancel it: the whole account (owners), or one's own user."""
    if not only_me and user.role != Role.OWNER:
        raise DeletionRefused("Only the owner can delete the account.")
    if only_me and user.role == Role.OWNER:
        raise DeletionRefused("An owner deletes the whole account, or hands over ownership first.")
    if await pending(db, user.tenant_id, user.id if only_me else None) is not None:
        raise DeletionRefused("Already being deleted.")
    now = utcnow()
    deletion = AccountDeletion(
        id=uuid7(),
        tenant_id=user.tenant_id,
        user_id=user.id if only_me else None,
        requested_by_id=user.id,
        requested_at=now,
        run_after=now + COOLING_OFF,
    )
    db.add(deletion)
    if not only_me:
        await db.run_sync(lambda session: deletion_billing.stop_at_period_end(session, deletion))
    await db.run_sync(
        queue_email,
        to=user.email,
        template="account_deletion",
        language=user.language,
        tenant_id=user.tenant_id,
        organisation=user.tenant.name,
        only_me=only_me,
        run_after=deletion.run_after,
        link=cancel_link(user.tenant, deletion),
    )
    return deletion


def read_cancel_token(token: str, slug: str) -> UUID:
    """The deletion a cancel link is for (valid through the cooling-off); ValueError otherwise."""
    try:
        token_slug, deletion_id = security.unsign(
            CANCEL_PURPOSE, token, max_age=int(COOLING_OFF.total_seconds())
        )
    except security.TokenInvalid as error:
        raise ValueError("invalid link") from error
    if token_slug != slug:
        raise ValueError("link of another account")
    return UUID(str(deletion_id))


async def cancel(
    db: AsyncSession, tenant_id: UUID, deletion_id: UUID | None = None, user_id: UUID | None = None
) -> bool:
    """Stop a pending deletion; False when there is none (already cancelled, done, or another's).

    By the e-mailed link (`deletion_id`) either kind; from the dashboard the account's, or `user_id`'s own.
    """
    if deletion_id is not None:
        found = (
            await db.execute(
                select(AccountDeletion).where(
                    AccountDeletion.id == deletion_id,
                    AccountDeletion.tenant_id == tenant_id,
                    AccountDeletion.cancelled_at.is_(None),
                    AccountDeletion.completed_at.is_(None),
                )
            )
        ).scalar_one_or_none()
    else:
        found = await pending(db, tenant_id, user_id)
    if found is None:
        return False
    found.cancelled_at = utcnow()
    await db.run_sync(deletion_billing.resume, found)
    return True


def anonymize_tenant(session: Session, tenant_id: UUID) -> dict[str, int]:
    """Empty every personal column of every row of the tenant, the tenant itself included."""
    counts: dict[str, int] = {}
    session.execute(delete(PrivacyExport).where(PrivacyExport.tenant_id == tenant_id))
    for table in metadata.sorted_tables:
        if not personal_columns(table):
            continue
        if table.name == "tenant":
            where = table.c.id == tenant_id
        elif "tenant_id" in table.c:
            where = table.c.tenant_id == tenant_id
        else:
            continue
        counts[table.name] = anonymize(session, table, where)
    return counts


ABOUT_USER = {"user_id", "actor_id", "subject_id"}


def _anonymize_user(session: Session, tenant_id: UUID, user_id: UUID) -> dict[str, int]:
    """One user: their row and the e-mails sent to them."""
    users = User.__table__
    address = session.execute(select(users.c.email).where(users.c.id == user_id)).scalar_one_or_none()
    counts = {"user_account": anonymize(session, users, users.c.id == user_id)}  # type: ignore[arg-type]
    # Every other row about this user (sessions, audit events, recovery codes...): found by its foreign key.
    for table in metadata.sorted_tables:
        if table.name == "user_account" or not personal_columns(table):
            continue
        # Only references that say "this row is about or by the user": a contact's owner_id is not.
        about_user = [
            column == user_id
            for column in table.columns
            if column.name in ABOUT_USER
            and any(fk.column.table.name == "user_account" for fk in column.foreign_keys)
        ]
        if about_user:
            counts[table.name] = anonymize(session, table, or_(*about_user))
    if address:
        emails = EmailMessage.__table__
        counts["email_message"] = anonymize(
            session,
            emails,  # type: ignore[arg-type]
            (emails.c.tenant_id == tenant_id) & (func.lower(emails.c.recipient) == address.casefold()),
        )
    return counts


def run_due(settings: Settings) -> int:
    """The periodic job: anonymize every account whose cooling-off has ended; how many."""
    done = 0
    # Across tenants (as the application's role, row-level security shows a session without a tenant
    # nothing), then each deletion in a session of its own tenant.
    with sync_session(settings.database.sync_url) as session:
        due = session.execute(
            select(AccountDeletion.id, AccountDeletion.tenant_id)
            .where(
                AccountDeletion.run_after <= utcnow(),
                AccountDeletion.cancelled_at.is_(None),
                AccountDeletion.completed_at.is_(None),
            )
            .execution_options(all_tenants=True)
        ).all()
    for deletion_id, tenant_id in due:
        with sync_session(settings.database.sync_url, tenant_id) as session:
            deletion = session.get(AccountDeletion, deletion_id, with_for_update=True)
            if deletion is None or deletion.completed_at is not None or deletion.cancelled_at is not None:
                continue  # another worker ran it, or the owner cancelled it meanwhile
            _run(session, deletion)
            if deletion.user_id is None:
                deletion_billing.end_now(session, deletion)
            session.commit()
            done += 1
    return done


def _run(session: Session, deletion: AccountDeletion) -> None:
    tenant = session.get_one(Tenant, deletion.tenant_id)
    owner: Any = session.execute(
        select(User).where(User.id == deletion.requested_by_id).execution_options(all_tenants=True)
    ).scalar_one_or_none()
    address, language, name = (owner.email, owner.language, tenant.name) if owner else ("", "nl", "")
    if deletion.user_id is not None:
        counts = _anonymize_user(session, tenant.id, deletion.user_id)
    else:
        counts = anonymize_tenant(session, tenant.id)
    deletion.completed_at = utcnow()
    if address:
        queue_email(
            session,
            to=address,
            template="account_deleted",
            language=language,
            forget_after_sending=True,
            organisation=name,
            only_me=deletion.user_id is not None,
        )
    log.info("privacy: account %s anonymized after its cooling-off: %s", tenant.id, counts)
