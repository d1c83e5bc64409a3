"""The cookie banner of a hosted page in Chromium: nothing set or shared before a choice, the choice
applied without a reload and remembered, asked again under a new policy version, usable by keyboard.

Screenshots land in test-artifacts/browser/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from landform.accounts.models import Tenant
from landform.core.db import sync_session
from landform.core.settings import DatabaseSettings
from landform.site import blocks as page_blocks
from landform.site import services as site_services
from landform.site.models import Page as LandingPage
from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE
from tests.browser.test_demo_journey import Watch, open_page
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser

GRANTED = "[data-category=marketing][data-consent=granted]"


def _database(server: RunningLandform) -> str:
    return DatabaseSettings(url=server.env["LANDFORM_DATABASE_URL"]).sync_url


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    """The demo, its welcome page given a social-share block (marketing: inert until allowed)."""
    with landform_server(tmp_path_factory.mktemp("cookies")) as running:
        with sync_session(_database(running)) as db:
            tenant = db.execute(select(Tenant).where(Tenant.slug == "demo")).scalar_one()
        with sync_session(_database(running), tenant.id) as db:
            page = db.execute(select(LandingPage).where(LandingPage.slug == "welcome")).scalar_one()
            site_services.set_blocks(page, page_blocks.insert(page.blocks, page_blocks.new_block("share")))
            site_services.publish_sync(db, page)
            db.commit()
        yield running


def _policy_version(server: RunningLandform, version: int) -> None:
    with sync_session(_database(server)) as db:
        tenant = db.execute(select(Tenant).where(Tenant.slug == "demo")).scalar_one()
        tenant.cookie_policy_version = version
        db.commit()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def _visit(context: BrowserContext, server: RunningLandform) -> tuple[Page, Watch]:
    page, watch = open_page(context, server)
    response = page.goto(server.demo["page_url"])
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    return page, watch


def _consent_cookie(context: BrowserContext) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == "lf_consent"), None)


def test_it_blocks_marketing_until_accepted_and_remembers_it(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        page, watch = _visit(context, server)
        banner = page.locator("#lf-cookie-banner")
        expect(banner).to_be_visible()
        expect(banner.get_by_role("button", name="Alles accepteren")).to_be_visible()
        assert context.cookies() == [], "no cookie before the visitor chooses"
        expect(page.locator(GRANTED)).to_have_count(0)
        expect(page.locator(".b-share a[href*='linkedin']")).to_have_count(0)
        accept = banner.get_by_role("button", name="Alles accepteren")
        reject = banner.get_by_role("button", name="Alles weigeren")
        assert accept.bounding_box()["height"] == reject.bounding_box()["height"]  # type: ignore[index]
        assert accept.evaluate("b => getComputedStyle(b).backgroundColor") == reject.evaluate(
            "b => getComputedStyle(b).backgroundColor"
        ), "accepting and rejecting must look alike"
        shot(page, "cookie-banner-phone.png")
        # The bottom sheet leaves the form's button reachable: scrolled to, nothing lies over it.
        page.locator(".lf-submit").scroll_into_view_if_needed()
        page.locator(".lf-submit").click(trial=True, timeout=5000)

        page.evaluate("window.__sameDocument = true")
        accept.click()
        expect(banner).to_be_hidden()
        expect(page.locator(GRANTED)).to_be_visible()
        expect(page.locator(".b-share a[href*='linkedin']")).to_be_visible()
        assert page.evaluate("window.__sameDocument") is True, "the choice applies without a reload"
        assert _consent_cookie(context) == "1.functional-analytics-marketing"

        page.reload()
        expect(page.locator("#lf-cookie-banner")).to_have_count(0)
        expect(page.locator(GRANTED)).to_be_visible()
        assert watch.problems == []
    finally:
        context.close()


def test_it_keeps_marketing_inert_after_reject_all(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        page, watch = _visit(context, server)
        banner = page.locator("#lf-cookie-banner")
        expect(banner).to_be_visible()
        assert context.cookies() == []
        shot(page, "cookie-banner-desktop.png")
        banner.get_by_role("button", name="Reject all").click()
        expect(banner).to_be_hidden()
        assert _consent_cookie(context) == "1.none"
        expect(page.locator(GRANTED)).to_have_count(0)
        expect(page.locator("template[data-category=marketing]")).to_have_count(1)
        page.reload()
        expect(page.locator("#lf-cookie-banner")).to_have_count(0)
        expect(page.locator(GRANTED)).to_have_count(0)
        # The footer link reopens the choice.
        page.locator(".site-footer a[data-cookie-settings]").click()
        expect(page.locator("#lf-cookie-dialog")).to_be_visible()
        shot(page, "cookie-dialog-desktop.png")
        assert watch.problems == []
    finally:
        context.close()


def test_it_asks_again_when_the_policy_version_changes(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        page, _watch = _visit(context, server)
        page.locator("#lf-cookie-banner").get_by_role("button", name="Accept all").click()
        expect(page.locator(GRANTED)).to_be_visible()
        _policy_version(server, 2)
        page.reload()
        expect(page.locator("#lf-cookie-banner")).to_be_visible()
        expect(page.locator(GRANTED)).to_have_count(0)
        page.locator("#lf-cookie-banner").get_by_role("button", name="Reject all").click()
        expect(page.locator("#lf-cookie-banner")).to_be_hidden()  # the choice is saved by fetch first
        assert _consent_cookie(context) == "2.none"
    finally:
        _policy_version(server, 1)
        context.close()


def test_it_can_be_used_with_the_keyboard_alone(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    try:
        page, watch = _visit(context, server)
        keys = page.keyboard
        keys.press("Tab")
        expect(page.get_by_role("button", name="Accept all")).to_be_focused()
        keys.press("Tab")
        expect(page.get_by_role("button", name="Reject all")).to_be_focused()
        keys.press("Tab")
        choose = page.locator("#lf-cookie-banner a[data-cookie-settings]")
        expect(choose).to_be_focused()
        keys.press("Enter")
        dialog = page.locator("#lf-cookie-dialog")
        expect(dialog).to_be_visible()
        boxes = dialog.locator("input[name=category]:not(:disabled)")
        expect(boxes).to_have_count(3)
        for index in range(3):
            expect(boxes.nth(index)).not_to_be_checked()  # nothing ticked for the visitor
        expect(boxes.first).to_be_focused()
        shot(page, "cookie-dialog-phone.png")
        keys.press("Escape")
        expect(dialog).to_be_hidden()
        expect(choose).to_be_focused()

        keys.press("Enter")
        expect(dialog).to_be_visible()
        keys.press("Tab")
        keys.press("Tab")
        expect(dialog.locator("#lf-dialog-marketing")).to_be_focused()
        keys.press("Space")
        keys.press("Tab")
        expect(dialog.get_by_role("button", name="Save my choice")).to_be_focused()
        keys.press("Enter")
        expect(dialog).to_be_hidden()
        expect(page.locator("#lf-cookie-banner")).to_be_hidden()
        expect(page.locator(GRANTED)).to_be_visible()
        assert _consent_cookie(context) == "1.marketing"
        assert watch.problems == []
    finally:
        context.close()


def test_it_honours_global_privacy_control_in_the_browser(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', {value: true})")
    try:
        page, watch = _visit(context, server)
        page.locator("#lf-cookie-banner").get_by_role("button", name="Accept all").click()
        expect(page.locator("#lf-cookie-banner")).to_be_hidden()
        assert _consent_cookie(context) == "1.functional"
        expect(page.locator(GRANTED)).to_have_count(0)
        assert watch.problems == []
    finally:
        context.close()
