"""The embed explained, the lists and the phone navigation, in Chromium at 390 and 1280 px.

A `landform` server with the demo, the tenant's own website (allowed) and a stranger's (refused), both
on other origins with a strict CSP. Screenshots land in test-artifacts/browser/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, expect
from sqlalchemy import select

from landform.core.db import scope_to_tenant, sync_session
from landform.core.settings import DatabaseSettings
from landform.forms.models import Form
from landform.site.models import SiteBrand
from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE, axe_violations
from tests.browser.customer_site import CustomerSite, customer_site
from tests.browser.test_embed import allow_origins
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser

BRAND = {
    "primary": "#6b21a8",
    "text": "#1d2939",
    "background": "#ffffff",
    "font": "serif",
    "buttons": "square",
}
SIZES = [(PHONE, "phone"), (DESKTOP, "desktop")]


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("lists")) as running:
        with sync_session(DatabaseSettings(url=running.env["LANDFORM_DATABASE_URL"]).sync_url) as db:
            query = (
                select(Form).where(Form.key == running.demo["form_key"]).execution_options(all_tenants=True)
            )
            form = db.execute(query).scalar_one()
            scope_to_tenant(db, form.tenant_id)
            brand = db.execute(select(SiteBrand)).scalar_one_or_none() or SiteBrand(tenant_id=form.tenant_id)
            brand.theme = BRAND
            db.add(brand)
            db.commit()
            running.demo["form_id"] = str(form.id)
        yield running


@pytest.fixture(scope="module")
def site(server: RunningLandform) -> Iterator[CustomerSite]:
    with customer_site(server.base_url) as running:
        allow_origins(server, [running.origin])
        yield running


@pytest.fixture(scope="module")
def stranger(server: RunningLandform, site: CustomerSite) -> Iterator[CustomerSite]:
    with customer_site(server.base_url) as running:
        yield running


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def log_in(page: Page, server: RunningLandform) -> None:
    page.goto(f"{server.base_url}/login")
    page.fill("#f-email", server.demo["login_email"])
    page.fill("#f-password", server.demo["login_password"])
    page.locator("form[action='/login'] button").click()
    page.wait_for_url(f"{server.base_url}/app")


def test_the_embed_wears_the_brand_on_a_strict_csp_site(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    for viewport, name in SIZES:
        context = browser.new_context(viewport=viewport, locale="nl-NL")
        try:
            page = context.new_page()
            problems: list[str] = []
            page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
            page.goto(site.url("/site", server.demo["form_key"]))
            button = page.locator("div[data-landform-form] button")
            expect(button).to_be_visible()
            look = button.evaluate(
                """el => { const s = getComputedStyle(el);
                  return [s.backgroundColor, s.borderTopLeftRadius, s.fontFamily] }"""
            )
            assert look[0] == "rgb(107, 33, 168)" and look[1] == "2px", look
            assert look[2].startswith("Charter"), look
            top = page.locator("div[data-landform-form]").evaluate(
                "el => getComputedStyle(el.shadowRoot.querySelector('.lf')).borderTopColor"
            )
            assert top == "rgb(107, 33, 168)"
            text = page.locator("div[data-landform-form]").evaluate("el => el.shadowRoot.textContent")
            assert "undefined" not in text
            assert problems == []
            shot(page, f"embed-brand-{name}.png")
        finally:
            context.close()


def test_a_refused_site_hears_why_and_the_dashboard_offers_to_allow_it(
    browser: Browser, server: RunningLandform, stranger: CustomerSite
) -> None:
    key = server.demo["form_key"]
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        page = context.new_page()
        said: list[str] = []

        def listen(message: ConsoleMessage) -> None:
            said.append(message.text)

        page.on("console", listen)
        page.goto(stranger.url("/site", key))
        link = page.locator("div[data-landform-form] a")
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", f"{server.base_url}/f/{key}?lang=nl")
        shot(page, "embed-refused-fallback-phone.png")
        wanted = (
            f"Landform: dit formulier mag niet ingesloten worden op {stranger.origin}; voeg het adres toe "
            "onder “Websites die dit formulier mogen insluiten” in de instellingen van het formulier"
        )
        page.wait_for_timeout(300)
        assert wanted in said, said

        dashboard = context.new_page()
        log_in(dashboard, server)
        dashboard.goto(f"{server.base_url}/app/forms/")
        expect(dashboard.get_by_text(f"Geweigerd op {stranger.origin}: toestaan?")).to_be_visible()
        dashboard.goto(f"{server.base_url}/app/forms/{server.demo['form_id']}")
        panel = dashboard.locator("#embed")
        expect(panel.get_by_text(f"Geweigerd op {stranger.origin}: toestaan?")).to_be_visible()
        for viewport, size in SIZES:
            dashboard.set_viewport_size(viewport)
            dashboard.goto(f"{server.base_url}/app/forms/")
            shot(dashboard, f"forms-refused-{size}.png")
            dashboard.goto(f"{server.base_url}/app/forms/{server.demo['form_id']}#embed")
            shot(dashboard, f"form-refused-{size}.png")
            assert axe_violations(dashboard) == []
        panel.get_by_role("button", name=f"Toestaan {stranger.origin}").click()
        expect(dashboard.get_by_text(f"{stranger.origin} mag dit formulier nu tonen.")).to_be_visible()

        page.reload()
        expect(page.locator("div[data-landform-form] button")).to_be_visible()
    finally:
        context.close()
        allow_origins(server, [])


def test_the_copy_button_copies_the_snippet_and_says_so(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
    try:
        page = context.new_page()
        log_in(page, server)
        page.goto(f"{server.base_url}/app/forms/")
        page.locator(f"a[href='/app/forms/{server.demo['form_id']}']").first.click()  # htmx swaps the body
        button = page.get_by_role("button", name="Code kopiëren")
        button.click()
        expect(page.locator("[data-copy-status]")).to_have_text("Gekopieerd: plak het in je website.")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("#embed-snippet").input_value()
        assert 'data-landform-form="' + server.demo["form_key"] in copied
    finally:
        context.close()


def test_without_javascript_the_snippet_is_a_text_box_to_copy_by_hand(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL", java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, server)
        page.goto(f"{server.base_url}/app/forms/{server.demo['form_id']}")
        snippet = page.locator("#embed-snippet")
        expect(snippet).to_be_visible()
        expect(snippet).to_have_attribute("readonly", "")
        expect(page.locator("button[data-copy]")).to_be_hidden()
        # The menu opens without a script too.
        page.locator("summary.nav-toggle").click()
        expect(
            page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Contacten")
        ).to_be_visible()
    finally:
        context.close()


def test_the_phone_menu_opens_and_closes_by_keyboard(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        page = context.new_page()
        log_in(page, server)
        page.goto(f"{server.base_url}/app/forms/")
        bar = page.locator(".sidebar").bounding_box()
        assert bar is not None and bar["height"] <= 72, f"the bar takes {bar['height']}px"
        pages = page.get_by_role("link", name="Pagina's")
        expect(pages).to_be_hidden()
        shot(page, "nav-closed-phone.png")
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the brand
        page.keyboard.press("Tab")
        toggle = page.locator("summary.nav-toggle")
        expect(toggle).to_be_focused()
        page.keyboard.press("Enter")
        expect(pages).to_be_visible()
        assert page.evaluate("document.querySelector('.nav-menu').open")
        shot(page, "nav-open-phone.png")
        assert axe_violations(page) == []
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Overzicht")).to_be_focused()
        toggle.focus()
        page.keyboard.press("Space")
        expect(pages).to_be_hidden()
    finally:
        context.close()


@pytest.mark.parametrize(("viewport", "name"), SIZES)
def test_the_lists_and_the_form_screen_pass_axe(
    browser: Browser, server: RunningLandform, viewport: ViewportSize, name: str
) -> None:
    context = browser.new_context(viewport=viewport, locale="nl-NL")
    try:
        page = context.new_page()
        log_in(page, server)
        if name == "desktop":
            expect(page.get_by_role("link", name="Formulieren")).to_be_visible()
            expect(page.locator("summary.nav-toggle")).to_be_hidden()
        screens = {
            "pages": "/app/pages/",
            "forms": "/app/forms/",
            "form": f"/app/forms/{server.demo['form_id']}",
            "brand": "/app/pages/brand",
        }
        for screen, path in screens.items():
            page.goto(server.base_url + path)
            assert axe_violations(page) == [], screen
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], screen
            shot(page, f"{screen}-{name}.png")
        # Duplicate a page, archive the copy, find it in the archive.
        page.goto(server.base_url + "/app/pages/")
        page.locator("tbody tr").first.get_by_role("button", name="Dupliceren").click()
        expect(page.get_by_text("Kopie gemaakt als concept")).to_be_visible()
        page.goto(server.base_url + "/app/pages/")
        copy_row = page.locator("tbody tr", has_text="(kopie)").first
        copy_row.get_by_role("button", name="Archiveren").click()
        expect(page.get_by_text("De pagina is gearchiveerd.")).to_be_visible()
        page.get_by_role("link", name="Gearchiveerd").click()
        expect(page.locator("tbody tr", has_text="(kopie)").first).to_be_visible()
        assert axe_violations(page) == []
        shot(page, f"pages-archived-{name}.png")
        page.locator("tbody tr", has_text="(kopie)").first.get_by_role("link", name="Verwijderen").click()
        expect(page.get_by_role("heading", name="Deze pagina verwijderen?")).to_be_visible()
        assert axe_violations(page) == []
        shot(page, f"page-delete-{name}.png")
        page.get_by_role("button", name="Pagina verwijderen").click()
        expect(page.get_by_text("De pagina is verwijderd.")).to_be_visible()
    finally:
        context.close()


def test_the_theme_panel_draws_live_after_a_boosted_link(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        page = context.new_page()
        log_in(page, server)
        page.goto(f"{server.base_url}/app/pages/")
        page.get_by_role("link", name="Huisstijl").click()  # htmx swaps the body
        expect(page.locator(".colour-picker")).to_have_count(3)
        page.fill("#t-primary", "#0b4f8a")
        accent = page.locator("[data-theme-preview]").evaluate("el => el.style.getPropertyValue('--accent')")
        assert accent == "#0b4f8a"
        box = page.locator("#t-primary").bounding_box()
        assert box is not None and box["width"] >= 120, "the hex value has no room"
    finally:
        context.close()
