"""Custom domains and the theme editor in a real browser.

Chromium resolves go.demo.test to the Landform server on loopback (--host-resolver-rules), the demo
tenant is on Business, and ownership is proven with the http check against a local token site. Then:
the marketer connects the host, a visitor uses the page there (cookie choice, form) and the embed
script loads from it on the tenant's own website. Screenshots land in test-artifacts/browser/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from landform.accounts.models import Tenant
from landform.billing.models import Subscription
from landform.core.db import scope_to_tenant, sync_session
from landform.core.settings import DatabaseSettings
from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE, launch_chromium
from tests.browser.customer_site import customer_site
from tests.browser.test_demo_journey import horizontal_overflow, log_in
from tests.browser.test_embed import HUMAN_PAUSE, allow_origins, embedded, fill, open_page, wait_for_contact
from tests.server import RunningLandform, landform_server
from tests.site.test_domains import TokenSite

pytestmark = pytest.mark.browser

HOST = "go.demo.test"


@pytest.fixture(scope="module")
def token_site() -> Iterator[TokenSite]:
    import threading

    site = TokenSite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # The custom host is this machine, as DNS would make it after the tenant's CNAME record.
    yield from launch_chromium(f"--host-resolver-rules=MAP {HOST} 127.0.0.1")


@pytest.fixture(scope="module")
def server(
    browser: Browser, token_site: TokenSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningLandform]:
    overrides = {
        "LANDFORM_DOMAIN_VERIFY": "http",
        "LANDFORM_DOMAIN_VERIFY_HTTP_CONNECT": token_site.address,
    }
    with landform_server(tmp_path_factory.mktemp("domains"), **overrides) as running:
        url = DatabaseSettings(url=running.env["LANDFORM_DATABASE_URL"]).sync_url
        with sync_session(url) as db:
            tenant = db.execute(select(Tenant).where(Tenant.slug == running.demo["tenant_slug"])).scalar_one()
            scope_to_tenant(db, tenant.id)
            row = db.execute(select(Subscription)).scalar_one_or_none()
            if row is None:
                row = Subscription(tenant_id=tenant.id)
                db.add(row)
            row.plan, row.status = "business", "active"
            db.commit()
        yield running


def custom_base(server: RunningLandform) -> str:
    return f"http://{HOST}:{urlsplit(server.base_url).port}"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.fixture(scope="module")
def verified(browser: Browser, server: RunningLandform, token_site: TokenSite) -> str:
    """The marketer connects go.demo.test on the dashboard and proves it; screenshots on the way."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        page = context.new_page()
        log_in(page, server)
        page.goto(f"{server.base_url}/app/pages/domains")
        page.fill("#d-host", "<b>not a host</b>")
        page.locator("form[action='/app/pages/domains'] button").click()
        expect(page.locator(".field.has-error .error")).to_contain_text(
            "go.bakkerij.nl"
        )  # (the user's Dutch)
        assert page.locator("b", has_text="not a host").count() == 0  # echoed as text

        page.fill("#d-host", HOST)
        page.locator("form[action='/app/pages/domains'] button").click()
        card = page.locator("section.domain")
        expect(card.locator(".badge.muted")).to_be_visible()  # waiting for the record
        value = card.locator("code", has_text="landform-verify=").first.inner_text()
        for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
            page.set_viewport_size(viewport)
            assert horizontal_overflow(page) <= 0
            shot(page, f"domains-pending-{name}.png")

        card.locator("form[action$='/check'] button").click()
        expect(page.locator("section.domain .badge.danger")).to_be_visible()  # nothing published yet
        token_site.files[HOST] = value
        page.locator("section.domain form[action$='/check'] button").click()
        expect(page.locator("section.domain .badge.ok")).to_be_visible()
        expect(page.locator("section.domain")).to_contain_text(f"https://{HOST}/embed.js")
        for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
            page.set_viewport_size(viewport)
            assert horizontal_overflow(page) <= 0
            shot(page, f"domains-verified-{name}.png")
    finally:
        context.close()
    return custom_base(server)


def test_a_visitor_uses_the_page_on_the_custom_host(browser: Browser, server: RunningLandform, verified: str):
    email = f"domain-{uuid4().hex[:10]}@example.com"
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        page = context.new_page()
        elsewhere: list[str] = []
        page.on("request", lambda r: r.url.startswith(verified + "/") or elsewhere.append(r.url))
        page.on("pageerror", lambda error: elsewhere.append(f"page error: {error}"))
        response = page.goto(f"{verified}/welcome")
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_have_count(1)
        assert page.locator("link[rel=canonical]").get_attribute("href") == f"{verified}/welcome"
        shot(page, "domains-page-phone.png")

        page.get_by_role("button", name="Alles accepteren").click()
        expect(page.locator("#lf-cookie-banner")).to_be_hidden()
        consent = next(c for c in context.cookies() if c["name"] == "lf_consent")
        assert consent["domain"] == HOST and consent["path"] == "/"

        form = page.locator("#form form.lf-form")
        form.locator("[name=first_name]").fill("Sanne")
        form.locator("[name=last_name]").fill("de Wit")
        form.locator("[name=email]").fill(email)
        time.sleep(HUMAN_PAUSE)
        form.locator("button[type=submit]").click()
        expect(page.locator("body")).to_contain_text("Bedankt")
        assert urlsplit(page.url).hostname == HOST
        assert wait_for_contact(server, email)["first_name"] == "Sanne"
        assert elsewhere == [], "the page on the custom host reached another origin"
    finally:
        context.close()


