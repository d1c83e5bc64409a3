"""Custom domains: adding and proving a host, the plan gate, and pages served by the Host header."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.resolver
import pytest
import time_machine
from sqlalchemy import select

from landform.accounts.models import Role, Tenant, User
from landform.billing.models import Subscription
from landform.core.db import scope_to_tenant, sync_session, utcnow
from landform.core.mail import EmailMessage
from landform.core.settings import DomainSettings, get_settings
from landform.forms.embed import EXTENSIONS
from landform.site.domain_checks import recheck_verified
from landform.site.domains import check_domain, prove
from landform.site.models import Page, SiteDomain, SiteImage
from landform.site.services import publish_sync
from tests.conftest import csrf_token, form_token, log_in, make_form, make_page, make_user, post_form

HOST = "go.acme.test"
OTHER_HOST = "go.globex.test"


class TokenSite:
    """The tenant's web server as the http check sees it: a token file per host name."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.asked: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host = self.headers.get("host", "")
                site.asked.append(f"{host}{self.path}")
                body = site.files.get(host)
                if self.path != "/.well-known/landform-verify.txt" or body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def token_site() -> Iterator[TokenSite]:
    site = TokenSite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture
def settings(settings, token_site, monkeypatch):
    """The http ownership check, against the local token site; hosts re-read at every change."""
    monkeypatch.setenv("LANDFORM_DOMAIN_VERIFY", "http")
    monkeypatch.setenv("LANDFORM_DOMAIN_VERIFY_HTTP_CONNECT", token_site.address)
    get_settings.cache_clear()
    return get_settings()


def _business(db, persona) -> None:
    db.add(Subscription(tenant_id=persona.tenant_id, plan="business", status="active"))
    db.commit()


def _domain(db, host: str = HOST) -> SiteDomain:
    db.expire_all()
    return db.execute(
        select(SiteDomain).where(SiteDomain.host == host).execution_options(all_tenants=True)
    ).scalar_one()


def _add_and_verify(client, db, token_site, host: str = HOST) -> SiteDomain:
    response = post_form(client, "/app/pages/domains", {"host": host}, follow_redirects=False)
    assert response.status_code == 302, response.text
    domain = _domain(db, host)
    token_site.files[host] = f"landform-verify={domain.token}\n"
    checked = post_form(client, f"/app/pages/domains/{domain.id}/check", follow_redirects=False)
    assert checked.status_code == 302
    assert _domain(db, host).status == "verified"
    return domain


def _on(host: str) -> dict[str, str]:
    return {"host": host, "accept-language": "en"}


@pytest.fixture
def acme_site(client, db, owner, token_site):
    """Tenant acme on Business with a published page "offer" (and its form) and go.acme.test verified."""
    form = make_form(db, owner)
    page = make_page(db, owner, form)
    _business(db, owner)
    log_in(client, owner)
    domain = _add_and_verify(client, db, token_site)
    return {"form": form, "page": page, "domain": domain}


@pytest.fixture
def globex_site(settings, stranger):
    """Tenant globex with its own published page "secret-plans" and a form, on our host only."""
    with sync_session(settings.database.sync_url) as other:
        other.info["all_tenants"] = True
        form = make_form(other, stranger, name="Globex form")
        page = make_page(other, stranger, form, slug="secret-plans")
        scope_to_tenant(other, stranger.tenant_id)
        image = SiteImage(
            tenant_id=stranger.tenant_id, content_type="image/png", width=1, height=1, data=b"x"
        )
        other.add(image)
        other.commit()
        return {"form_key": form.key, "page_id": page.id, "image_id": image.id}


