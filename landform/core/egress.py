"""Requests to addresses that tenants choose (webhook endpoints, the http proof of a custom domain).

Such a request must not reach into the network Landform runs in (SSRF). The host is resolved once,
every address it resolves to must be global unicast, also the IPv4 address an IPv6 one carries
(IPv4-mapped, NAT64, 6to4, Teredo), and the request connects to the address that was checked: asking
DNS a second time would let a host answer with a public address for the check and a private one for
the connection (DNS rebinding). The Host header, TLS SNI and the certificate check keep the host name.
Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping

import httpx

from landform.core.i18n import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64's well-known prefix (RFC 6052) is globally reachable by itself: the IPv4 address in its last
# 32 bits decides where a packet ends up.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Ranges that are never a public receiver, where Python's `is_global` (3.11) still says they are.
NOT_GLOBAL = tuple(
    ipaddress.ip_network(network)
    for network in (
        "192.0.0.0/24",  # IETF protocol assignments (its two anycast addresses are no webhook receivers)
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "::/96",  # IPv4-compatible (deprecated), ::1 and ::
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765)
        "64:ff9b:1::/48",  # NAT64 for local use (RFC 8215)
        "2001::/23",  # IETF protocol assignments: Teredo, benchmarking, ORCHID
        "3fff::/20",  # documentation (RFC 9637)
        "5f00::/16",  # SRv6 segment identifiers
        "fec0::/10",  # site-local (deprecated)
    )
)


class TargetRefused(ValueError):
    """The URL points somewhere Landform must not send requests."""


def _embedded(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, by any encoding a router or host may act on."""
    if isinstance(ip, ipaddress.IPv4Address):
        return []
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if ip in NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in found if address is not None]


def is_public(ip: IPAddress) -> bool:
    """Whether a request to `ip` goes to the public internet: global unicast, and so is what it embeds."""
    if ip.is_multicast or not ip.is_global or any(ip in network for network in NOT_GLOBAL):
        return False
    return all(is_public(inner) for inner in _embedded(ip))


def vetted_address(url: httpx.URL, *, allow_private: bool = False) -> str:
    """The address to connect to for `url`: its host resolved once; refused unless every answer is public.

    `allow_private` (development and tests) lets loopback and private addresses through.
    """
    host = url.raw_host.decode("ascii")
    if not host:
        raise TargetRefused(_("The address needs a host name and no user name or password."))
    try:
        port = url.port or (443 if url.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise TargetRefused(_("The host name %(host)s cannot be found.", host=url.host)) from None
    # An IPv6 link-local answer names its interface after a %; the address is what comes before.
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise TargetRefused(_("The host name %(host)s cannot be found.", host=url.host))
    if not allow_private and not all(is_public(address) for address in addresses):
        raise TargetRefused(_("The address points into a private network; use a public address."))
    return str(addresses[0])


def request(
    method: str,
    url: str,
    *,
    timeout: float,
    allow_private: bool = False,
    connect_to: str = "",
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """Send one request to `url`, connecting only to the address `vetted_address` checked.

    `connect_to` ("host:port") is an address the operator chose to connect to instead (the http proof
    of custom domains in tests); it is not checked. Raises TargetRefused or httpx.HTTPError.
    """
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL:
        raise TargetRefused(_("This is not a valid address.")) from None
    if target.scheme not in {"http", "https"}:
        raise TargetRefused(_("The address must start with https://."))
    if connect_to:
        via = httpx.URL(f"http://{connect_to}")
        address, port = via.host, via.port
    else:
        address, port = vetted_address(target, allow_private=allow_private), target.port
    host_name = target.raw_host.decode("ascii").rstrip(".")
    with httpx.Client(timeout=timeout, follow_redirects=False) as http:
        return http.request(
            method,
            target.copy_with(host=address, port=port),
            headers={**(headers or {}), "host": target.netloc.decode("ascii")},
            content=content,
            # TLS names and verifies the host the URL names, not the address connected to.
            extensions={"sni_hostname": host_name},
        )
