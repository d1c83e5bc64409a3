"""Every answer carries the security headers and a request id, also those no route handler wrote."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from landform.app import create_app
from landform.settings import get_settings
from tests.conftest import form_token, make_form


def _protected(response: Any) -> None:
    """What keeps a page from being framed, sniffed or leaking its address, and ties it to its log line."""
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert len(headers["x-request-id"]) == 32


def test_it_protects_the_csrf_refusal_of_the_login_page(client):
    refused = client.post("/login", data={"email": "a@example.com", "password": "x"})
    assert refused.status_code == 403
    _protected(refused)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no-such-page", 404), ("GET", "/app/no-such-page", 404), ("DELETE", "/login", 405)],
)
def test_it_protects_answers_no_route_gave(client, method, path, status):
    response = client.request(method, path)
    assert response.status_code == status
    _protected(response)


def test_it_protects_the_api_schema(client):
    for path in ("/api/v1/schema", "/api/v1/schema/openapi.json"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("application/")  # no HTML viewer loading scripts
        _protected(response)


def test_it_protects_the_intakes_429_with_its_hosted_policy(db, owner, monkeypatch, settings):
    monkeypatch.setenv("LANDFORM_INTAKE_LIMIT_PER_IP", "1")
    get_settings.cache_clear()
    form = make_form(db, owner)
    with TestClient(create_app(get_settings()), base_url="http://testserver.local") as client:
        statuses = []
        for n in range(2):
            token = form_token(client, f"/f/{form.key}")
            response = client.post(
                f"/f/{form.key}", json={"first_name": "F", "email": f"f{n}@example.com", "_lf_token": token}
            )
            statuses.append(response.status_code)
    assert statuses == [201, 429]
    headers = response.headers
    assert "frame-ancestors 'self'" in headers["content-security-policy"]  # a form may sit in its own page
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert len(headers["x-request-id"]) == 32
