"""Registering endpoints: who may, which addresses are refused (SSRF), edit and delete."""

from __future__ import annotations

import ipaddress
import socket
import uuid
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from landform.core import egress
from landform.core.egress import TargetRefused
from landform.core.settings import WebhookSettings
from landform.webhooks import delivery, events
from landform.webhooks.endpoints import check_target
from landform.webhooks.models import WebhookEndpoint, WebhookEvent
from tests.conftest import log_in, post_form

STRICT = WebhookSettings(allow_private_targets=False, timeout_seconds=1.0)
PUBLIC = "93.184.215.14"


def _ipv4_in(network: str) -> st.SearchStrategy[ipaddress.IPv4Address]:
    net = ipaddress.IPv4Network(network)
    return st.integers(int(net.network_address), int(net.broadcast_address)).map(ipaddress.IPv4Address)


# Every IPv4 range a webhook must never reach.
PRIVATE_IPV4 = st.one_of(
    *(
        _ipv4_in(network)
        for network in (
            "0.0.0.0/8",
            "10.0.0.0/8",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "172.16.0.0/12",
            "192.0.0.0/24",
            "192.0.2.0/24",
            "192.168.0.0/16",
            "198.18.0.0/15",
            "198.51.100.0/24",
            "203.0.113.0/24",
            "224.0.0.0/4",
            "240.0.0.0/4",
        )
    )
)


def _encodings(ip: ipaddress.IPv4Address) -> list[str]:
    """The host part of URLs that reach `ip`: as written, and inside each kind of IPv6 address."""
    n = int(ip)
    teredo_client = n ^ 0xFFFFFFFF
    return [
        str(ip),
        str(n),  # decimal
        f"{n:#x}",  # hexadecimal
        ".".join(f"0{int(part):o}" for part in str(ip).split(".")),  # octal
        f"[::ffff:{ip}]",  # IPv4-mapped
        f"[::{ip}]",  # IPv4-compatible
        f"[::ffff:0:{ip}]",  # IPv4-translated
        f"[64:ff9b::{ip}]",  # NAT64
        f"[64:ff9b:1::{ip}]",  # NAT64 for local use
        f"[2002:{n >> 16:x}:{n & 0xFFFF:x}::]",  # 6to4
        # Teredo: the server's address, then the client's inverted
        f"[2001:0:{n >> 16:x}:{n & 0xFFFF:x}:0:0:{teredo_client >> 16:x}:{teredo_client & 0xFFFF:x}]",
    ]


@settings(max_examples=50, deadline=None)
@given(PRIVATE_IPV4)
def test_it_refuses_every_encoding_of_a_private_address_on_save_and_at_send_time(ip):
    for host in _encodings(ip):
        with pytest.raises(TargetRefused):
            check_target(f"https://{host}/hook", STRICT)
        with pytest.raises(TargetRefused):
            egress.request("POST", f"https://{host}/hook", timeout=1.0)


@pytest.mark.parametrize(
    "host",
    [
        "[fd00::1]",  # unique local
        "[fe80::1]",  # link-local
        "[fec0::1]",  # site-local
        "[ff02::1]",  # multicast
        "[2001:db8::1]",  # documentation
        "[2001:2::1]",  # benchmarking
        "[100::1]",  # discard
        "[::]",
        "[::1]",
        "localhost.",
        "127.0.0.1.",
        "example.com@127.0.0.1",
    ],
)
def test_it_refuses_ipv6_ranges_outside_the_public_internet(host):
    with pytest.raises(TargetRefused):
        check_target(f"https://{host}/hook", STRICT)


def test_it_accepts_public_addresses_also_inside_ipv6():
    for host in (PUBLIC, "[2606:4700::1111]", "[64:ff9b::5db8:d70e]", "[2002:5db8:d70e::]"):
        check_target(f"https://{host}/hook", STRICT)


@pytest.fixture
def listener() -> Iterator[Callable[[], bool]]:
    """A TCP port on loopback; calling the fixture's value tells whether anything connected to it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.3)

    def connected() -> bool:
        try:
            server.accept()[0].close()
        except TimeoutError:
            return False
        return True

    connected.port = server.getsockname()[1]  # type: ignore[attr-defined]
    yield connected
    server.close()


def test_it_never_connects_to_the_private_address_a_host_rebinds_to(listener, monkeypatch):
    # The receiver's name answers a public address first, loopback after that (DNS rebinding).
    answers = [PUBLIC, "127.0.0.1"]
    resolve = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.example":
            return resolve(host, port, *args, **kwargs)
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, listener.port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"https://rebind.example:{listener.port}/hook"
    endpoint = WebhookEndpoint(url=url, secret="whsec_test", tenant_id=uuid.uuid4())
    event = WebhookEvent(id=uuid.uuid4(), type=events.TEST_EVENT, payload={"id": "1"})
    attempt = delivery._post(endpoint, event, STRICT)
    assert attempt.error and attempt.status_code is None
    assert not listener(), "the request went to the address the host rebound to"


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
