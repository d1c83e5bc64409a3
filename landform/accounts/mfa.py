"""Optional two-factor authentication: TOTP (RFC 6238) codes from an authenticator app, plus recovery codes.

The secret is confirmed by a code before it counts, each code works once (the step it was accepted
for is kept), and ten recovery codes are shown once and stored only as hashes: they are 80 random
bits each, so a fast hash is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import RecoveryCode, User
from landform.core.db import utcnow

ISSUER = "Landform"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper without mistakes


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> Markup:
    """The enrolment QR code as inline SVG, drawn on the server: no script, no image request."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, title=title, border=2))  # noqa: S704


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def _accepted_step(secret: str, code: str, after: int | None, now: float | None = None) -> int | None:
    """The time step `code` belongs to (allowing one step of clock drift), if it is newer than `after`."""
    code = _digits(code)
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now if now is not None else time.time())
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (after is None or step > after):
            return step
    return None


def check_setup_code(secret: str, code: str) -> bool:
    return _accepted_step(secret, code, None) is not None


def verify_code(user: User, code: str) -> bool:
    """True for a current code not used before; marks it used."""
    if not user.totp_secret or user.totp_enabled_at is None:
        return False
    step = _accepted_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


async def new_recovery_codes(db: AsyncSession, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones, returned this once."""
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
        db.add(RecoveryCode(tenant_id=user.tenant_id, user_id=user.id, code_hash=_hash(codes[-1])))
    return codes


async def use_recovery_code(db: AsyncSession, user: User, code: str) -> bool:
    """True if `code` is one of the user's unused recovery codes; it is used up at once."""
    result = await db.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.tenant_id == user.tenant_id,
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(all_tenants=True, synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def recovery_codes_left(db: AsyncSession, user: User) -> int:
    rows = await db.execute(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return len(rows.all())


async def enable(db: AsyncSession, user: User, secret: str) -> list[str]:
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = None
    return await new_recovery_codes(db, user)


async def disable(db: AsyncSession, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
