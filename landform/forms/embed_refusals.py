"""Websites refused an embedded form: recorded (capped, throttled) so the dashboard can offer to allow them.

Anybody can send any Origin header, so the record must not become a way to fill the table or to make
every request a write: at most `CAP` websites per form are kept, and one process writes a website's
attempt at most once every `QUIET_SECONDS` (the count is of those writes, a lower bound that says
"it keeps trying"). Only well-formed origins are kept; nothing about the visitor is.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.forms.models import EmbedRefusal, Form

CAP = 20
QUIET_SECONDS = 60.0
# What a browser sends as Origin: scheme, host and an optional port, nothing else.
ORIGIN = re.compile(r"^https?://[a-z0-9]([a-z0-9.-]{0,180}[a-z0-9])?(:[0-9]{1,5})?$")
# The setting's label in the builder, named in the console message the embedding website sees.
SETTING = "Websites that may embed this form"

_written: dict[tuple[UUID, str], float] = {}


class RefusalNotFound(Exception):
    """No such refusal for this tenant (or it was allowed or dismissed meanwhile)."""


@dataclass
class Refused:
    """A refusal as the dashboard shows it."""

    id: UUID
    form_id: UUID
    form_name: str
    origin: str
    first_seen: datetime
    last_seen: datetime
    attempts: int


def console_message(origin: str) -> str:
    """What the refused website's console says (after "Landform:"), naming the setting to change."""
    return _(
        "this form does not allow embedding on %(origin)s; add the address under “%(setting)s” "
        "in the form's settings",
        origin=origin,
        setting=_(SETTING),
    )


def _recently_written(key: tuple[UUID, str]) -> bool:
    now = time.monotonic()
    if now - _written.get(key, -QUIET_SECONDS) < QUIET_SECONDS:
        return True
    if len(_written) > 10_000:  # a flood of made-up origins: forget, rather than grow
        _written.clear()
    _written[key] = now
    return False


async def record(db: AsyncSession, form: Form, origin: str) -> None:
    """Count an attempt by `origin` to embed `form`; commits. Silently does nothing past the cap."""
    origin = origin.lower()
    if not ORIGIN.match(origin) or _recently_written((form.id, origin)):
        return
    now = utcnow()
    seen = await db.execute(
        update(EmbedRefusal)
        .where(EmbedRefusal.form_id == form.id, EmbedRefusal.origin == origin)
        .values(attempts=EmbedRefusal.attempts + 1, last_seen_at=now)
    )
    if getattr(seen, "rowcount", 0) == 0:
        kept = (
            await db.execute(
                select(func.count()).select_from(EmbedRefusal).where(EmbedRefusal.form_id == form.id)
            )
        ).scalar_one()
        if kept >= CAP:
            return
        db.add(EmbedRefusal(form_id=form.id, origin=origin, last_seen_at=now, attempts=1))
    try:
        await db.commit()
    except IntegrityError:  # another process recorded the same website at the same moment
        await db.rollback()


async def waiting(db: AsyncSession, form_id: UUID | None = None) -> list[Refused]:
    """Refusals the marketer has not answered yet, newest first (one form's, or every form's).

    A website allowed since in the form's settings (typed there, not through "Allow") is answered too.
    """
    query = (
        select(EmbedRefusal, Form.name, Form.allowed_origins)
        .join(Form, Form.id == EmbedRefusal.form_id)
        .where(EmbedRefusal.dismissed_at.is_(None))
        .order_by(EmbedRefusal.last_seen_at.desc())
    )
    if form_id is not None:
        query = query.where(EmbedRefusal.form_id == form_id)
    return [
        Refused(r.id, r.form_id, name, r.origin, r.created_at, r.last_seen_at, r.attempts)
        for r, name, allowed in (await db.execute(query)).all()
        if r.origin not in (allowed or [])
    ]


async def _find(db: AsyncSession, form_id: UUID, refusal_id: UUID) -> EmbedRefusal:
    found = (
        await db.execute(
            select(EmbedRefusal).where(EmbedRefusal.id == refusal_id, EmbedRefusal.form_id == form_id)
        )
    ).scalar_one_or_none()
    if found is None or found.dismissed_at is not None:
        raise RefusalNotFound()
    return found


async def allow(db: AsyncSession, form: Form, refusal_id: UUID) -> str:
    """Add the refused website to the form's allowed websites; the refusal is answered. Returns it."""
    refusal = await _find(db, form.id, refusal_id)
    if refusal.origin not in form.allowed_origins:
        form.allowed_origins = [*form.allowed_origins, refusal.origin]
    origin = refusal.origin
    await db.execute(delete(EmbedRefusal).where(EmbedRefusal.id == refusal.id))
    return origin


async def dismiss(db: AsyncSession, form: Form, refusal_id: UUID) -> str:
    """Stop offering the website; the row stays (and keeps counting) so it is not offered again."""
    refusal = await _find(db, form.id, refusal_id)
    refusal.dismissed_at = utcnow()
    return refusal.origin
