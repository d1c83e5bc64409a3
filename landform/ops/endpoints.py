"""The operator's HTTP endpoints: `/readyz` and `/metrics` (`/healthz` is in app.py).

`/healthz` says only whether this process reaches its database: point the load balancer at it. A
worker outage does not stop intake (submissions wait in the outbox), so taking every app process out
of rotation because the workers are down would turn a delay into an outage. `/readyz` is for deploys
and alerting: is the whole system doing its work?

/metrics adds what is read at each scrape (the queue as the database sees it, the heartbeat's age) to
what the processes counted, so those figures are the same whichever process answers.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

import redis
from anyio import to_thread
from litestar import Request, Response, get
from litestar.exceptions import NotAuthorizedException
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from landform.core.db import utcnow
from landform.core.jobs.models import OutboxJob
from landform.core.settings import Settings
from landform.ops.health import HEARTBEAT_MAX_AGE_SECONDS, heartbeat_age, redis_client


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis_client(url).ping())
    except redis.RedisError:
        return False


@get("/readyz", include_in_schema=False, cache=False)
async def readyz(request: Request[Any, Any, Any], db_session: AsyncSession) -> Response[dict[str, str]]:
    """200 when the database, Redis (if configured) and a worker all answer; 503 naming what does not."""
    settings: Settings = request.app.state.settings
    checks: dict[str, str] = {}
    try:
        await db_session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unreachable"
    if settings.queue.redis_url:
        answers = await to_thread.run_sync(_redis_answers, settings.queue.redis_url)
        checks["redis"] = "ok" if answers else "unreachable"
    age = await heartbeat_age(settings)
    if age is None:
        checks["worker"] = "no heartbeat"
    elif age > HEARTBEAT_MAX_AGE_SECONDS:
        checks["worker"] = f"last heartbeat {age:.0f}s ago"
    else:
        checks["worker"] = "ok"
    ready = all(value == "ok" for value in checks.values())
    return Response({"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503)


async def _queue_metrics(db: AsyncSession, settings: Settings) -> CollectorRegistry:
    now = utcnow()
    pending = GaugeMetricFamily(
        "landform_outbox_pending_jobs", "Jobs written and not yet done (the queue's depth).", labels=["actor"]
    )
    oldest = GaugeMetricFamily(
        "landform_outbox_oldest_pending_seconds", "Age of the oldest job not yet done.", labels=["actor"]
    )
    failed = GaugeMetricFamily(
        "landform_outbox_failed_jobs", "Jobs that failed for good and need a person.", labels=["actor"]
    )
    rows = await db.execute(
        select(OutboxJob.actor_name, func.count(), func.min(OutboxJob.created_at))
        .where(OutboxJob.done_at.is_(None), OutboxJob.failed_at.is_(None))
        .group_by(OutboxJob.actor_name)
    )
    for actor, count, first in rows:
        pending.add_metric([actor], count)
        oldest.add_metric([actor], max(0.0, (now - first).total_seconds()) if first else 0.0)
    failed_rows = await db.execute(
        select(OutboxJob.actor_name, func.count())
        .where(OutboxJob.failed_at.is_not(None))
        .group_by(OutboxJob.actor_name)
    )
    for actor, count in failed_rows:
        failed.add_metric([actor], count)
    registry = CollectorRegistry(auto_describe=False)
    families = [pending, oldest, failed]
    age = await heartbeat_age(settings)
    if age is not None:
        families.append(
            GaugeMetricFamily(
                "landform_worker_heartbeat_age_seconds",
                "Seconds since a worker last ran its heartbeat job.",
                age,
            )
        )

    class Snapshot:
        def collect(self) -> list[GaugeMetricFamily]:
            return families

    registry.register(Snapshot())
    return registry


def _process_metrics() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


@get("/metrics", include_in_schema=False, cache=False)
async def metrics_endpoint(request: Request[Any, Any, Any], db_session: AsyncSession) -> Response[bytes]:
    """Prometheus text format: requests, submissions, jobs, and the queue as the database sees it."""
    settings: Settings = request.app.state.settings
    token = settings.ops.metrics_token
    if token and not hmac.compare_digest(request.headers.get("authorization", ""), f"Bearer {token}"):
        raise NotAuthorizedException(detail="Send the metrics token as: Authorization: Bearer <token>")
    body = generate_latest(_process_metrics()) + generate_latest(await _queue_metrics(db_session, settings))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
