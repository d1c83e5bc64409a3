"""Proof of work with the open ALTCHA protocol: asked of submissions that look risky, or of all of them.

A submission looks risky when it has no time-trap token or came back faster than a person types, or when
its network (an IPv4 /24, an IPv6 /48) sent more than `proof_of_work_after` submissions this minute. It
then has to carry a solved challenge (field `altcha`): the browser finds a number whose SHA-256 with the
challenge's salt is the challenge, some tens of thousands of hashes, which costs a person a second in the
background and a bot sending thousands of submissions as many CPU seconds. No CAPTCHA, no third party:
challenges are signed with a key derived from the app's secret and verified by ALTCHA's own library.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from altcha import ChallengeOptionsV1, create_challenge_v1, verify_solution_v1
from altcha.v1 import PayloadType
from litestar.stores.base import Store
from litestar.stores.redis import RedisStore

from landform.core.settings import get_settings

FIELD = "altcha"
STORE = "proof_of_work"  # the challenges already used, until they expire
# Solutions are found between 0 and this: on average 25,000 SHA-256 hashes, about a second in a browser.
MAX_NUMBER = 50_000
LIFETIME = timedelta(minutes=10)
REQUIRED = "proof_of_work_required"
INVALID = "proof_of_work_invalid"
REPLAYED = "proof_of_work_replayed"


class ProofNeeded(Exception):
    """The submission must carry a (fresh, valid) solved challenge; `reason` is machine-readable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@lru_cache(maxsize=4)
def _hmac_keys(secret_keys: tuple[str, ...]) -> tuple[str, ...]:
    # One key per app secret, newest first: a challenge signed before a key rotation still verifies.
    return tuple(
        hmac.new(key.encode(), b"landform.altcha", hashlib.sha256).hexdigest()
        for key in reversed(secret_keys)
    )


def hmac_keys() -> tuple[str, ...]:
    return _hmac_keys(tuple(get_settings().security.secret_keys))


def new_challenge(form_key: str) -> dict[str, Any]:
    """A signed challenge for one form, valid for `LIFETIME` (the JSON the solver in the browser reads)."""
    challenge = create_challenge_v1(
        ChallengeOptionsV1(
            algorithm="SHA-256",
            max_number=MAX_NUMBER,
            hmac_key=hmac_keys()[0],
            expires=datetime.now(UTC) + LIFETIME,
            params={"form": form_key},
        )
    )
    return challenge.to_dict()


class NetworkBursts:
    """Submissions per network in the current minute, counted in this process's memory.

    A signal, not a limit (the rate limits in Redis are the limits): counting here costs the intake no
    round trip, and with several processes a burst is still seen by each of them.
    """

    def __init__(self) -> None:
        self.minute = 0
        self.counts: dict[str, int] = {}

    def count(self, address: str) -> int:
        minute = int(time.monotonic() // 60)
        if minute != self.minute:
            self.minute, self.counts = minute, {}
        network = network_of(address)
        self.counts[network] = hits = self.counts.get(network, 0) + 1
        return hits


def network_of(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 48}", strict=False))


bursts = NetworkBursts()


async def verify(store: Store, solution: str, form_key: str) -> str:
    """The solved challenge's hash, once: ProofNeeded when forged, expired, for another form or reused."""
    try:
        payload = json.loads(base64.b64decode(solution[:2000], validate=True))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ProofNeeded(INVALID) from error
    if not isinstance(payload, dict) or not isinstance(payload.get("salt"), str):
        raise ProofNeeded(INVALID)
    solved = cast(PayloadType, payload)
    if not any(verify_solution_v1(solved, key, check_expires=True)[0] for key in hmac_keys()):
        raise ProofNeeded(INVALID)
    if f"form={form_key}&" not in payload["salt"].split("?", 1)[-1] + "&":
        raise ProofNeeded(INVALID)
    challenge = str(payload["challenge"])
    if not await _first_use(store, "used:" + challenge):
        raise ProofNeeded(REPLAYED)
    return challenge


async def _first_use(store: Store, key: str) -> bool:
    seconds = int(LIFETIME.total_seconds()) + 60
    if isinstance(store, RedisStore):
        # SET NX: of two submissions racing with one solution, exactly one gets through.
        return bool(await store._redis.set(store._make_key(key), b"1", nx=True, ex=seconds))
    if await store.exists(key):
        return False
    await store.set(key, b"1", expires_in=seconds)
    return True
