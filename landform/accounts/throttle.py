"""Log-in throttling that neither tells who has an account nor lets a stranger lock the owner out.

Failures are counted per (address typed, client IP) and per client IP, in a Litestar store (Redis in
production, memory on the embedded default), for known and unknown addresses alike, so the answers
and their timing are the same either way. Five failures for one address from one IP lock that pair
for the rest of the window; the same address from another network still works, so an attacker
cannot lock the owner out from everywhere. Fifty failures from one IP, whatever the addresses, throttle
that IP. Counting is get-then-set, not atomic: under a burst a few extra tries slip through, which
does not matter at these numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass

from litestar.stores.base import Store

from landform.core.settings import get_settings

log = logging.getLogger(__name__)

WINDOW_SECONDS = 15 * 60
PER_ACCOUNT_AND_IP = 5
PER_IP = 50


@dataclass
class LoginThrottle:
    store: Store
    window: int = WINDOW_SECONDS
    per_account: int = PER_ACCOUNT_AND_IP
    per_ip: int = PER_IP

    def _keys(self, email: str, ip: str) -> tuple[str, str]:
        # Keyed hashes: the store holds no address, and the keys cannot be guessed from outside.
        secret = get_settings().security.secret_keys[0].encode()
        account = hmac.new(secret, f"{email.strip().lower()}|{ip}".encode(), hashlib.sha256).hexdigest()
        network = hmac.new(secret, ip.encode(), hashlib.sha256).hexdigest()
        return f"login:acct:{account[:32]}", f"login:ip:{network[:32]}"

    async def _count(self, key: str) -> int:
        raw = await self.store.get(key)
        return int(raw) if raw else 0

    async def wait_seconds(self, email: str, ip: str) -> int:
        """0 if a try may be made now, else how long until it may (the same for any address)."""
        account, network = self._keys(email, ip)
        try:
            for key, limit in ((account, self.per_account), (network, self.per_ip)):
                if await self._count(key) >= limit:
                    return await self.store.expires_in(key) or self.window
        except Exception:
            # Fail open: a store outage must not lock every user out. Logged so it gets noticed.
            log.exception("log-in throttle store unavailable")
        return 0

    async def failed(self, email: str, ip: str) -> bool:
        """Count a failure; True when it locked this address for this IP."""
        account, network = self._keys(email, ip)
        locked = False
        try:
            for key, limit in ((account, self.per_account), (network, self.per_ip)):
                count = await self._count(key) + 1
                remaining = await self.store.expires_in(key) if count > 1 else None
                await self.store.set(key, str(count), expires_in=remaining or self.window)
                locked = locked or (key == account and count == limit)
        except Exception:
            log.exception("log-in throttle store unavailable")
        return locked

    async def succeeded(self, email: str, ip: str) -> None:
        account, _network = self._keys(email, ip)
        try:
            await self.store.delete(account)
        except Exception:
            log.exception("log-in throttle store unavailable")
