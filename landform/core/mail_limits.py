"""Per-address limits on the e-mails a stranger can make us send, so no one floods a mailbox through us.

The per-client limits (429) stop one client; these stop many clients aimed at one address. Each e-mail a
visitor can trigger (a password reset, a sign-up, a privacy request, a double opt-in, ...) asks `allows`
first. The same e-mail (one `purpose`) goes to an address at most once in `REPEAT_SECONDS`: a repeat
while the first is still waiting in the mailbox sends nothing, as its link still works. And at most
`PER_ADDRESS` e-mails of any purpose go to one address in `ADDRESS_WINDOW_SECONDS`. The visitor's answer
is the same either way: whether an address was limited tells nothing about it.

Counted in the rate-limit store (Redis in production, one atomic round trip; memory on the embedded
default, where one process counts exactly) under a keyed hash of the address: the store holds no address.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.stores.base import Store

from landform.core.http import CountingRedisStore, count_hits
from landform.core.settings import get_settings

log = logging.getLogger(__name__)

REPEAT_SECONDS = 10 * 60
ADDRESS_WINDOW_SECONDS = 24 * 3600
PER_ADDRESS = 10


@dataclass
class MailLimiter:
    store: Store
    repeat_seconds: int = REPEAT_SECONDS
    window_seconds: int = ADDRESS_WINDOW_SECONDS
    per_address: int = PER_ADDRESS

    def _keys(self, address: str, purpose: str) -> tuple[str, str]:
        secret = get_settings().security.secret_keys[0].encode()
        mailbox = hmac.new(secret, address.strip().casefold().encode(), hashlib.sha256).hexdigest()[:32]
        return f"mail:{mailbox}:{purpose}", f"mail:{mailbox}"

    async def allows(self, address: str, purpose: str) -> bool:
        """Count one e-mail of `purpose` to `address`; False when it must not be sent."""
        keys = list(
            zip(self._keys(address, purpose), (self.repeat_seconds, self.window_seconds), strict=True)
        )
        try:
            if isinstance(self.store, CountingRedisStore):
                counted = await count_hits([(self.store, key, window) for key, window in keys])
                same, total = (hits for hits, _left in counted)
            else:
                same, total = [await self._count_in_memory(key, window) for key, window in keys]
        except Exception:
            # Fail open: a store outage must not stop password resets. Logged so it gets noticed.
            log.exception("mail limiter store unavailable; not limiting")
            return True
        return same == 1 and total <= self.per_address

    async def _count_in_memory(self, key: str, window: int) -> int:
        # Get-then-set, as the log-in throttle counts: one process, so nothing slips between.
        raw = await self.store.get(key)
        hits = (int(raw) if raw else 0) + 1
        left = await self.store.expires_in(key) if hits > 1 else None
        await self.store.set(key, str(hits), expires_in=left or window)
        return hits


def mail_limiter(request: Request[Any, Any, Any]) -> MailLimiter:
    # The "rate_limit" prefix gives an in-memory store on the embedded default (see app.py), Redis otherwise.
    return MailLimiter(request.app.stores.get("rate_limit_mail"))