def test_the_embed_loads_first_party_from_the_custom_host(
    browser: Browser, server: RunningLandform, verified: str
):
    email = f"embed-domain-{uuid4().hex[:10]}@example.com"
    with customer_site(verified) as site:
        allow_origins(server, [site.origin])
        context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
        try:
            page, watch = open_page(context, site.origin, verified)
            page.goto(site.url("/site", server.demo["form_key"]))
            form = embedded(page)
            expect(form.locator("input[name=email]")).to_be_visible()
            fill(form, first_name="Joost", last_name="Smit", email=email)
            time.sleep(HUMAN_PAUSE)
            form.locator("button").click()
            expect(form.locator("[role=status]")).to_contain_text("Bedankt")
            assert wait_for_contact(server, email)["last_name"] == "Smit"
            # Every request went to the tenant's site or its own host: nothing to our address.
            assert watch.problems == [], watch.problems
            assert context.cookies() == []
        finally:
            context.close()


def test_another_host_shows_no_tenant_content(browser: Browser, server: RunningLandform, verified: str):
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        response = page.goto(f"{verified}/p/{server.demo['tenant_slug']}/welcome")
        assert response is not None and response.status == 404
        response = page.goto(f"{verified}/app/pages/")
        assert response is not None and response.status == 404
    finally:
        context.close()


def test_the_marketer_picks_what_the_bare_host_shows(
    browser: Browser, server: RunningLandform, verified: str
):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    try:
        page = context.new_page()
        # No home page yet: the bare host is a 404 page in the tenant's name, not ours.
        response = page.goto(f"{verified}/")
        assert response is not None and response.status == 404
        expect(page.locator("h1")).to_have_text("Page not found")
        expect(page.locator(".site-header")).not_to_contain_text("Landform")
        assert horizontal_overflow(page) <= 0
        shot(page, "domains-host-404-phone.png")
        page.set_viewport_size(DESKTOP)
        shot(page, "domains-host-404-desktop.png")

        log_in(page, server)
        page.goto(f"{server.base_url}/app/pages/domains?lang=en")
        card = page.locator("section.domain")
        welcome = card.locator("select[name=page_id] option", has_text="(/welcome)")
        card.locator("select[name=page_id]").select_option(welcome.get_attribute("value"))
        card.locator("form.home-page button").click()
        expect(page.locator(".alert-success")).to_contain_text("/welcome")
        expect(page.locator("section.domain select[name=page_id] option:checked")).to_contain_text(
            "(/welcome)"
        )
        for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
            page.set_viewport_size(viewport)
            assert horizontal_overflow(page) <= 0
            shot(page, f"domains-home-page-{name}.png")

        response = page.goto(f"{verified}/")
        assert response is not None and response.status == 200
        assert page.url == f"{verified}/"  # served there, not redirected
        expect(page.locator("h1")).to_have_count(1)
        assert page.locator("link[rel=canonical]").get_attribute("href") == f"{verified}/welcome"
        # The tenant's privacy portal is on its own host too.
        page.locator("footer a[href='/privacy']").click()
        assert page.url == f"{verified}/privacy"
        expect(page.locator("h1")).to_contain_text("Zonnedak Utrecht")
    finally:
        context.close()


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_theme_editor_previews_colours_and_contrast_as_they_change(
    browser: Browser, server: RunningLandform, viewport, name: str
):
    context = browser.new_context(viewport=viewport, locale="en-GB")
    try:
        page = context.new_page()
        log_in(page, server)
        page.goto(f"{server.base_url}/app/pages/brand?lang=en")
        preview = page.locator("[data-theme-preview]")
        expect(page.locator("[data-check=ok]")).to_be_visible()
        expect(page.locator(".contrast-warning:visible")).to_have_count(0)
        assert preview.evaluate("el => getComputedStyle(el).backgroundColor") != ""

        page.fill("#t-text", "#c0c4cc")  # pale grey text on a pale background
        page.wait_for_function(
            "() => [...document.querySelectorAll('.contrast-warning')].some(p => !p.hidden)"
        )
        warning = page.locator(".contrast-warning:visible")
        expect(warning).to_have_text(
            "Text on the background has a contrast of 1.6:1; WCAG AA asks for at least 4.5:1."
        )
        expect(page.locator("[data-check=ok]")).to_be_hidden()
        colour = preview.locator(".tp-text").evaluate("el => getComputedStyle(el).color")
        assert colour == "rgb(192, 196, 204)"
        picker = page.locator("#t-primary + input[type=color]")
        expect(picker).to_be_visible()
        assert horizontal_overflow(page) <= 0
        shot(page, f"theme-editor-{name}.png")

        page.fill("#t-text", "#1d2939")
        page.wait_for_function("() => !document.querySelector('[data-check=ok]').hidden")
    finally:
        context.close()


def test_the_theme_editor_shows_the_saved_colours_without_javascript(
    browser: Browser, server: RunningLandform
):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, server)
        page.goto(f"{server.base_url}/app/pages/brand")
        page.fill("#t-text", "#c0c4cc")
        page.locator("form[action='/app/pages/brand'] button.primary").click()
        expect(page.locator(".contrast-warning:visible")).to_have_count(1)
        expect(page.locator(".contrast-warning:visible")).to_contain_text("1.6:1")
        text = page.locator("[data-theme-preview] .tp-text").evaluate("el => getComputedStyle(el).color")
        assert text == "rgb(192, 196, 204)"
        shot(page, "theme-editor-no-js-desktop.png")
        page.fill("#t-text", "#1d2939")
        page.locator("form[action='/app/pages/brand'] button.primary").click()
        expect(page.locator("[data-check=ok]")).to_be_visible()
    finally:
        context.close()
