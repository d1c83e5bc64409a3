"""Billing fixtures: localstripe on loopback, Stripe settings pointing at it, signed webhook delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe

from landform.billing import stripe_gateway
from landform.core.settings import Settings, get_settings
from tests.conftest import unavailable

WEBHOOK_SECRET = "whsec_test_landform"
PRICE_PRO = "price_landform_pro"
PRICE_BUSINESS = "price_landform_business"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """localstripe in a subprocess on a free loopback port, with the two plans as Stripe prices."""
    port = _free_port()
    script = Path(__file__).with_name("localstripe_server.py")
    process = subprocess.Popen(
        [sys.executable, str(script), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/v1/plans", auth=("sk_test_landform", ""), timeout=1)
            break
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                unavailable("localstripe", (process.stderr.read() if process.stderr else b"").decode()[-500:])
            time.sleep(0.1)
    client = stripe.StripeClient("sk_test_landform", base_addresses={"api": url})
    for plan_id, cents, name in ((PRICE_PRO, 4900, "Pro"), (PRICE_BUSINESS, 19900, "Business")):
        client.v1.plans.create(
            params={
                "id": plan_id,
                "amount": cents,
                "currency": "eur",
                "interval": "month",
                "product": {"name": name},
            }
        )
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test settings plus a webhook secret and the plans' prices (no API key: Stripe is not called)."""
    monkeypatch.setenv("LANDFORM_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("LANDFORM_STRIPE_PRICE_PRO", PRICE_PRO)
    monkeypatch.setenv("LANDFORM_STRIPE_PRICE_BUSINESS", PRICE_BUSINESS)
    get_settings.cache_clear()
    return get_settings()


def use_localstripe(monkeypatch: pytest.MonkeyPatch, url: str) -> Settings:
    """Point the settings at localstripe (call it from a module's own `settings` fixture)."""
    monkeypatch.setenv("LANDFORM_STRIPE_API_KEY", "sk_test_landform")
    monkeypatch.setenv("LANDFORM_STRIPE_API_BASE", url)
    get_settings.cache_clear()
    return get_settings()


def stripe_client(settings: Settings) -> stripe.StripeClient:
    return stripe.StripeClient(settings.stripe.api_key, base_addresses={"api": settings.stripe.api_base})


def signature(payload: str, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send for this body."""
    at = at or int(time.time())
    digest = hmac.new(secret.encode(), f"{at}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def deliver(client: Any, event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> Any:
    """POST an event to our webhook, signed like Stripe signs it."""
    payload = json.dumps(event)
    return client.post(
        "/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": signature(payload, secret), "Content-Type": "application/json"},
    )


def event(kind: str, obj: dict[str, Any], created: int, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{kind.replace('.', '_')}_{created}",
        "object": "event",
        "type": kind,
        "created": created,
        "data": {"object": obj},
    }


class LocalstripeEvents:
    """localstripe's event log, delivered to our webhook in the order it happened (like `stripe listen`)."""

    def __init__(self, settings: Settings) -> None:
        self.client = stripe_client(settings)
        self.delivered: set[str] = set()
        self.skip_existing()

    def _all(self) -> list[dict[str, Any]]:
        # Every page: localstripe keeps every test's events in one store.
        listed = self.client.v1.events.list(params={"limit": 100}).auto_paging_iter()
        return sorted((e.to_dict() for e in listed), key=lambda e: e["created"])

    def skip_existing(self) -> None:
        self.delivered |= {e["id"] for e in self._all()}

    def new(self, *kinds: str) -> list[dict[str, Any]]:
        fresh = [e for e in self._all() if e["id"] not in self.delivered]
        self.delivered |= {e["id"] for e in fresh}
        return [e for e in fresh if not kinds or e["type"] in kinds]


# A checkout.session and a billing_portal.session as Stripe answers them (trimmed from Stripe's API
# reference); localstripe has neither endpoint.
RECORDED = {
    "/v1/checkout/sessions": {
        "id": "cs_test_a1b2c3",
        "object": "checkout.session",
        "mode": "subscription",
        "status": "open",
        "url": "https://checkout.stripe.com/c/pay/cs_test_a1b2c3",
        "customer": None,
        "client_reference_id": None,
        "subscription": None,
    },
    "/v1/billing_portal/sessions": {
        "id": "bps_test_a1b2c3",
        "object": "billing_portal.session",
        "url": "https://billing.stripe.com/p/session/test_a1b2c3",
        "customer": None,
        "return_url": None,
    },
}


class RecordedStripe(stripe.RequestsClient):
    """The SDK's own HTTP client, except that Checkout and the portal answer from RECORDED.

    Every POST is kept (`calls`: path and form-encoded parameters as sent), so tests can check what
    our code sent Stripe.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict[str, str]]] = []

    def request(self, method: str, url: str, headers: Any, post_data: Any = None) -> Any:
        path = httpx.URL(url).path
        params = dict(
            httpx.QueryParams(post_data.decode() if isinstance(post_data, bytes) else post_data or "")
        )
        if method == "post":
            self.calls.append((path, params))
        if method == "post" and path in RECORDED:
            body = dict(RECORDED[path])
            body["customer"] = params.get("customer")
            if "client_reference_id" in body:
                body["client_reference_id"] = params.get("client_reference_id")
            return json.dumps(body), 200, {"request-id": "req_recorded"}
        return super().request(method, url, headers, post_data)


@pytest.fixture
def recorded_stripe(monkeypatch: pytest.MonkeyPatch) -> RecordedStripe:
    recorder = RecordedStripe()
    monkeypatch.setattr(stripe_gateway, "HTTP_CLIENT", recorder)
    return recorder
