"""Custom domains: a tenant's own host name for its pages, and the proof that the host is theirs.

The tenant publishes a token we gave them: a TXT record `_landform-verify.<host>` holding
`landform-verify=<token>` (production), or a file `http://<host>/.well-known/landform-verify.txt`
(LANDFORM_DOMAIN_VERIFY=http, for tests and development). Only verified hosts of tenants whose plan
includes custom domains are routed (site/hosts.py).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import dns.asyncresolver
import dns.exception
import dns.resolver
import httpx
from anyio import to_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from landform.core import egress
from landform.core.db import utcnow
from landform.core.i18n import gettext as _
from landform.core.settings import Settings
from landform.site.models import Page, SiteDomain

log = logging.getLogger(__name__)

MAX_DOMAINS = 5
RECORD_PREFIX = "_landform-verify"
TOKEN_PREFIX = "landform-verify="  # noqa: S105 (a label, not a secret)
WELL_KNOWN = "/.well-known/landform-verify.txt"
# A verified host stops serving after this many failed re-checks in a row over at least this long.
RECHECK_FAILURES = 3
RECHECK_SPAN = timedelta(days=3)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# Names no tenant can own: they are nobody's, or they would be ours.
_RESERVED_SUFFIXES = ("localhost", "local", "internal", "invalid", "example", "arpa", "home", "lan")


class DomainInvalid(Exception):
    """A host name that cannot be added; the message says why, for the marketer."""


def normalize_host(raw: str, settings: Settings) -> str:
    """A host name as we store it (lower case, ASCII, no port or dot at the end); raises DomainInvalid."""
    text = raw.strip().lower()
    if "://" in text:  # a pasted address: keep its host
        text = urlsplit(text).hostname or ""
    text = text.rstrip(".")
    if not text:
        raise DomainInvalid(_("Fill in a host name, like go.bakkerij.nl."))
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        pass
    else:
        raise DomainInvalid(_("Use a host name, not an IP address."))
    if any(c in text for c in "/:@?#\\ ") or len(text) > 253:
        raise DomainInvalid(_("Fill in only the host name, like go.bakkerij.nl, without https:// or a path."))
    try:
        host = text.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise DomainInvalid(_("This is not a valid host name.")) from error
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise DomainInvalid(
            _("This is not a valid host name. Use letters, digits and hyphens, like go.bakkerij.nl.")
        )
    ours = (urlsplit(settings.server.base_url).hostname or "").lower()
    if ours and (host == ours or host.endswith("." + ours) or ours.endswith("." + host)):
        raise DomainInvalid(_("This host name belongs to Landform. Use a host name of your own."))
    if not re.match(r"^(xn--[a-z0-9-]+|[a-z]{2,63})$", labels[-1]) or labels[-1] in _RESERVED_SUFFIXES:
        raise DomainInvalid(_("This host name does not end in a domain that can be registered."))
    return host


def record_name(host: str) -> str:
    return f"{RECORD_PREFIX}.{host}"


def record_value(domain: SiteDomain) -> str:
    return f"{TOKEN_PREFIX}{domain.token}"


def failure_text(code: str) -> str:
    """Why the last check failed, in the marketer's language."""
    texts = {
        "no_record": _("We found no TXT record at the name below. DNS changes can take up to a few hours."),
        "wrong_token": _("The record was found but holds another value. Copy the value below exactly."),
        "lookup_failed": _("The name servers of this domain did not answer. Try again in a few minutes."),
        "unreachable": _("The host did not answer over HTTP."),
        "private": _(
            "The host name points into a private network. Use a host that is reachable on the internet."
        ),
        "plan": _("Your plan does not include custom domains."),
    }
    return texts.get(code, _("The check failed."))


async def domains(db: AsyncSession) -> list[SiteDomain]:
    return list((await db.execute(select(SiteDomain).order_by(SiteDomain.created_at))).scalars())


async def add_domain(db: AsyncSession, raw_host: str, settings: Settings) -> SiteDomain:
    """Register a host name for the scoped tenant, pending its check; raises DomainInvalid."""
    host = normalize_host(raw_host, settings)
    taken = (
        await db.execute(
            select(SiteDomain.id).where(SiteDomain.host == host).execution_options(all_tenants=True)
        )
    ).first()
    if taken is not None:
        raise DomainInvalid(_("This host name is already connected to a Landform account."))
    count = (await db.execute(select(func.count()).select_from(SiteDomain))).scalar_one()
    if count >= MAX_DOMAINS:
        raise DomainInvalid(_("You can connect at most %(n)d host names.", n=MAX_DOMAINS))
    domain = SiteDomain(host=host, token=secrets.token_urlsafe(24), status="pending", failure="")
    db.add(domain)
    await db.flush()
    return domain


