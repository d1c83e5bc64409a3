"""Logged-in browsers: one `UserSession` row per log-in, listed to the user and revocable.

The server-side session (file store or Redis) carries the row's id as `sid`; every dashboard request
checks that row, so signing a session out from another device takes effect on its next request.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import User, UserSession
from landform.core.db import utcnow

# Writing "last seen" on every request would turn every page view into a write.
LAST_SEEN_PRECISION = timedelta(minutes=1)

_BROWSERS = (
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
)
_SYSTEMS = (
    (re.compile(r"iPhone|iPad|iPod"), "iOS"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Linux"), "Linux"),
)


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, reduced to what a person needs to recognise their own device."""

    ip: str = ""
    user_agent: str = ""

    @property
    def ip_prefix(self) -> str:
        """The network, not the address: /24 for IPv4, /48 for IPv6."""
        try:
            address = ipaddress.ip_address(self.ip)
        except ValueError:
            return ""
        bits = 24 if address.version == 4 else 48
        return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))

    @property
    def agent_family(self) -> str:
        """Like "Firefox on Linux": the browser and system families, never the full User-Agent."""
        agent = self.user_agent or ""
        browser = next((name for pattern, name in _BROWSERS if pattern.search(agent)), "")
        system = next((name for pattern, name in _SYSTEMS if pattern.search(agent)), "")
        if browser and system:
            return f"{browser} / {system}"
        return browser or system or ("Other" if agent else "")


async def start_session(db: AsyncSession, user: User, client: ClientInfo) -> UserSession:
    now = utcnow()
    row = UserSession(
        tenant_id=user.tenant_id,
        user_id=user.id,
        last_seen_at=now,
        user_agent_family=client.agent_family,
        ip_prefix=client.ip_prefix,
    )
    db.add(row)
    await db.flush()
    return row


async def user_for_session(db: AsyncSession, user_id: str, session_id: str) -> User | None:
    """The user of a live session; None if the session was signed out (or predates session rows)."""
    try:
        uid, sid = UUID(str(user_id)), UUID(str(session_id))
    except ValueError:
        return None
    found = (
        await db.execute(
            select(User, UserSession)
            .join(UserSession, UserSession.user_id == User.id)
            .where(User.id == uid, UserSession.id == sid, UserSession.revoked_at.is_(None))
            .execution_options(all_tenants=True)
        )
    ).first()
    if found is None:
        return None
    user, row = found.tuple()
    now = utcnow()
    if now - row.last_seen_at > LAST_SEEN_PRECISION:
        row.last_seen_at = now
    return user


async def sessions_of(db: AsyncSession, user: User) -> list[UserSession]:
    return list(
        (
            await db.execute(
                select(UserSession)
                .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
                .order_by(UserSession.last_seen_at.desc())
            )
        ).scalars()
    )


async def revoke(db: AsyncSession, user: User, session_id: UUID) -> UserSession | None:
    """Sign one of the user's own sessions out; None if it is not theirs or already gone."""
    row = (
        await db.execute(
            select(UserSession).where(
                UserSession.id == session_id, UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
            )
        )
    ).scalar_one_or_none()
    if row is not None:
        row.revoked_at = utcnow()
    return row


async def revoke_all(db: AsyncSession, user: User, *, keep: UUID | None = None) -> int:
    """Sign out every session of the user but `keep`; the number signed out."""
    statement = (
        update(UserSession)
        .where(
            UserSession.tenant_id == user.tenant_id,
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(all_tenants=True, synchronize_session=False)
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    result = await db.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
