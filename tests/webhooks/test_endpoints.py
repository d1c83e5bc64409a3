"""Registering endpoints: who may, which addresses are refused (SSRF), edit and delete."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from landform.core.settings import WebhookSettings
from landform.webhooks.models import WebhookEndpoint
from landform.webhooks.services import TargetRefused, check_target
from tests.conftest import log_in, post_form

STRICT = WebhookSettings(allow_private_targets=False)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://user:pw@example.com/hook",
        "https://no-such-host.invalid/hook",
        "ftp://example.com/",
    ],
)
def test_it_refuses_addresses_outside_the_public_internet(url):
    with pytest.raises(TargetRefused):
        check_target(url, STRICT)


def test_it_accepts_a_public_https_address():
    check_target("https://93.184.215.14/hook", STRICT)


def test_it_lets_only_owners_and_admins_manage_webhooks(client, owner, marketer, sales_rep):
    for persona in (marketer, sales_rep):
        client.cookies.clear()
        log_in(client, persona)
        assert client.get("/app/webhooks/").status_code == 403
    client.cookies.clear()
    log_in(client, owner)
    assert client.get("/app/webhooks/").status_code == 200


def test_it_explains_what_is_wrong_with_an_endpoint(client, owner):
    log_in(client, owner)
    response = post_form(client, "/app/webhooks/", {"url": "ftp://example.com/x"})
    assert response.status_code == 422
    assert "must start with https://" in response.text and "Choose at least one event" in response.text


def test_it_edits_and_deletes_an_endpoint(client, db, owner, receiver):
    log_in(client, owner)
    post_form(client, "/app/webhooks/", {"url": receiver.url, "events": ["contact.created"]})
    endpoint = db.execute(select(WebhookEndpoint).execution_options(all_tenants=True)).scalar_one()
    response = post_form(
        client,
        f"/app/webhooks/{endpoint.id}",
        {"url": receiver.url + "/v2", "description": "ERP", "events": ["contact.updated", "bogus"]},
    )
    assert response.status_code == 200
    db.expire_all()
    endpoint = db.execute(select(WebhookEndpoint).execution_options(all_tenants=True)).scalar_one()
    assert endpoint.url.endswith("/v2") and endpoint.events == ["contact.updated"]
    post_form(client, f"/app/webhooks/{endpoint.id}/delete")
    db.expire_all()
    assert db.execute(select(WebhookEndpoint).execution_options(all_tenants=True)).first() is None
