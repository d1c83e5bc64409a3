"""This process's dramatiq broker, with an actor declared on it for every registered job."""

from __future__ import annotations

from collections.abc import Callable

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage

from landform.core.jobs.registry import registered_jobs
from landform.core.jobs.runner import run_job
from landform.core.settings import Settings


def _actor_for(actor_name: str) -> Callable[[str], None]:
    def actor(job_id: str) -> None:
        run_job(actor_name, job_id)

    actor.__name__ = actor_name
    return actor


def configure_broker(settings: Settings) -> dramatiq.Broker:
    """Build this process's broker (Redis, or in-process) and declare every registered job on it."""
    broker: dramatiq.Broker
    if settings.queue.redis_url:
        broker = RedisBroker(url=settings.queue.redis_url, namespace=settings.queue.namespace)
    else:
        broker = StubBroker()
        broker.emit_after("process_boot")
    # Batch jobs read their message's send time (see runner's _RecentlyDone).
    broker.add_middleware(CurrentMessage())
    dramatiq.set_broker(broker)
    for name, (_fn, options) in registered_jobs.items():
        dramatiq.actor(broker=broker, actor_name=name, **options)(_actor_for(name))
    return broker
