"""The deal board in a real browser: drag a card to another stage (htmx), or move it with its select and
button without JavaScript; the board, a deal and a contact's stage on a phone and a laptop, checked by axe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.chromium import DESKTOP, PHONE, axe_violations
from tests.browser.test_demo_journey import horizontal_overflow, open_page, shot
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("deal-board")) as running:
        yield running


def _log_in(page: Page, server: RunningLandform) -> None:
    page.goto(f"{server.base_url}/login")
    page.fill("#f-email", server.demo["login_email"])
    page.fill("#f-password", server.demo["login_password"])
    page.locator("form[action='/login'] button").click()
    page.wait_for_url("**/app**")


def _stage(page: Page, name: str):
    return page.locator(".deal-stage", has=page.get_by_role("heading", name=name, exact=True))


def test_it_moves_a_deal_by_dragging_it_onto_another_stage(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page, watch = open_page(context, server)
        _log_in(page, server)
        page.goto(f"{server.base_url}/app/deals/")
        card = _stage(page, "Nieuw").locator(".deal-card", has_text="Dakscan rijtjeshuis")
        expect(card).to_be_visible()
        card.drag_to(_stage(page, "Gekwalificeerd"))
        moved = _stage(page, "Gekwalificeerd").locator(".deal-card", has_text="Dakscan rijtjeshuis")
        expect(moved).to_be_visible()
        page.reload()  # stored, not only moved on the screen
        expect(
            _stage(page, "Gekwalificeerd").locator(".deal-card", has_text="Dakscan rijtjeshuis")
        ).to_be_visible()
        # The select and button of a card, with JavaScript on (htmx swaps the board).
        battery = page.locator(".deal-card", has_text="Thuisbatterij")
        battery.get_by_label("Fase van “Thuisbatterij 10 kWh”").select_option(label="Onderhandeling")
        battery.get_by_role("button", name="Verplaatsen").click()
        expect(_stage(page, "Onderhandeling").locator(".deal-card", has_text="Thuisbatterij")).to_be_visible()
        assert axe_violations(page) == []
        assert not watch.problems
    finally:
        context.close()


def test_it_moves_a_deal_with_the_select_without_javascript(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL", java_script_enabled=False)
    try:
        page, _watch = open_page(context, server)
        _log_in(page, server)
        page.goto(f"{server.base_url}/app/deals/")
        card = page.locator(".deal-card", has_text="Schuur met 12 panelen")
        card.get_by_label("Fase van “Schuur met 12 panelen”").select_option(label="Gewonnen")
        card.get_by_role("button", name="Verplaatsen").click()
        expect(
            _stage(page, "Gewonnen").locator(".deal-card", has_text="Schuur met 12 panelen")
        ).to_be_visible()
        expect(page.locator(".alert-success")).to_contain_text("Gewonnen")
    finally:
        context.close()


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_board_a_deal_and_a_contacts_stage_read_well_on_a_phone_and_a_laptop(
    browser: Browser, server: RunningLandform, viewport: ViewportSize, name: str
) -> None:
    context = browser.new_context(viewport=viewport, locale="nl-NL")
    try:
        page, _watch = open_page(context, server)
        _log_in(page, server)
        page.goto(f"{server.base_url}/app/deals/")
        shot(page, f"deal-board-{name}.png")
        pages = {"/app/deals/": "board"}
        page.locator(".deal-card a", has_text="Plat dak").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Plat dak")
        shot(page, f"deal-{name}.png")
        pages[page.url.removeprefix(server.base_url)] = "deal"
        page.locator(".deal-links a").first.click()
        expect(page.locator(".contact-stage")).to_contain_text("Prospect")
        shot(page, f"contact-stage-{name}.png")
        pages[page.url.removeprefix(server.base_url)] = "contact"
        pages["/app/deals/forecast"] = "forecast"
        pages["/app/deals/stages"] = "stages"
        for path, what in pages.items():
            page.goto(f"{server.base_url}{path}")
            if what in ("forecast", "stages"):
                shot(page, f"deal-{what}-{name}.png")
            assert horizontal_overflow(page) <= 0, path
            assert axe_violations(page) == [], path
    finally:
        context.close()
