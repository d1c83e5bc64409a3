"""Prometheus metrics that the app and the workers count (`GET /metrics` is in endpoints.py).

With several processes on a host (uvicorn workers, `landform worker --processes N`), set
PROMETHEUS_MULTIPROC_DIR for all of them to one directory that is emptied before they start:
prometheus_client then keeps each process's values in files there and /metrics adds them up.
Without it, /metrics reports only the process that answers.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import dramatiq
import structlog
from dramatiq.broker import MessageProxy
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess, start_http_server

SUBMISSIONS = Counter(
    "landform_submissions_total",
    "Submissions to forms by outcome: accepted (stored and queued), spam (refused quietly), invalid (422),"
    " challenged (403: a proof of work is needed first).",
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


# Requests by method, route template (not path: form keys and tokens would explode the labels) and status.
# The names and labels of Litestar's Prometheus middleware, which these replace: counted in the request
# log (ops/logs.py), one layer fewer on every request and a dictionary lookup instead of
# four label lookups under a lock (docs/performance.md).
_HTTP_LABELS = ["method", "path", "status_code", "app_name"]
HTTP_REQUESTS = Counter("landform_http_requests_total", "Total requests", _HTTP_LABELS)
HTTP_ERRORS = Counter("landform_http_requests_error_total", "Total errors in requests", _HTTP_LABELS)
HTTP_DURATION = Histogram(
    "landform_http_request_duration_seconds",
    "Request duration, in seconds",
    _HTTP_LABELS,
    buckets=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
)
HTTP_IN_PROGRESS = Gauge(
    "landform_http_requests_in_progress",
    "Total requests currently in progress",
    _HTTP_LABELS,
    multiprocess_mode="livesum",
)
# Not counted: Prometheus's own scrapes.
UNCOUNTED_ROUTES = frozenset({"/metrics"})


@lru_cache(maxsize=64)
def request_in_progress(method: str) -> Any:
    """The in-progress gauge of requests by method.

    Without a route: a request is counted from before routing (ops/logs.py), so that those no route
    matches are counted too. Status not known yet: 200, as Litestar had it.
    """
    return HTTP_IN_PROGRESS.labels(method, "", "200", "landform")


@lru_cache(maxsize=4096)
def _request_counters(method: str, route: str, status: int) -> tuple[Any, Any, Any]:
    labels = (method, route, str(status), "landform")
    errors = HTTP_ERRORS.labels(*labels) if status >= 500 else None
    return HTTP_REQUESTS.labels(*labels), HTTP_DURATION.labels(*labels), errors


def count_request(method: str, route: str, status: int, seconds: float) -> None:
    """A request answered: counted, timed, and counted again as an error if the server failed it."""
    requests, duration, errors = _request_counters(method, route, status)
    requests.inc()
    duration.observe(seconds)
    if errors is not None:
        errors.inc()


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
