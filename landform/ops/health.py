"""The worker heartbeat: a periodic job that notes when a worker last ran, read by /readyz and /metrics.

The heartbeat is itself a periodic job (landform/ops/jobs.py): a fresh one proves that a scheduler
sends, the broker carries, and a worker runs.
"""

from __future__ import annotations

import time
from functools import lru_cache

import redis
from anyio import to_thread

from landform.core.settings import Settings

HEARTBEAT_SECONDS = 10.0
# Six missed beats: a worker busy with a burst still answers well within this.
HEARTBEAT_MAX_AGE_SECONDS = 60.0

# The embedded default's worker runs in this process, so its heartbeat can stay in memory.
_local_heartbeat: float | None = None


@lru_cache(maxsize=4)
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _heartbeat_key(settings: Settings) -> str:
    return f"{settings.queue.namespace}:worker-heartbeat"


def record_heartbeat(settings: Settings) -> None:
    """The heartbeat job: note that a worker ran a job just now."""
    global _local_heartbeat
    now = time.time()
    if settings.queue.redis_url:
        redis_client(settings.queue.redis_url).set(_heartbeat_key(settings), repr(now))
    else:
        _local_heartbeat = now


def forget_local_heartbeat() -> None:
    """For tests: as if the embedded worker had never beaten."""
    global _local_heartbeat
    _local_heartbeat = None


def _heartbeat_age_sync(settings: Settings) -> float | None:
    if settings.queue.redis_url:
        raw: bytes | None = redis_client(settings.queue.redis_url).get(_heartbeat_key(settings))  # type: ignore[assignment]
        beat = float(raw) if raw else None
    else:
        beat = _local_heartbeat
    return None if beat is None else max(0.0, time.time() - beat)


async def heartbeat_age(settings: Settings) -> float | None:
    """Seconds since the last heartbeat, None if there never was one (or Redis does not answer)."""
    try:
        return await to_thread.run_sync(_heartbeat_age_sync, settings)
    except redis.RedisError:
        return None
