"""The page editor's layout in Chromium: a big canvas beside narrow tools, and no block that seems lost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.chromium import DESKTOP, PHONE
from tests.browser.test_page_editor import canvas, log_in, new_page, saved, shots
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser

# The toolbar's rows: its visible parts are centred on a row, so one row when their middles agree.
BAR_ROWS = """() => new Set([...document.querySelectorAll('#page-editor .editor-bar > *')]
  .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect())
  .map(r => Math.round((r.top + r.bottom) / 8))).size"""


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("page-editor-layout")) as running:
        yield running


def canvas_size(page: Page) -> dict[str, float]:
    box = page.locator("#page-editor .canvas-wrap").bounding_box()
    assert box is not None
    return box


def test_at_1280_the_canvas_takes_most_of_the_width_and_the_toolbar_one_row(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page, watch = log_in(context, server)
        new_page(page, server, "layout")
        canvas(page)
        assert canvas_size(page)["width"] >= 700
        assert page.evaluate(BAR_ROWS) == 1
        # The canvas fills the window's height and stays in view while the outline and panel scroll.
        assert canvas_size(page)["height"] >= DESKTOP["height"] - 40
        page.mouse.wheel(0, 600)
        page.wait_for_function(
            "() => document.querySelector('.canvas-wrap').getBoundingClientRect().top < 20"
        )
        # Undo and redo are icons, their names still said to a screen reader.
        expect(page.get_by_role("button", name="Ongedaan maken")).to_be_visible()
        expect(page.get_by_role("button", name="Opnieuw")).to_be_visible()
        # On a phone the list of blocks comes before the selected block's fields.
        page.set_viewport_size(PHONE)
        outline = page.locator("#outline").bounding_box()
        panel = page.locator("#panel-fields").bounding_box()
        assert outline is not None and panel is not None and outline["y"] < panel["y"]
        page.set_viewport_size(DESKTOP)
        shots(page, "editor-layout")
        assert watch.problems == []
    finally:
        context.close()


def test_a_testimonial_without_consent_shows_why_on_the_canvas_only(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page, watch = log_in(context, server)
        editor = new_page(page, server, "quote")
        page.locator("#outline .add-toggle").first.click()
        page.select_option("#outline select", "testimonial")
        page.locator("#outline .add-form button.primary").click()
        page.fill("#pf-quote", "Binnen een week stond alles erop.")
        saved(page)
        placeholder = canvas(page).locator(".b-empty[data-type=testimonial]")
        expect(placeholder).to_contain_text("toestemming")
        shots(page, "editor-testimonial-waiting")

        # Visitors never see the placeholder, nor the quote.
        page.goto(editor.rstrip("/") + "/preview")
        expect(page.locator("main")).not_to_contain_text("toestemming")
        expect(page.locator("main")).not_to_contain_text("Binnen een week")
        assert page.locator(".b-empty").count() == 0

        # With the name and the consent, the quote itself takes the placeholder's place.
        page.goto(editor)
        page.locator("#outline .pick").nth(1).click()
        page.fill("#pf-name", "Fatma Yilmaz")
        page.check("#pf-consented")
        saved(page)
        frame = canvas(page)
        expect(frame.locator(".b-quote blockquote")).to_have_text("Binnen een week stond alles erop.")
        expect(frame.locator(".b-empty[data-type=testimonial]")).to_have_count(0)
        assert watch.problems == []
    finally:
        context.close()
