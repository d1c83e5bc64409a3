"""What `dramatiq` imports in each `landform worker` process: the Redis broker and a scheduler per process."""

from __future__ import annotations

from landform.core.heap import freeze_startup_heap
from landform.core.logs import configure_logging
from landform.core.settings import get_settings
from landform.ops.production import check_production
from landform.ops.schedule import RunSchedule
from landform.worker import setup_broker

check_production(get_settings(), worker=True)
configure_logging(get_settings())
broker = setup_broker(get_settings())
broker.add_middleware(RunSchedule())
freeze_startup_heap()  # every module a job needs is imported by now
