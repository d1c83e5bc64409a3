"""The embed as a popup or slide-in, and its proof of work, on a strict-CSP website on another origin."""

from __future__ import annotations

import time
from collections.abc import Iterator
from uuid import uuid4

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from landform.core.db import sync_session
from landform.core.settings import DatabaseSettings
from landform.forms.models import Form
from tests.browser.chromium import DESKTOP, PHONE, axe_violations
from tests.browser.customer_site import CustomerSite, customer_site
from tests.browser.test_embed import (
    HUMAN_PAUSE,
    allow_origins,
    embedded,
    fill,
    open_page,
    shot,
    spied,
    wait_for_contact,
)
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser

# The tenant's banner (choices.js) as a page sees it once the visitor allowed functional cookies.
CONSENTED = "window.LandformCookies = { granted: () => ['necessary', 'functional'] };"


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    # Every submission counts as a burst: the embed must solve a challenge for each.
    with landform_server(tmp_path_factory.mktemp("popup"), LANDFORM_PROOF_OF_WORK_AFTER="0") as running:
        yield running


@pytest.fixture(scope="module")
def site(server: RunningLandform) -> Iterator[CustomerSite]:
    with customer_site(server.base_url) as running:
        allow_origins(server, [running.origin])
        yield running


def _dialog(page: Page):  # Playwright's CSS locators pierce the popup's open shadow root
    return page.locator("dialog")


def _focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement.id"))


def test_it_pops_up_after_seconds_traps_focus_and_closes_with_escape(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    for size, name in ((DESKTOP, "1280"), (PHONE, "390")):
        context = browser.new_context(viewport=size, locale="nl-NL")  # type: ignore[arg-type]
        try:
            page, watch = open_page(context, site.origin, server.base_url)
            page.goto(site.url("/popup", server.demo["form_key"], mode="popup", trigger="time", after="1"))
            page.locator("#before").focus()
            expect(_dialog(page)).to_be_hidden()
            expect(page.locator("input[name=email]")).to_be_hidden()  # kept out of sight until then
            expect(_dialog(page)).to_be_visible(timeout=5000)
            assert _dialog(page).get_attribute("aria-modal") == "true"
            expect(page.locator("input[name=email]")).to_be_visible()
            shot(page, f"embed-popup-{name}.png")
            assert axe_violations(page) == []
            # Focus goes round inside: close button, the form's fields, its button and back.
            for _ in range(15):
                page.keyboard.press("Tab")
                assert page.evaluate("document.activeElement.tagName") == "DIV", "focus left the popup"
            page.keyboard.press("Escape")
            expect(_dialog(page)).to_be_hidden()
            assert _focused_id(page) == "before"
            time.sleep(1.2)
            expect(_dialog(page)).to_be_hidden()  # once per page view
            assert spied(page)["storage"] == [] and spied(page)["csp"] == []
            assert watch.problems == []
        finally:
            context.close()


def test_it_slides_in_at_a_scroll_depth_and_closes_with_its_button(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    for size, name in ((DESKTOP, "1280"), (PHONE, "390")):
        context = browser.new_context(viewport=size, locale="nl-NL")  # type: ignore[arg-type]
        try:
            page, watch = open_page(context, site.origin, server.base_url)
            page.goto(
                site.url("/popup", server.demo["form_key"], mode="slide-in", trigger="scroll", after="40")
            )
            time.sleep(1)
            expect(_dialog(page)).to_be_hidden()
            page.mouse.wheel(0, 20000)
            expect(_dialog(page)).to_be_visible(timeout=5000)
            assert _dialog(page).get_attribute("aria-modal") is None  # the page stays usable
            expect(page.locator("input[name=email]")).to_be_visible()
            shot(page, f"embed-slide-in-{name}.png")
            assert axe_violations(page) == []
            page.locator("dialog button[aria-label=Sluiten]").click()
            expect(_dialog(page)).to_be_hidden()
            assert watch.problems == []
        finally:
            context.close()


def test_it_pops_up_on_exit_intent(browser: Browser, server: RunningLandform, site: CustomerSite) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, _watch = open_page(context, site.origin, server.base_url)
        page.goto(site.url("/popup", server.demo["form_key"], mode="popup", trigger="exit"))
        page.mouse.move(600, 300)
        time.sleep(0.5)
        expect(_dialog(page)).to_be_hidden()
        # The pointer leaves the window through the top, towards the tabs and the address bar.
        page.evaluate(
            "document.dispatchEvent(new MouseEvent('mouseout', {clientY: -2, relatedTarget: null}))"
        )
        expect(_dialog(page)).to_be_visible()
    finally:
        context.close()


def test_it_stays_away_for_days_only_with_functional_consent(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    url = site.url("/popup", server.demo["form_key"], mode="popup", trigger="time", after="0", days="7")
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, _watch = open_page(context, site.origin, server.base_url)
        page.add_init_script(CONSENTED)
        page.goto(url)
        expect(_dialog(page)).to_be_visible()
        page.keyboard.press("Escape")
        page.reload()
        time.sleep(1.5)
        expect(_dialog(page)).to_be_hidden()
        assert spied(page)["local"] == 1
    finally:
        context.close()
    # Without consent nothing is stored, so the next page view shows it again.
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, _watch = open_page(context, site.origin, server.base_url)
        page.goto(url)
        expect(_dialog(page)).to_be_visible()
        page.keyboard.press("Escape")
        page.reload()
        expect(_dialog(page)).to_be_visible()
        assert spied(page)["local"] == 0 and spied(page)["storage"] == []
    finally:
        context.close()


def _always_proof_of_work(server: RunningLandform, on: bool) -> None:
    url = DatabaseSettings(url=server.env["LANDFORM_DATABASE_URL"]).sync_url
    with sync_session(url) as db:
        query = select(Form).where(Form.key == server.demo["form_key"]).execution_options(all_tenants=True)
        db.execute(query).scalar_one().proof_of_work_always = on
        db.commit()


@pytest.mark.parametrize("always", [False, True], ids=["asked-after-a-risky-submit", "always-up-front"])
def test_it_solves_the_proof_of_work_in_the_embed_under_a_strict_csp(
    browser: Browser, server: RunningLandform, site: CustomerSite, always: bool
) -> None:
    _always_proof_of_work(server, always)
    email = f"pow-{uuid4().hex[:10]}@example.com"
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, watch = open_page(context, site.origin, server.base_url)
        page.goto(site.url("/site", server.demo["form_key"]))
        form = embedded(page)
        fill(form, first_name="Pim", last_name="Visser", email=email)
        form.locator("input[name=tips]").check()
        time.sleep(HUMAN_PAUSE)
        form.locator("button").click()
        expect(form.locator("[role=status]")).to_contain_text("Bedankt", timeout=20000)
        assert wait_for_contact(server, email)["email"] == email
        assert spied(page)["csp"] == [] and spied(page)["storage"] == []
        # Chromium logs the 403 that asked for the proof of work; nothing else may go wrong.
        assert [p for p in watch.problems if "status of 403" not in p] == []
    finally:
        context.close()
        _always_proof_of_work(server, False)
