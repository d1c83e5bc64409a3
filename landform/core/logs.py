"""Structured logs: one line per event (JSON in production), with the request id and without personal data.

Everything goes through the standard library's logging (so Litestar's, uvicorn's, dramatiq's and our
own `logging.getLogger(__name__)` records all come out alike), formatted by structlog. Before a line
is written, e-mail addresses are blanked out wherever they appear (messages, exception text, URLs)
and fields that name a person are dropped: log files end up in places a privacy statement does not
cover, so they must not hold what it protects.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any
from uuid import uuid4

import msgspec
import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from structlog.typing import EventDict, Processor

from landform.core import metrics
from landform.core.settings import Settings

# Fields that would name or reach a person; their values never reach a log line.
PERSONAL_FIELDS = frozenset(
    {"email", "first_name", "last_name", "name", "full_name", "phone", "recipient", "to", "password"}
)
# An address, also URL-encoded (`%40`) as it appears in logged query strings.
_EMAIL = re.compile(r"[\w.!#$%'*+^`{|}~-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")
# PostgreSQL quotes the offending values in constraint errors: "Key (email_key)=(a@b.nl) already exists".
_PG_KEY_DETAIL = re.compile(r"(Key \([^)]*\))=\(.*?\)(?= already exists| is not present|$)", re.MULTILINE)
# SQLAlchemy errors quote the statement's values on a line of their own: names, answers, addresses.
_SQL_PARAMETERS = re.compile(r"^\[parameters: .*$", re.MULTILINE)
REDACTED = "[redacted]"

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ACCESS_LOGGER = "landform.access"
# One line per request (RequestLog); configure_logging points it at the root handler's stream.
access_log: Any = structlog.stdlib.get_logger(ACCESS_LOGGER)


def scrub(text: str) -> str:
    """The text without e-mail addresses, or the values that database errors quote."""
    # Every value of every line passes here: most hold none of the three, which is cheaper to see first.
    if "@" not in text and "%40" not in text and "Key (" not in text and "[parameters: " not in text:
        return text
    text = _SQL_PARAMETERS.sub("[parameters: " + REDACTED + "]", text)
    return _PG_KEY_DETAIL.sub(r"\1=(" + REDACTED + ")", _EMAIL.sub("[email]", text))


def redact_personal_data(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    """A structlog processor: runs last before rendering, after exceptions became text."""
    for key, value in event_dict.items():
        if key in PERSONAL_FIELDS:
            event_dict[key] = REDACTED
        elif isinstance(value, str):
            event_dict[key] = scrub(value)
    return event_dict


def _processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # Tracebacks as plain text (never with local variables, which hold answers and addresses).
        structlog.processors.format_exc_info,
        redact_personal_data,
    ]


def _json_line(event: EventDict, **_options: Any) -> str:
    # msgspec rather than the standard library's json: a line per request is written on the hot path.
    return msgspec.json.encode(event, enc_hook=str).decode()


class _LandformHandler(logging.StreamHandler):
    """Our own handler on the root logger, so configuring twice replaces it instead of adding another."""


class _AccessLines:
    """Where access lines go: the stream of the root logger's handler, as one rendered line each.

    The access line is the one line every request writes. Through the standard library it cost about
    75 µs of a submission's ~1 ms (two LogRecords, a Formatter, the handler's lock); structlog's own
    bound logger renders the same fields with the same processors and writes them here directly, the
    way structlog's documentation advises where logging is on the hot path.
    """

    def __init__(self, handler: logging.StreamHandler[Any]) -> None:
        self.handler = handler

    def msg(self, line: str) -> None:
        stream = self.handler.stream
        stream.write(line + "\n")
        stream.flush()

    info = msg


def _named_access(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    event_dict["logger"] = ACCESS_LOGGER
    return event_dict


def configure_logging(settings: Settings) -> None:
    """Route every logger through structlog; idempotent, so every app and worker process may call it."""
    if settings.ops.log_format not in ("", "json", "console"):
        raise ValueError(f"LANDFORM_LOG_FORMAT is json or console, not {settings.ops.log_format!r}")
    renderer: Processor = (
        structlog.processors.JSONRenderer(serializer=_json_line)
        if settings.ops.json_logs
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.stdlib.PositionalArgumentsFormatter(),
            *_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    # dramatiq's worker processes come with a plain handler writing to the parent's pipe: reuse it.
    plain: list[logging.StreamHandler[Any]] = [
        h
        for h in root.handlers
        if isinstance(h, logging.StreamHandler) and type(h) in (logging.StreamHandler, _LandformHandler)
    ]
    if not plain:
        plain = [_LandformHandler(sys.stderr)]
        root.addHandler(plain[0])
    for handler in plain:
        handler.setFormatter(formatter)
    root.setLevel(logging.INFO)
    global access_log
    access_log = structlog.wrap_logger(
        _AccessLines(plain[0]),
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            _named_access,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_personal_data,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
    )
    # What no line shows is not gathered (the logging HOWTO's "Optimization"): the caller's file and line
    # (a walk up the stack on every record), thread, process and task names. A line per request pays it.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # uvicorn's access lines carry client addresses and query strings; ours (below) carry neither.
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _REQUEST_ID.fullmatch(candidate) else None
    return None


class RequestLog:
    """ASGI: gives every request an id (the proxy's X-Request-ID, or a new one), logs it, answers with it,
    and counts it in the HTTP metrics (ops/metrics.py).

    It wraps the whole app (create_app installs it), not a route: Litestar's middleware runs only for a
    matched route and sees an exception raised inside it (CSRF, a rate limit, a guard) before the app's
    exception handler has turned it into a response. Out here every answer passes, 404 and 405 included,
    and the status logged and counted is the one the client got.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid4().hex
        started = time.perf_counter()
        status = 500
        method = str(scope.get("method", "-"))
        counted = scope.get("path") not in metrics.UNCOUNTED_ROUTES
        if counted:
            metrics.request_in_progress(method).inc()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["x-request-id"] = request_id
            await send(message)

        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            # The route's template, not the path: paths carry tokens, and query strings addresses. The router
            # set it on the scope; a path no route matched (404, 405) has none.
            route = scope.get("path_template") or "(no route)"
            if counted:
                metrics.request_in_progress(method).dec()
                metrics.count_request(method, route, status, seconds)
            access_log.info(
                "request", method=method, route=route, status=status, duration_ms=round(seconds * 1000, 1)
            )
            structlog.contextvars.reset_contextvars(**bound)