def test_it_shows_the_token_and_verifies_the_host_once_it_is_published(client, db, owner, token_site):
    _business(db, owner)
    log_in(client, owner)
    screen = client.get("/app/pages/domains")
    assert screen.status_code == 200 and "Add a host name" in screen.text

    post_form(client, "/app/pages/domains", {"host": "Go.Acme.TEST."}, follow_redirects=False)
    domain = _domain(db)
    assert domain.status == "pending"
    screen = client.get("/app/pages/domains")
    assert f"landform-verify={domain.token}" in screen.text and "Waiting for your record" in screen.text

    # Nothing published yet: the check fails and says why; the host does not serve pages.
    post_form(client, f"/app/pages/domains/{domain.id}/check")
    assert _domain(db).status == "failed" and _domain(db).failure == "no_record"
    assert "No page or text file" not in client.get("/app/pages/domains").text
    assert "Check failed" in client.get("/app/pages/domains").text

    token_site.files[HOST] = "landform-verify=somebody-elses-token"
    post_form(client, f"/app/pages/domains/{domain.id}/check")
    assert _domain(db).failure == "wrong_token"
    assert "holds another value" in client.get("/app/pages/domains").text

    token_site.files[HOST] = f"landform-verify={domain.token}\n"
    post_form(client, f"/app/pages/domains/{domain.id}/check")
    assert _domain(db).status == "verified"
    assert f"{HOST}/.well-known/landform-verify.txt" in token_site.asked
    assert "https://go.acme.test/embed.js" in client.get("/app/pages/domains").text


def test_the_http_check_never_asks_a_host_that_resolves_into_a_private_network(token_site, monkeypatch):
    host = "go.rebind.test"
    token_site.files[host] = "landform-verify=t0ken\n"
    port = int(token_site.address.rsplit(":", 1)[1])
    resolve = socket.getaddrinfo

    def to_loopback(name, *args, **kwargs):
        if name != host:
            return resolve(name, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", to_loopback)
    # No address to connect to instead: the check goes to the host's own address, which is refused.
    settings = replace(get_settings(), domains=DomainSettings(verify="http"))
    assert asyncio.run(prove(host, "t0ken", settings)) == "private"
    assert token_site.asked == []


def test_it_gives_the_instructions_in_dutch_too(client, db, owner):
    _business(db, owner)
    log_in(client, owner)
    post_form(client, "/app/pages/domains", {"host": HOST})
    screen = client.get("/app/pages/domains?lang=nl")
    assert "Eigen domeinnamen" in screen.text and "Nu controleren" in screen.text
    assert "tekstbestand" in screen.text  # the http check in tests; production shows the TXT record


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("", "Fill in a host name"),
        ("203.0.113.7", "not an IP address"),
        ("[2001:db8::1]", "not an IP address"),
        ("testserver.local", "belongs to Landform"),
        ("pages.testserver.local", "belongs to Landform"),
        ("localhost", "not a valid host name"),
        ("intranet.localhost", "can be registered"),
        ("go.bakkerij.nl/offer", "without https:// or a path"),
        ("-bad-.example.nl", "not a valid host name"),
        ('"><script>alert(1)</script>.nl', "without https:// or a path"),
        ("a" * 64 + ".nl", "not a valid host name"),
    ],
)
def test_it_refuses_what_is_not_a_host_name_of_the_tenants_own(client, db, owner, host, why):
    _business(db, owner)
    log_in(client, owner)
    response = post_form(client, "/app/pages/domains", {"host": host})
    assert response.status_code == 422
    assert why in response.text
    assert "<script>alert(1)" not in response.text  # echoed back inert
    assert db.execute(select(SiteDomain).execution_options(all_tenants=True)).first() is None


def test_it_accepts_a_pasted_address_and_an_international_name(client, db, owner):
    _business(db, owner)
    log_in(client, owner)
    post_form(client, "/app/pages/domains", {"host": "https://Go.Bakkerij.nl/actie"})
    post_form(client, "/app/pages/domains", {"host": "aanmelden.bäckerei.de"})
    hosts = {d.host for d in db.execute(select(SiteDomain).execution_options(all_tenants=True)).scalars()}
    assert hosts == {"go.bakkerij.nl", "aanmelden.xn--bckerei-5wa.de"}


def test_a_host_belongs_to_one_tenant_only(client, db, owner, stranger):
    _business(db, owner)
    _business(db, stranger)
    log_in(client, owner)
    post_form(client, "/app/pages/domains", {"host": HOST})
    log_in(client, stranger)
    response = post_form(client, "/app/pages/domains", {"host": HOST})
    assert response.status_code == 422 and "already connected" in response.text


def test_free_and_pro_plans_get_a_notice_with_the_way_to_upgrade(client, db, owner):
    log_in(client, owner)
    screen = client.get("/app/pages/domains")
    assert screen.status_code == 200
    assert "does not include custom domains" in screen.text and 'href="/app/billing/"' in screen.text
    refused = post_form(client, "/app/pages/domains", {"host": HOST})
    assert refused.status_code == 403 and "Business plan" in refused.text
    assert db.execute(select(SiteDomain).execution_options(all_tenants=True)).first() is None

    db.add(Subscription(tenant_id=owner.tenant_id, plan="pro", status="active"))
    db.commit()
    assert post_form(client, "/app/pages/domains", {"host": HOST}).status_code == 403


