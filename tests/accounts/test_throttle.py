"""The log-in throttle's counting: per address and IP, per IP, and open when its store is down."""

from __future__ import annotations

import asyncio

from litestar.stores.memory import MemoryStore

from landform.accounts.throttle import LoginThrottle


def test_it_pauses_an_ip_that_tries_many_addresses():
    async def scenario() -> tuple[int, int, int]:
        throttle = LoginThrottle(MemoryStore(), per_account=5, per_ip=20)
        for n in range(20):
            await throttle.failed(f"person{n}@example.com", "203.0.113.9")
        return (
            await throttle.wait_seconds("someone-new@example.com", "203.0.113.9"),
            await throttle.wait_seconds("someone-new@example.com", "198.51.100.7"),
            await throttle.wait_seconds("person1@example.com", "198.51.100.7"),
        )

    paused, elsewhere, same_person_elsewhere = asyncio.run(scenario())
    assert 0 < paused <= 15 * 60
    assert elsewhere == same_person_elsewhere == 0


def test_it_counts_an_address_case_blind_and_forgets_after_a_success():
    async def scenario() -> tuple[bool, int, int]:
        throttle = LoginThrottle(MemoryStore())
        locked = False
        for n in range(5):
            locked = await throttle.failed(
                "Olga@Acme.example.com" if n % 2 else "olga@acme.example.com", "10.0.0.1"
            )
        waiting = await throttle.wait_seconds("OLGA@acme.example.com", "10.0.0.1")
        await throttle.succeeded("olga@acme.example.com", "10.0.0.1")
        return locked, waiting, await throttle.wait_seconds("olga@acme.example.com", "10.0.0.1")

    locked, waiting, after = asyncio.run(scenario())
    assert locked and waiting > 0 and after == 0


class BrokenStore(MemoryStore):
    async def get(self, key, renew_for=None):
        raise ConnectionError("redis is down")


def test_it_lets_log_ins_through_when_its_store_is_down():
    async def scenario() -> tuple[bool, int]:
        throttle = LoginThrottle(BrokenStore())
        return await throttle.failed("olga@acme.example.com", "10.0.0.1"), await throttle.wait_seconds(
            "olga@acme.example.com", "10.0.0.1"
        )

    assert asyncio.run(scenario()) == (False, 0)
