"""E-mails about a user's own account security: a log-in from a new browser or network, a lock-out.

A browser and network count as known once the user has logged in from them: `KnownDevice` keeps a
keyed hash of the browser family and the network prefix (not the address, not the User-Agent), so
the database cannot say where anyone was, only whether this pair was seen before. The first log-in
of a user is not news to them and sends nothing. Neither e-mail changes what the visitor sees:
nothing here tells a stranger whether an address has an account. Nothing about the device is logged.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import AuditEvent, KnownDevice, User
from landform.accounts.sessions import ClientInfo
from landform.accounts.throttle import WINDOW_SECONDS
from landform.core.db import utcnow
from landform.core.mail import queue_email
from landform.core.settings import get_settings

SESSIONS_PAGE = "/app/me/security/"
# One lock-out e-mail per user per hour: an attacker trying from many networks must not flood the inbox.
LOCKOUT_MAIL_EVERY = timedelta(hours=1)


def fingerprint(client: ClientInfo) -> str:
    """A keyed hash of the browser family and network: recognisable, not readable."""
    secret = get_settings().security.secret_keys[0].encode()
    seen = f"known-device|{client.agent_family}|{client.ip_prefix}".encode()
    return hmac.new(secret, seen, hashlib.sha256).hexdigest()


async def note_log_in(db: AsyncSession, user: User, client: ClientInfo) -> bool:
    """Remember this browser and network for the user; e-mail them when it is a new one. True if so."""
    mark = fingerprint(client)
    now = utcnow()
    known = list(
        (
            await db.execute(
                select(KnownDevice)
                .where(KnownDevice.tenant_id == user.tenant_id, KnownDevice.user_id == user.id)
                .execution_options(all_tenants=True)
            )
        ).scalars()
    )
    seen = next((device for device in known if device.fingerprint == mark), None)
    if seen is not None:
        seen.last_seen_at = now
        return False
    db.add(KnownDevice(tenant_id=user.tenant_id, user_id=user.id, fingerprint=mark, last_seen_at=now))
    if not known:
        return False  # the first browser a user ever logs in from
    await db.run_sync(
        queue_email,
        to=user.email,
        template="new_device_login",
        language=user.language,
        tenant_id=user.tenant_id,
        first_name=user.first_name,
        device=client.agent_family,
        when=now,
        timezone=user.timezone,
        sessions_url=SESSIONS_PAGE,
    )
    return True


async def tell_locked_out(db: AsyncSession, user: User) -> bool:
    """E-mail the user that log-ins to their account were paused (at most once an hour). True if sent.

    Called before the lock-out's own audit event is added, so that event does not count as a mail sent.
    """
    recent = (
        await db.execute(
            select(func.count(AuditEvent.id))
            .where(
                AuditEvent.tenant_id == user.tenant_id,
                AuditEvent.subject_id == user.id,
                AuditEvent.kind == "lockout",
                AuditEvent.created_at > utcnow() - LOCKOUT_MAIL_EVERY,
            )
            .execution_options(all_tenants=True)
        )
    ).scalar_one()
    if recent:
        return False
    await db.run_sync(
        queue_email,
        to=user.email,
        template="account_locked",
        language=user.language,
        tenant_id=user.tenant_id,
        first_name=user.first_name,
        minutes=WINDOW_SECONDS // 60,
        sessions_url=SESSIONS_PAGE,
        reset_url="/password/forgot",
    )
    return True
