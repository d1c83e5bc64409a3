"""What `dramatiq` imports in each `landform worker` process: the Redis broker, and a sweeper per process."""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from landform.outbox import Sweeper
from landform.settings import get_settings
from landform.worker import setup_broker


class OutboxSweeper(Middleware):
    """Runs the outbox sweeper beside the worker threads; several processes sweeping is safe."""

    def __init__(self) -> None:
        self.sweeper: Sweeper | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        self.sweeper = Sweeper(get_settings())
        self.sweeper.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        if self.sweeper is not None:
            self.sweeper.stop()


broker = setup_broker(get_settings())
broker.add_middleware(OutboxSweeper())