async def _dns_proof(host: str) -> tuple[bool, str, list[str]]:
    try:
        answer = await dns.asyncresolver.resolve(record_name(host), "TXT", lifetime=5.0)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return False, "no_record", []
    except (dns.exception.DNSException, OSError):
        return False, "lookup_failed", []
    values = [b"".join(rdata.strings).decode("utf-8", "replace").strip() for rdata in answer]
    return True, "", values


async def _http_proof(host: str, settings: Settings) -> tuple[bool, str, list[str]]:
    # The tenant chose the host: the request goes through the same SSRF guard as webhooks, unless the
    # operator named the address to connect to (tests and development).
    fetch = partial(
        egress.request,
        "GET",
        f"http://{host}{WELL_KNOWN}",
        timeout=5.0,
        connect_to=settings.domains.http_connect,
    )
    try:
        response = await to_thread.run_sync(fetch)
    except egress.TargetRefused:
        return False, "private", []
    except httpx.HTTPError:
        return False, "unreachable", []
    if response.status_code != 200:
        return False, "no_record", []
    return True, "", [line.strip() for line in response.text[:4096].splitlines()]


async def prove(host: str, token: str, settings: Settings) -> str:
    """Look for the token where the tenant was asked to publish it: "" when found, else why not."""
    if settings.domains.verify == "http":
        found, failure, values = await _http_proof(host, settings)
    else:
        found, failure, values = await _dns_proof(host)
    if found and not {f"{TOKEN_PREFIX}{token}", token} & set(values):
        failure = "wrong_token"
    return failure


def record_check(domain: SiteDomain, failure: str, now: datetime | None = None) -> bool:
    """Apply a check's outcome; True when the host is (still) verified.

    A host that was never verified fails at once. A verified host keeps serving through a bad
    answer (a DNS provider's outage, a record being moved): it fails only after RECHECK_FAILURES
    failed checks in a row spanning at least RECHECK_SPAN.
    """
    now = now or utcnow()
    domain.checked_at = now
    if not failure:
        domain.status, domain.failure = "verified", ""
        domain.failed_checks, domain.failing_since = 0, None
        domain.verified_at = domain.verified_at or now
        return True
    log.info("domains: check of %s failed (%s)", domain.host, failure)
    domain.failure = failure
    if domain.status != "verified":
        domain.status = "failed"
        return False
    domain.failed_checks = (domain.failed_checks or 0) + 1
    domain.failing_since = domain.failing_since or now
    if domain.failed_checks >= RECHECK_FAILURES and now - domain.failing_since >= RECHECK_SPAN:
        domain.status = "failed"
        log.warning(
            "domains: %s failed %d checks since %s; no longer served",
            domain.host,
            domain.failed_checks,
            domain.failing_since,
        )
    return domain.status == "verified"


async def check_domain(domain: SiteDomain, settings: Settings) -> bool:
    """Check the domain now and record the outcome (the dashboard's "check again")."""
    return record_check(domain, await prove(domain.host, domain.token, settings))


async def published_pages(db: AsyncSession) -> list[Page]:
    """The scoped tenant's published pages, the choices for a host's home page."""
    query = select(Page).where(Page.published_at.is_not(None)).order_by(Page.slug)
    return list((await db.execute(query)).scalars())


async def set_home_page(db: AsyncSession, domain: SiteDomain, raw_page_id: str) -> Page | None:
    """Show this published page of the tenant's at the bare host ("" for none); raises DomainInvalid."""
    if not raw_page_id.strip():
        domain.home_page_id = None
        return None
    try:
        page_id = UUID(raw_page_id.strip())
    except ValueError:
        page_id = None
    # Tenant-scoped: another tenant's page id finds nothing, exactly like a page that does not exist.
    page = (
        (
            await db.execute(select(Page).where(Page.id == page_id, Page.published_at.is_not(None)))
        ).scalar_one_or_none()
        if page_id
        else None
    )
    if page is None:
        raise DomainInvalid(_("Choose one of your published pages."))
    domain.home_page_id = page.id
    return page


async def domain_or_none(db: AsyncSession, domain_id: UUID) -> SiteDomain | None:
    return (await db.execute(select(SiteDomain).where(SiteDomain.id == domain_id))).scalar_one_or_none()


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def instructions(domain: SiteDomain, settings: Settings) -> dict[str, Any]:
    """What the dashboard shows to publish the token and point the host at us."""
    target = urlsplit(settings.server.base_url).hostname or ""
    return {
        "record_name": record_name(domain.host),
        "record_value": record_value(domain),
        "cname_target": target,
        "target_is_address": _is_address(target),
        "well_known": f"http://{domain.host}{WELL_KNOWN}",
        "method": settings.domains.verify,
    }
