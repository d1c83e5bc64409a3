"""Prometheus metrics that the app and the workers count (`GET /metrics` is in endpoints.py).

With several processes on a host (uvicorn workers, `landform worker --processes N`), set
PROMETHEUS_MULTIPROC_DIR for all of them to one directory that is emptied before they start:
prometheus_client then keeps each process's values in files there and /metrics adds them up.
Without it, /metrics reports only the process that answers.
"""

from __future__ import annotations

import os
from typing import Any

import dramatiq
import structlog
from dramatiq.broker import MessageProxy
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess, start_http_server

SUBMISSIONS = Counter(
    "landform_submissions_total",
    "Submissions to forms by outcome: accepted (stored and queued), spam (refused quietly), invalid (422).",
    ["outcome"],
)
JOB_LATENCY = Histogram(
    "landform_job_latency_seconds",
    "From a job being written (for route_submission: the submission stored) to its work being committed.",
    ["actor"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
JOB_FAILURES = Counter(
    "landform_job_failures_total",
    "Background jobs that raised an error on a worker (dramatiq retries them).",
    ["actor"],
)


def prometheus_config() -> PrometheusConfig:
    """Litestar's request metrics, by route template (not path) so form keys do not explode the labels."""
    return PrometheusConfig(
        app_name="landform",
        prefix="landform_http",
        group_path=True,
        exclude=[r"^/metrics$"],
        buckets=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    )


class WorkerObservability(dramatiq.Middleware):
    """Counts jobs that raise, and puts the job's name and message id on every log line it writes."""

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        structlog.contextvars.bind_contextvars(job=message.actor_name, message_id=message.message_id)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is not None:
            JOB_FAILURES.labels(message.actor_name).inc()
        structlog.contextvars.clear_contextvars()

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        structlog.contextvars.clear_contextvars()


def serve_worker_metrics() -> None:
    """A dramatiq fork function (`landform worker --metrics-port`): this host's worker metrics over HTTP.

    For hosts that run workers but no app process, whose /metrics would otherwise report them.
    """
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    port = int(os.environ["LANDFORM_WORKER_METRICS_PORT"])
    # Prometheus scrapes from another machine; keep the port off the public internet (see docs/deploy.md).
    _server, thread = start_http_server(port, addr="0.0.0.0", registry=registry)  # noqa: S104
    thread.join()
