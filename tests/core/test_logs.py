"""Structured logs: a request id on every line of a request, and never an e-mail address or a name."""

from __future__ import annotations

import dataclasses
import io
import json
import logging

import pytest
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

from landform.app import create_app
from landform.core import logs
from landform.core.settings import get_settings
from tests.conftest import form_token, make_form

ADDRESS = "anna.de.boer@example.com"


@pytest.fixture
def log_lines(settings):
    """What the app writes to its log, as JSON lines (the production format)."""
    production = dataclasses.replace(
        settings, ops=dataclasses.replace(settings.ops, environment="production")
    )
    logs.configure_logging(production)
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, logs._LandformHandler)]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    handler.setStream(previous)
    logs.configure_logging(settings)


def test_it_logs_each_request_with_its_id_and_route_but_not_its_query(client, log_lines):
    response = client.get(
        f"/api/v1/contacts?email={ADDRESS}",
        headers={"X-Request-ID": "req-42", "Authorization": "Bearer nope"},
    )
    assert response.status_code == 401
    assert response.headers["x-request-id"] == "req-42"
    (line,) = [line for line in log_lines() if line["logger"] == "landform.access"]
    assert line | {"timestamp": None, "duration_ms": None} == {
        "event": "request",
        "method": "GET",
        "route": "/api/v1/contacts",
        "status": 401,
        "request_id": "req-42",
        "level": "info",
        "logger": "landform.access",
        "timestamp": None,
        "duration_ms": None,
    }
    fresh = client.get("/healthz", headers={"X-Request-ID": "not a valid id\n"}).headers["x-request-id"]
    assert len(fresh) == 32 and fresh != "req-42"


def _requests_to_the_intake(client) -> dict[tuple[str, str], float]:
    """POSTs to the intake so far, by metric and status, as /metrics reports them."""
    return {
        (sample.name, sample.labels["status_code"]): sample.value
        for family in text_string_to_metric_families(client.get("/metrics").text)
        for sample in family.samples
        if sample.labels.get("path") == "/f/{form_key}"
        and sample.labels.get("method") == "POST"
        and sample.name.endswith("_total")
    }


def test_it_logs_and_counts_refusals_with_the_status_the_client_got(log_lines, db, owner, monkeypatch):
    # A 429 of the rate limiter is no server error: the error-rate alert (docs/deploy.md) must not fire.
    monkeypatch.setenv("LANDFORM_INTAKE_LIMIT_PER_IP", "1")
    monkeypatch.setenv("LANDFORM_LOG_FORMAT", "json")  # the app configures logging again as it starts
    get_settings.cache_clear()
    form = make_form(db, owner)
    with TestClient(create_app(get_settings()), base_url="http://testserver.local") as client:
        before = _requests_to_the_intake(client)
        for n in range(2):
            token = form_token(client, f"/f/{form.key}")
            refused = client.post(
                f"/f/{form.key}", json={"first_name": "F", "email": f"f{n}@example.com", "_lf_token": token}
            )
        assert refused.status_code == 429
        assert client.post("/login", data={"email": "a@example.com"}).status_code == 403  # no CSRF token
        assert client.get("/no-such-page").status_code == 404
        after = _requests_to_the_intake(client)
    access = {(line["route"], line["status"]) for line in log_lines() if line["logger"] == "landform.access"}
    assert {("/f/{form_key}", 429), ("/login", 403), ("(no route)", 404)} <= access
    assert not [line for line in access if line[1] == 500]
    assert (
        after[("landform_http_requests_total", "429")]
        == before.get(("landform_http_requests_total", "429"), 0) + 1
    )
    assert after.get(("landform_http_requests_error_total", "429"), 0) == 0
    assert after.get(("landform_http_requests_total", "500"), 0) == before.get(
        ("landform_http_requests_total", "500"), 0
    )


def test_it_blanks_out_addresses_and_personal_fields_wherever_they_appear(log_lines):
    log = logging.getLogger("landform.test")
    try:
        raise ValueError(
            "duplicate key value violates unique constraint\n"
            f"DETAIL:  Key (tenant_id, email_key)=(42, {ADDRESS}) already exists.\n"
            "[SQL: INSERT INTO contact (first_name, last_name) VALUES (%(first_name)s, %(last_name)s)]\n"
            "[parameters: {'first_name': 'Anna', 'last_name': 'de Boer'}]"
        )
    except ValueError:
        log.exception("routing failed for %s", ADDRESS)
    logs.structlog.stdlib.get_logger("landform.test").info("sent", to=ADDRESS, first_name="Anna", count=2)
    text = json.dumps(log_lines())
    assert "example.com" not in text and "Anna" not in text
    failed, sent = log_lines()
    assert failed["event"] == "routing failed for [email]"
    assert "Key (tenant_id, email_key)=([redacted])" in failed["exception"]
    assert "[parameters: [redacted]]" in failed["exception"] and "de Boer" not in text
    assert (sent["to"], sent["first_name"], sent["count"]) == ("[redacted]", "[redacted]", 2)


def test_it_blanks_out_an_address_url_encoded_in_a_logged_value(log_lines):
    logs.structlog.stdlib.get_logger("landform.test").info(
        "fetched", url="/x?email=anna.de.boer%40example.com"
    )
    (line,) = log_lines()
    assert line["url"] == "/x?email=[email]"


def _configured(settings, **ops) -> str:
    """One line logged with these operations settings, as written."""
    logs.configure_logging(dataclasses.replace(settings, ops=dataclasses.replace(settings.ops, **ops)))
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, logs._LandformHandler)]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        logging.getLogger("landform.test").info("hello %s", "there")
    finally:
        handler.setStream(previous)
        logs.configure_logging(settings)
    return buffer.getvalue()


def test_it_writes_json_lines_wherever_the_operator_asks_and_console_lines_in_production_on_request(settings):
    line = json.loads(_configured(settings, environment="development", log_format="json"))
    assert (line["event"], line["logger"], line["level"]) == ("hello there", "landform.test", "info")
    console = _configured(settings, environment="production", log_format="console")
    assert "hello there" in console and not console.lstrip().startswith("{")


def test_it_refuses_a_log_format_it_does_not_know(settings):
    with pytest.raises(ValueError, match="LANDFORM_LOG_FORMAT is json or console, not 'xml'"):
        logs.configure_logging(
            dataclasses.replace(settings, ops=dataclasses.replace(settings.ops, log_format="xml"))
        )
    logs.configure_logging(settings)
