"""Background work wiring: the jobs every process knows, and the in-process worker of the embedded default."""

from __future__ import annotations

import dramatiq
from dramatiq import Worker

import landform.crm_sink.actors
import landform.mail  # noqa: F401  (registers deliver_email)
from landform.outbox import Sweeper, configure_broker
from landform.settings import Settings

__all__ = ["EmbeddedWorker", "setup_broker"]


def setup_broker(settings: Settings) -> dramatiq.Broker:
    """The broker for this process, with every job declared on it."""
    return configure_broker(settings)


class EmbeddedWorker:
    """A dramatiq Worker and the outbox sweeper on threads of the app process (no Redis needed)."""

    def __init__(self, settings: Settings, broker: dramatiq.Broker) -> None:
        self.worker = Worker(broker, worker_threads=2, worker_timeout=100)
        self.sweeper = Sweeper(settings)

    def start(self) -> None:
        self.worker.start()
        self.sweeper.start()

    def stop(self) -> None:
        self.sweeper.stop()
        self.worker.stop(timeout=10_000)
