"""Hostile input over the intake, the API's submissions and the builder: whatever arrives, never a 500."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.routes import HTTPRoute
from sqlalchemy import func, select

from landform.core.db import scope_to_tenant
from landform.core.settings import get_settings
from landform.crm_sink.models import Submission
from landform.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.conftest import csrf_token, log_in, make_form
from tests.crm_sink.test_api import _api_key

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
        "application/xml",
        "",
        "application/json; charset=latin-1",
    ]
)
TEXT = (
    st.text(st.characters(codec="utf-8"), max_size=300)
    | st.just("x" * 70_000)
    | st.just("\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
# Bodies no JSON parser should choke on, each under the intake's 64 KiB limit: nesting far deeper than
# Python's recursion limit, and strings that are not UTF-8 or escape half a surrogate pair.
UNREADABLE_JSON = {
    "deep arrays": b"[" * 30_000 + b"]" * 30_000,
    "deep objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "invalid UTF-8": b'{"first_name": "Em\xff\xfe", "email": "em@example.com"}',
    "invalid UTF-8 in a name": b'{"\xc3\x28": "x", "email": "em@example.com"}',
    "lone high surrogate": b'{"first_name": "\\ud800", "email": "em@example.com"}',
    "lone low surrogate": b'{"first_name": "\\udc00", "email": "em@example.com"}',
}


@pytest.fixture
def settings(settings, monkeypatch):
    """With a Stripe webhook secret: without one the Stripe webhook answers 503 before reading."""
    monkeypatch.setenv("LANDFORM_STRIPE_WEBHOOK_SECRET", "whsec_test")
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def form(db, owner):
    """One form for all examples of a test (hypothesis reuses function-scoped fixtures across examples)."""
    return make_form(db, owner)


@pytest.fixture(params=["intake", "api"])
def submit_to(request, client, owner, form):
    """Where a submission goes, with what headers: the public intake, or the API with a real key."""
    if request.param == "intake":
        return f"/f/{form.key}", {"Accept": "application/json"}
    key = _api_key(client, owner)
    return f"/api/v1/forms/{form.key}/submissions", {"Authorization": f"Bearer {key}"}


@FUZZ
@given(body=st.binary(max_size=2000), content_type=CONTENT_TYPES)
def test_it_never_fails_on_arbitrary_bytes(client, submit_to, body, content_type):
    url, headers = submit_to
    response = client.post(url, content=body, headers={"Content-Type": content_type, **headers})
    assert response.status_code < 500, response.text


@pytest.mark.parametrize("body", UNREADABLE_JSON.values(), ids=UNREADABLE_JSON.keys())
def test_it_answers_400_to_json_it_cannot_read(client, db, submit_to, body):
    url, headers = submit_to
    response = client.post(url, content=body, headers={"Content-Type": "application/json", **headers})
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == "The body is not valid JSON."
    assert db.execute(select(func.count(Submission.id)).execution_options(all_tenants=True)).scalar_one() == 0


@FUZZ
@given(
    answers=st.dictionaries(
        st.sampled_from(["first_name", "last_name", "email", "_lf_token", "homepage_url"]) | TEXT,
        JSON_VALUES,
        max_size=6,
    )
)
def test_it_never_fails_on_arbitrary_json_answers(client, submit_to, answers):
    url, headers = submit_to
    response = client.post(url, json=answers, headers=headers)
    assert response.status_code < 500, response.text


@FUZZ
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "type",
                "label_nl",
                "label_en",
                "help_nl",
                "options",
                "maps_to",
                "source",
                "required",
                "default",
                "placeholder_en",
            ]
        ),
        TEXT,
        max_size=8,
    )
)
def test_it_never_fails_on_arbitrary_builder_input(client, owner, form, data):
    if "landform_session" not in client.cookies:
        log_in(client, owner)
    response = client.post(
        f"/app/forms/{form.id}/fields", data={"_csrf_token": client.cookies["landform_csrf"], **data}
    )
    assert response.status_code < 500, response.text


def _privacy_notice(db, owner) -> WebhookEvent:
    """A notice to one endpoint, so a receiver's acknowledgement URL names an event that exists."""
    scope_to_tenant(db, owner.tenant_id)
    endpoint = WebhookEndpoint(
        tenant_id=owner.tenant_id,
        url="https://crm.example.com/hook",
        events=["contact.erased"],
        secret="whsec_x",
    )
    event = WebhookEvent(tenant_id=owner.tenant_id, type="contact.erased", payload={})
    db.add_all([endpoint, event])
    db.flush()
    db.add(WebhookDelivery(tenant_id=owner.tenant_id, event_id=event.id, endpoint_id=endpoint.id))
    db.commit()
    return event


def test_it_never_fails_on_unreadable_bodies_at_any_public_endpoint(app, client, db, owner, form):
    """Every POST outside the dashboard, from the route table: portal, consent, log-in, Stripe, the API,
    a receiver's acknowledgement of a privacy notice. A path parameter not listed here fails the test."""
    values = {
        "form_key": form.key,
        "tenant_slug": owner.tenant_slug,
        "slug": owner.tenant_slug,
        "event_id": str(_privacy_notice(db, owner).id),
    }
    headers = {
        "X-CSRFToken": csrf_token(client),
        "Authorization": f"Bearer {_api_key(client, owner)}",
        "Stripe-Signature": "t=1,v1=0",
    }
    content_types = [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ]
    checked = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "POST" not in route.methods or route.path.startswith("/app"):
            continue
        url = re.sub(r"{(\w+):\w+}", lambda match: values[match[1]], route.path)
        for content_type in content_types:
            for name, body in UNREADABLE_JSON.items():
                response = client.post(url, content=body, headers={"Content-Type": content_type, **headers})
                assert response.status_code < 500, (url, content_type, name, response.text[:200])
                checked += 1
    assert checked >= 15 * len(content_types) * len(UNREADABLE_JSON)