def test_it_serves_the_tenants_pages_on_its_verified_host(client, acme_site):
    page = client.get("/offer", headers=_on(HOST))
    assert page.status_code == 200 and "<h1>Our offer</h1>" in page.text
    # Links stay on the custom host: theme and images without /p/acme, the form posts there.
    assert re.search(r'href="/_theme/[0-9a-f-]+\?v=', page.text)
    assert f'action="/f/{acme_site["form"].key}"' in page.text
    assert "/p/acme" not in page.text
    assert '<link rel="canonical" href="http://go.acme.test/offer">' in page.text
    assert '<meta property="og:url" content="http://go.acme.test/offer">' in page.text
    # The tenant's privacy portal is on its host too.
    assert 'href="/privacy"' in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "form-action 'self'" in csp and "object-src 'none'" in csp
    theme = re.search(r'href="(/_theme/[^"]+)"', page.text)
    assert theme and client.get(theme.group(1).replace("&amp;", "&"), headers=_on(HOST)).status_code == 200
    assert "set-cookie" not in page.headers
    # On our host the page names its custom address as the canonical one.
    ours = client.get("/p/acme/offer", headers={"accept-language": "en"})
    assert '<link rel="canonical" href="http://go.acme.test/offer">' in ours.text


def test_a_host_never_shows_another_tenants_pages_forms_or_images(client, globex_site, acme_site):
    assert client.get("/p/globex/secret-plans").status_code == 200  # it exists, on our host
    for path in (
        "/secret-plans",
        "/p/globex/secret-plans",
        f"/_img/{globex_site['image_id']}",
        f"/p/globex/_img/{globex_site['image_id']}",
        f"/f/{globex_site['form_key']}",
        f"/f/{globex_site['form_key']}/embed",
        "/app/pages/",
        "/login",
        "/privacy/globex",
        "/privacy/globex/code",
        "/privacy/acme-corp",
        "/consent/site/globex/",
        "/api/v1/contacts",
    ):
        response = client.get(path, headers=_on(HOST))
        assert response.status_code == 404, path
        assert "Globex" not in response.text, path
    refused = client.post(
        f"/f/{globex_site['form_key']}",
        headers={**_on(HOST), "accept": "application/json"},
        json={"email": "x@example.com"},
    )
    assert refused.status_code == 404


def test_an_unverified_or_unknown_host_serves_nothing_of_the_tenant(client, db, owner, stranger, token_site):
    make_page(db, owner, make_form(db, owner))
    _business(db, owner)
    log_in(client, owner)
    post_form(client, "/app/pages/domains", {"host": HOST})  # pending: never checked
    assert client.get("/offer", headers=_on(HOST)).status_code == 404
    assert client.get("/offer", headers=_on("unknown.example.org")).status_code == 404
    # An unknown host is just our app.
    assert client.get("/p/acme/offer", headers=_on("unknown.example.org")).status_code == 200
    assert client.get("/domains/allowed", params={"domain": HOST}).status_code == 404
    assert client.get("/domains/allowed", params={"domain": "unknown.example.org"}).status_code == 404


def test_the_tls_proxy_may_get_certificates_for_verified_hosts_only(client, acme_site):
    allowed = client.get("/domains/allowed", params={"domain": HOST})
    assert allowed.status_code == 200 and "set-cookie" not in allowed.headers
    assert client.get("/domains/allowed", params={"domain": "GO.ACME.TEST."}).status_code == 200
    assert client.get("/domains/allowed", params={"domain": "testserver.local"}).status_code == 404


def test_removing_or_downgrading_stops_the_host_at_once(client, db, owner, acme_site):
    assert client.get("/offer", headers=_on(HOST)).status_code == 200
    db.execute(select(Subscription).execution_options(all_tenants=True)).scalar_one().plan = "pro"
    db.commit()
    client.app.state.site_hosts.forget()  # another process notices within the cache's lifetime
    assert client.get("/offer", headers=_on(HOST)).status_code == 404
    screen = client.get("/app/pages/domains")
    assert "Verified, not serving" in screen.text and 'href="/app/billing/"' in screen.text

    db.execute(select(Subscription).execution_options(all_tenants=True)).scalar_one().plan = "business"
    db.commit()
    client.app.state.site_hosts.forget()
    assert client.get("/offer", headers=_on(HOST)).status_code == 200
    post_form(client, f"/app/pages/domains/{acme_site['domain'].id}/remove")
    assert client.get("/offer", headers=_on(HOST)).status_code == 404
    assert db.execute(select(SiteDomain).execution_options(all_tenants=True)).first() is None


