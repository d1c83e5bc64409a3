"""Background work wiring: the jobs every process knows, and the in-process worker of the embedded default."""

from __future__ import annotations

import dramatiq
from dramatiq import Worker

from landform.core.jobs.broker import configure_broker
from landform.core.metrics import WorkerObservability
from landform.core.settings import Settings
from landform.ops.schedule import Scheduler, declare_periodic
from landform.wiring import wire

__all__ = ["EmbeddedWorker", "setup_broker"]


def setup_broker(settings: Settings) -> dramatiq.Broker:
    """The broker for this process, with every job and periodic job declared on it."""
    wire()
    broker = configure_broker(settings)
    declare_periodic(broker)
    broker.add_middleware(WorkerObservability())
    return broker


class EmbeddedWorker:
    """A dramatiq Worker and the periodic jobs' scheduler on threads of the app process (no Redis needed)."""

    def __init__(self, settings: Settings, broker: dramatiq.Broker) -> None:
        self.worker = Worker(broker, worker_threads=2, worker_timeout=100)
        self.scheduler = Scheduler(settings, broker)

    def start(self) -> None:
        self.worker.start()
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.stop()
        self.worker.stop(timeout=10_000)
