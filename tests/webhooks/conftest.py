"""A real HTTP receiver on loopback, and settings that allow it and retry quickly."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from landform.billing import plans, quotas
from landform.core.settings import Settings, get_settings


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every request; answers with the next status in `statuses` (then 200)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of_type(self, event_type: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.headers.get("landform-event") == event_type]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with state.lock:
                state.requests.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                status = state.statuses.pop(0) if state.statuses else 200
            reply = b'{"ok": true}' if status < 300 else b"receiver is down"
            self.send_response(status)
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    for name, value in {
        "LANDFORM_WEBHOOK_ALLOW_PRIVATE": "true",
        "LANDFORM_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
        "LANDFORM_WEBHOOK_MAX_ATTEMPTS": "4",
        "LANDFORM_WEBHOOK_DISABLE_AFTER_FAILURES": "6",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def webhooks_on_free(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about delivering, so Free has webhooks here (test_plan.py tests the real Free)."""
    free = replace(plans.FREE, features=plans.FREE.features | {"webhooks"})
    monkeypatch.setattr(quotas, "FREE", free)
    monkeypatch.setitem(plans.PLANS, "free", free)