def test_the_host_lookup_is_cached_between_changes(client, db, acme_site):
    assert client.get("/offer", headers=_on(HOST)).status_code == 200
    # Removed behind the app's back (another process): this process keeps its copy until it expires.
    db.delete(_domain(db))
    db.commit()
    assert client.get("/offer", headers=_on(HOST)).status_code == 200
    client.app.state.site_hosts.forget()
    assert client.get("/offer", headers=_on(HOST)).status_code == 404


def test_an_old_address_redirects_on_the_custom_host(client, db, acme_site):
    page = acme_site["page"]
    post_form(client, f"/app/pages/{page.id}", {"slug": "new-offer", "nl_title": "Aanbieding"})
    moved = client.get("/offer?utm_source=x", headers=_on(HOST), follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/new-offer?utm_source=x"
    assert client.get("/new-offer", headers=_on(HOST)).status_code == 200


def test_cookies_on_the_custom_host_cover_the_whole_host(client, acme_site):
    page = client.get("/offer", headers=_on(HOST))
    assert 'action="/_cookies"' in page.text and 'data-path="/"' in page.text
    chosen = client.post(
        "/_cookies",
        headers=_on(HOST),
        data={"choice": "all", "next": "/offer", "page": str(acme_site["page"].id)},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/offer"
    cookie = chosen.headers["set-cookie"]
    assert cookie.startswith("lf_consent=") and "Path=/;" in cookie
    # A "back" address elsewhere is not followed.
    elsewhere = client.post(
        "/_cookies",
        headers=_on(HOST),
        data={"choice": "none", "next": "//evil.example"},
        follow_redirects=False,
    )
    assert elsewhere.headers["location"] == "/_cookies"

    # On our host the same cookie stays under the tenant's folder.
    ours = client.post(
        "/p/acme/_cookies", data={"choice": "all", "next": "/p/acme/offer"}, follow_redirects=False
    )
    assert "Path=/p/acme" in ours.headers["set-cookie"]


def test_a_returning_visitors_known_fields_cookie_covers_the_custom_host(client, acme_site):
    form = acme_site["form"]
    chosen = client.post("/p/acme/_cookies", data={"choice": "all"}, follow_redirects=False)
    consent = chosen.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    # The browser holds it for the custom host's whole path (the test client files cookies by its own host).
    client.cookies.set("lf_consent", consent, domain="testserver.local", path="/")
    page = client.get("/offer", headers=_on(HOST))
    token = re.search(r'name="_lf_token" value="([^"]+)"', page.text)
    assert token
    sent = client.post(
        f"/f/{form.key}",
        headers={**_on(HOST), "accept": "text/html"},
        data={
            "_lf_token": token.group(1),
            "first_name": "Ann",
            "last_name": "Jansen",
            "email": "ann@example.com",
        },
        follow_redirects=False,
    )
    assert sent.status_code in (200, 303), sent.text
    known = [c for c in sent.headers.get_list("set-cookie") if c.startswith("lf_known_")]
    assert known and "Path=/;" in known[0]


def test_the_embed_served_from_the_custom_host_posts_there(client, acme_site):
    form = acme_site["form"]
    script = client.get("/embed.js", headers=_on(HOST))
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    definition = client.get(f"/f/{form.key}/embed", headers={**_on(HOST), "accept": "application/json"})
    assert definition.status_code == 200
    assert definition.json()["action"] == f"http://{HOST}/f/{form.key}"
    # The extension files the form names in `ext` load from the same host (every form names altcha).
    assert "altcha" in definition.json()["ext"]
    for name in EXTENSIONS:
        extension = client.get(f"/embed-{name}.js", headers=_on(HOST))
        assert extension.status_code == 200, name
        assert extension.content and extension.content == client.get(f"/embed-{name}.js").content
        assert extension.headers["access-control-allow-origin"] == "*"


def test_the_intake_accepts_the_tenants_verified_host_as_origin(client, db, acme_site):
    form = acme_site["form"]
    token = form_token(client, f"/f/{form.key}")
    answers = {"_lf_token": token, "first_name": "Ann", "last_name": "Jansen", "email": "ann@example.com"}
    accepted = client.post(
        f"/f/{form.key}", headers={"origin": f"http://{HOST}", "accept": "application/json"}, data=answers
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.headers["access-control-allow-origin"] == f"http://{HOST}"
    for origin in (f"http://{OTHER_HOST}", f"http://{HOST}:8443", "http://evil.go.acme.test"):
        refused = client.post(
            f"/f/{form.key}",
            headers={"origin": origin, "accept": "application/json"},
            data={**answers, "_lf_token": form_token(client, f"/f/{form.key}")},
        )
        assert refused.status_code == 403, origin


def test_the_dashboard_screen_requires_a_builder(client, db, owner, sales_rep):
    _business(db, owner)
    csrf_token(client)
    log_in(client, sales_rep)
    assert client.get("/app/pages/domains").status_code == 403


def test_a_form_with_errors_comes_back_on_the_custom_host_page(client, acme_site):
    form = acme_site["form"]
    page = client.get("/offer", headers=_on(HOST))
    token = re.search(r'name="_lf_token" value="([^"]+)"', page.text)
    assert token
    again = client.post(
        f"/f/{form.key}",
        headers={**_on(HOST), "accept": "text/html"},
        data={"_lf_token": token.group(1), "first_name": "Ann", "email": "not-an-address"},
    )
    assert again.status_code == 422 and "<h1>Our offer</h1>" in again.text
    assert "/p/acme" not in again.text and re.search(r'href="/_theme/', again.text)


def test_a_request_on_the_custom_host_hands_its_database_connection_back(client, acme_site):
    engine = client.app.state.site_hosts.engine
    for path in ("/offer", "/missing-page", f"/f/{acme_site['form'].key}"):
        client.get(path, headers=_on(HOST))
        assert engine.pool.checkedout() == 0, path


class _Txt:
    def __init__(self, *parts: bytes) -> None:
        self.strings = parts


@pytest.mark.parametrize(
    ("answer", "status", "failure"),
    [
        (lambda token: [_Txt(b"v=spf1 -all"), _Txt(b"landform-verify=", token.encode())], "verified", ""),
        (lambda token: [_Txt(b"landform-verify=someone-else")], "failed", "wrong_token"),
        (dns.resolver.NXDOMAIN(), "failed", "no_record"),
        (dns.exception.Timeout(), "failed", "lookup_failed"),
    ],
)
def test_the_dns_check_reads_the_txt_record(monkeypatch, answer, status, failure):
    """Production's check: the TXT record at _landform-verify.<host> (the resolver itself is dnspython's)."""
    asked: list[tuple[str, str]] = []
    domain = SiteDomain(host=HOST, token="tok-123", status="pending", failure="")

    async def resolve(name: str, kind: str, **_kwargs: Any) -> Any:
        asked.append((name, kind))
        if isinstance(answer, Exception):
            raise answer
        return answer(domain.token)

    monkeypatch.setattr(dns.asyncresolver, "resolve", resolve)
    settings = get_settings()
    dns_settings = type(settings)(**{**settings.__dict__, "domains": DomainSettings(verify="dns")})
    asyncio.run(check_domain(domain, dns_settings))
    assert asked == [(f"_landform-verify.{HOST}", "TXT")]
    assert (domain.status, domain.failure) == (status, failure)


def _recheck_on(day: int, settings) -> int:
    """Run the daily re-check for the `day`th time since the host was verified (at 04:43 UTC, as scheduled).

    Day 1 is the day after tomorrow: a host verified today after 08:43 is not due again tomorrow at 04:43
    (it was checked less than 20 hours before), and the tests must not depend on the hour they run at.
    """
    moment = datetime.combine(utcnow().date() + timedelta(days=day + 1), time(4, 43), UTC)
    with time_machine.travel(moment, tick=False):
        return recheck_verified(settings)


def _serves(client, host: str = HOST) -> bool:
    client.app.state.site_hosts.forget()  # as every app process does within its cache's lifetime
    return client.get("/offer", headers=_on(host)).status_code == 200


def _owner_mail(db) -> list[EmailMessage]:
    return list(db.execute(select(EmailMessage).where(EmailMessage.subject.contains(HOST))).scalars())


def test_a_verified_host_keeps_serving_through_failed_checks_and_stops_after_three_days(
    client, db, settings, marketer, acme_site, token_site
):
    co_owner = make_user(db, db.get_one(Tenant, marketer.tenant_id), "eigenaar@acme.example.com", Role.OWNER)
    db.get_one(User, co_owner.user_id).language = "nl"
    db.commit()
    del token_site.files[HOST]  # the record is gone (a move to another DNS provider, say)
    for day in (1, 2, 3):
        assert _recheck_on(day, settings) == 0
        domain = _domain(db)
        assert (domain.status, domain.failed_checks, domain.failure) == ("verified", day, "no_record")
        assert _serves(client), f"day {day}: one bad answer must not take the pages offline"
    screen = client.get("/app/pages/domains").text
    assert "The last check failed:" in screen and "keeps serving your pages" in screen
    assert _owner_mail(db) == []

    assert _recheck_on(4, settings) == 1  # four failed checks over three days
    assert _domain(db).status == "failed" and not _serves(client)
    mails = {m.recipient: m for m in _owner_mail(db)}  # the owners, each in their language; not the marketer
    assert sorted(mails) == ["eigenaar@acme.example.com", "owner@acme.example.com"]
    english, dutch = mails["owner@acme.example.com"], mails["eigenaar@acme.example.com"]
    assert (
        english.subject == f"{HOST} no longer shows your pages"
        and "Publish the record again" in english.body_text
    )
    assert (
        dutch.subject == f"{HOST} toont je pagina's niet meer"
        and "Publiceer het record opnieuw" in dutch.body_text
    )
    assert f"{get_settings().server.base_url}/app/pages/domains" in english.body_html
    assert _recheck_on(5, settings) == 0 and len(_owner_mail(db)) == 2  # told once

    token_site.files[HOST] = f"landform-verify={_domain(db).token}\n"
    post_form(client, f"/app/pages/domains/{acme_site['domain'].id}/check")
    assert _domain(db).status == "verified" and _serves(client)


def test_a_check_that_succeeds_again_starts_the_count_over(client, db, settings, acme_site, token_site):
    token = token_site.files.pop(HOST)
    _recheck_on(1, settings)
    _recheck_on(2, settings)
    token_site.files[HOST] = token
    _recheck_on(3, settings)
    domain = _domain(db)
    assert (domain.failed_checks, domain.failing_since, domain.failure) == (0, None, "")
    del token_site.files[HOST]
    for day in (4, 5, 6):
        _recheck_on(day, settings)
    assert _domain(db).status == "verified" and _domain(db).failed_checks == 3 and _serves(client)


def test_the_job_checks_a_host_once_a_day_however_often_it_runs(client, db, settings, acme_site, token_site):
    del token_site.files[HOST]
    asked = len(token_site.asked)
    for _ in range(3):  # a tick delivered again, or two workers
        _recheck_on(1, settings)
    assert len(token_site.asked) == asked + 1 and _domain(db).failed_checks == 1


def test_checking_a_verified_host_by_hand_does_not_take_it_offline(client, db, acme_site, token_site):
    del token_site.files[HOST]
    response = post_form(client, f"/app/pages/domains/{acme_site['domain'].id}/check")
    assert "The host still serves your pages for now." in response.text
    assert _domain(db).status == "verified" and _serves(client)


def test_a_name_server_that_does_not_answer_does_not_unserve_a_verified_host(monkeypatch):
    domain = SiteDomain(host=HOST, token="tok-123", status="verified", failure="", failed_checks=0)

    async def resolve(name: str, kind: str, **_kwargs: Any) -> Any:
        raise dns.exception.Timeout()

    monkeypatch.setattr(dns.asyncresolver, "resolve", resolve)
    settings = get_settings()
    dns_settings = type(settings)(**{**settings.__dict__, "domains": DomainSettings(verify="dns")})
    assert asyncio.run(check_domain(domain, dns_settings)) is True
    assert (domain.status, domain.failure, domain.failed_checks) == ("verified", "lookup_failed", 1)


def test_the_social_image_is_addressed_on_the_custom_host_and_served_there(client, db, acme_site):
    page = acme_site["page"]
    scope_to_tenant(db, page.tenant_id)
    image = SiteImage(tenant_id=page.tenant_id, content_type="image/png", width=1200, height=630, data=b"x")
    db.add(image)
    db.flush()
    db.get_one(Page, page.id).social_image_id = image.id
    db.get_one(Page, page.id).content = {"en": {"title": "Offer", "social_image_alt": "Awnings"}}
    publish_sync(db, db.get_one(Page, page.id))
    db.commit()

    expected = f'<meta property="og:image" content="http://{HOST}/_img/{image.id}">'
    assert expected in client.get("/offer", headers=_on(HOST)).text
    assert expected in client.get("/p/acme/offer", headers={"accept-language": "en"}).text  # one address
    served = client.get(f"/_img/{image.id}", headers=_on(HOST))
    assert served.status_code == 200 and served.content == b"x"


def _set_home(client, domain_id, page_id) -> Any:
    return post_form(client, f"/app/pages/domains/{domain_id}/home", {"page_id": str(page_id or "")})


def test_the_bare_host_answers_a_404_page_in_the_tenants_name_until_a_home_page_is_chosen(client, acme_site):
    bare = client.get("/", headers=_on(HOST))
    assert bare.status_code == 404
    assert "<h1" in bare.text and "Page not found" in bare.text and "Acme Zonwering" in bare.text
    assert "Landform" not in bare.text  # the tenant's host, the tenant's name
    assert 'href="/privacy"' in bare.text and 'href="/"' not in bare.text
    assert "default-src 'none'" in bare.headers["content-security-policy"]
    assert bare.headers["x-content-type-options"] == "nosniff" and "set-cookie" not in bare.headers
    # In the tenant's brand colours.
    assert '<link rel="stylesheet" href="/_brand.css">' in bare.text
    post_form(
        client,
        "/app/pages/brand",
        {
            "primary": "#b54708",
            "text": "#1d2939",
            "background": "#ffffff",
            "font": "serif",
            "buttons": "rounded",
        },
    )
    brand = client.get("/_brand.css", headers=_on(HOST))
    assert brand.status_code == 200 and "--accent:#b54708" in brand.text
    dutch = client.get("/", headers={"host": HOST, "accept-language": "nl"})
    assert dutch.status_code == 404 and "Pagina niet gevonden" in dutch.text
    # Any other unknown address there looks the same; programs still get a problem document.
    assert "Acme Zonwering" in client.get("/no-such-page", headers=_on(HOST)).text
    api = client.get("/no-such-page", headers={**_on(HOST), "accept": "application/json"})
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")
    # On our own host /p/acme is no page either.
    assert client.get("/p/acme").status_code == 404


def test_the_chosen_home_page_is_served_at_the_bare_host(client, db, acme_site):
    screen = client.get("/app/pages/domains")
    assert (
        "Home page" in screen.text and f'<option value="{acme_site["page"].id}">Offer (/offer)' in screen.text
    )
    chosen = _set_home(client, acme_site["domain"].id, acme_site["page"].id)
    assert (
        chosen.status_code == 200
        and "Visitors of https://go.acme.test/ now see Offer (/offer)." in chosen.text
    )
    assert _domain(db).home_page_id == acme_site["page"].id

    home = client.get("/?utm_source=flyer", headers=_on(HOST), follow_redirects=False)
    assert home.status_code == 200 and "<h1>Our offer</h1>" in home.text  # no redirect: the address stays
    # One page, one address: the canonical URL is the page's own, as at /offer.
    assert '<link rel="canonical" href="http://go.acme.test/offer">' in home.text
    assert f'action="/f/{acme_site["form"].key}"' in home.text and "/p/acme" not in home.text
    assert "set-cookie" not in home.headers
    # A cookie choice made there comes back to the bare host.
    assert 'name="next" value="/?utm_source=flyer"' in home.text
    chosen = client.post(
        "/_cookies",
        headers=_on(HOST),
        data={"choice": "none", "next": "/?utm_source=flyer"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/?utm_source=flyer"
    # Elsewhere on the host a 404 now leads home.
    assert 'href="/"' in client.get("/no-such-page", headers=_on(HOST)).text

    _set_home(client, acme_site["domain"].id, "")
    assert _domain(db).home_page_id is None
    assert client.get("/", headers=_on(HOST)).status_code == 404


def test_an_unpublished_or_deleted_home_page_gives_the_404_page_not_an_error(client, db, acme_site):
    page = acme_site["page"]
    _set_home(client, acme_site["domain"].id, page.id)
    assert client.get("/", headers=_on(HOST)).status_code == 200
    post_form(client, f"/app/pages/{page.id}/unpublish")
    gone = client.get("/", headers=_on(HOST))
    assert gone.status_code == 404 and "Acme Zonwering" in gone.text
    screen = client.get("/app/pages/domains")
    assert "The chosen page is not published" in screen.text
    assert "no longer published</option>" in screen.text
    assert "is niet gepubliceerd" in client.get("/app/pages/domains?lang=nl").text

    scope_to_tenant(db, page.tenant_id)
    db.delete(db.get_one(Page, page.id))
    db.commit()
    assert client.get("/", headers=_on(HOST)).status_code == 404
    assert _domain(db).home_page_id is None


def test_a_host_never_shows_another_tenants_page_at_its_bare_address(
    client, db, stranger, globex_site, acme_site
):
    domain = acme_site["domain"]
    # Not through the screen: another tenant's page is no choice there.
    refused = _set_home(client, domain.id, globex_site["page_id"])
    assert refused.status_code == 422 and "Choose one of your published pages" in refused.text
    assert _set_home(client, domain.id, "not-a-page").status_code == 422
    assert _domain(db).home_page_id is None
    # Nor when the row points there anyway: the page is looked up in the host's tenant only.
    _domain(db).home_page_id = globex_site["page_id"]
    db.commit()
    client.app.state.site_hosts.forget()
    response = client.get("/", headers=_on(HOST))
    assert response.status_code == 404 and "Globex" not in response.text and "secret" not in response.text
    # Another tenant cannot choose the home page of acme's host.
    log_in(client, stranger)
    assert _set_home(client, domain.id, globex_site["page_id"]).status_code == 404


def test_the_home_page_setting_is_in_dutch_too(client, acme_site):
    _set_home(client, acme_site["domain"].id, acme_site["page"].id)
    screen = client.get("/app/pages/domains?lang=nl")
    assert "Startpagina" in screen.text and "Geen startpagina" in screen.text


def test_the_tenants_own_privacy_portal_is_served_on_its_host(client, db, acme_site, inbox):
    portal = client.get("/privacy", headers=_on(HOST))
    assert portal.status_code == 200 and "Your data at Acme Zonwering" in portal.text
    assert 'action="/privacy/acme/requests' in portal.text and "set-cookie" not in portal.headers
    assert client.get("/privacy/", headers=_on(HOST)).status_code == 200
    asked = client.post(
        "/privacy/acme/requests?lang=en",
        headers=_on(HOST),
        data={"email": "visitor@example.org", "kind": "access"},
    )
    assert asked.status_code == 200, asked.text
    # The e-mailed link leads to our host, which always serves it (a custom host may be gone by then).
    message = inbox.wait("visitor@example.org", "Confirm")
    body = message.get_body(("plain",)).get_content()
    assert "http://testserver.local/privacy/acme/verify?token=" in body and HOST not in body
    link = re.search(r"http://testserver\.local(/privacy/acme/verify\S*)", body)
    assert link and client.get(link.group(1)).status_code == 200
    # The same link works on the tenant's host too; the platform's own portal is not there.
    assert client.get(link.group(1), headers=_on(HOST)).status_code == 200
    assert "Stripe" not in client.get("/privacy/", headers=_on(HOST)).text


def test_the_site_banner_script_and_its_texts_are_served_on_the_custom_host(client, db, acme_site):
    form = acme_site["form"]
    scope_to_tenant(db, form.tenant_id)
    db.get_one(type(form), form.id).allowed_origins = ["https://www.acme.test"]
    db.commit()
    script = client.get("/choices.js", headers=_on(HOST))
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    texts = client.get(
        "/consent/site/acme/",
        headers={**_on(HOST), "origin": "https://www.acme.test", "accept": "application/json"},
    )
    assert texts.status_code == 200, texts.text
    assert texts.headers["access-control-allow-origin"] == "https://www.acme.test"


def test_the_custom_host_and_the_platform_serve_the_gpc_support_resource(client, acme_site):
    for headers in (_on(HOST), {}):
        answer = client.get("/.well-known/gpc.json", headers=headers)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json() == {"gpc": True, "lastUpdate": "2026-12-07"}
