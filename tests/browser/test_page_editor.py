"""The page editor in Chromium: the page as visitors see it, edited in place, autosaved, never lost.

Screenshots land in test-artifacts/browser/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect

from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE, axe_violations
from tests.browser.test_demo_journey import Watch, horizontal_overflow, open_page
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser
FEATURES = "Lijst met kenmerken"


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("page-editor")) as running:
        yield running


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


# What sticks out on the right, when something does: the assertion then says where to look.
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5)
  .map(e => e.tagName + '.' + e.className)"""


def shots(page: Page, name: str) -> None:
    """The editor as it is now on a phone and a laptop (axe-clean, nothing sideways), then back at 1280."""
    for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(viewport)
        wide = page.evaluate(TOO_WIDE)
        assert horizontal_overflow(page) <= 0, f"{name} scrolls sideways on a {size}: {wide}"
        assert axe_violations(page) == [], f"{name} on a {size}"
        shot(page, f"{name}-{size}.png")


def log_in(context: BrowserContext, server: RunningLandform) -> tuple[Page, Watch]:
    page, watch = open_page(context, server)
    page.goto(f"{server.base_url}/login")
    page.fill("#f-email", server.demo["login_email"])
    page.fill("#f-password", server.demo["login_password"])
    page.locator("form[action='/login'] button").click()
    page.wait_for_url(f"{server.base_url}/app")
    return page, watch


def new_page(page: Page, server: RunningLandform, slug: str) -> str:
    """A fresh page (hero, form, footer); the editor's address."""
    page.goto(f"{server.base_url}/app/pages/new?template=blank")
    page.fill("#f-slug", slug)
    page.fill("#f-nl_title", f"Pagina {slug}")
    page.locator("form[action='/app/pages/start'] button.primary").click()
    expect(page).to_have_url(re.compile(r"/app/pages/[0-9a-f-]{36}"))
    expect(page.locator("#page-editor")).to_be_visible()
    return page.url.split("#", 1)[0]


def canvas(page: Page) -> Frame:
    handle = page.locator("#canvas").element_handle()
    assert handle is not None
    frame = handle.content_frame()
    assert frame is not None
    frame.wait_for_selector("[data-block]")
    return frame


def saved(page: Page) -> None:
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=10_000)


def test_it_edits_the_headline_in_place_and_keeps_it(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page, watch = log_in(context, server)
        editor = new_page(page, server, "in-place")
        frame = canvas(page)
        heading = frame.locator("h1[data-text=heading]")
        heading.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("Gratis dakscan")
        saved(page)
        expect(page.locator("#pf-heading")).to_have_value("Gratis dakscan")
        shots(page, "editor")
        page.goto(editor)
        expect(canvas(page).locator("h1")).to_have_text("Gratis dakscan")
        assert watch.problems == []
    finally:
        context.close()


def outline_kinds(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("#outline .pick-kind").all_inner_texts()]


def test_it_adds_moves_duplicates_and_removes_blocks_and_keeps_the_order(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page, watch = log_in(context, server)
        editor = new_page(page, server, "blocks")
        assert outline_kinds(page) == ["Openingsblok", "Formulier", "Voettekst"]

        # Add a feature list between the hero and the form.
        page.locator("#outline .add-toggle").first.click()
        page.select_option("#outline select", "features")
        page.locator("#outline .add-form button.primary").click()
        assert outline_kinds(page) == ["Openingsblok", "Lijst met kenmerken", "Formulier", "Voettekst"]
        expect(page.locator("#panel-title")).to_have_text("Lijst met kenmerken")
        page.fill("#pf-heading", "Why us")
        saved(page)
        expect(canvas(page).locator(".b-features h2, .b-empty")).to_have_count(1)
        shots(page, "editor-added-block")

        # Drag the feature list below the form, then back up with the keyboard.
        items = page.locator("#outline .outline-item")
        items.nth(1).drag_to(items.nth(2), target_position={"x": 20, "y": 40})
        assert outline_kinds(page) == ["Openingsblok", "Formulier", "Lijst met kenmerken", "Voettekst"]
        page.locator("#outline .outline-item").nth(2).locator(".pick").focus()
        page.keyboard.press("Alt+ArrowUp")
        assert outline_kinds(page) == ["Openingsblok", "Lijst met kenmerken", "Formulier", "Voettekst"]
        expect(page.locator("#outline .outline-item").nth(1).locator(".pick")).to_be_focused()
        page.get_by_role("button", name="Formulier omlaag").click()
        assert outline_kinds(page) == ["Openingsblok", "Lijst met kenmerken", "Voettekst", "Formulier"]
        page.get_by_role("button", name="Formulier omhoog").click()

        page.get_by_role("button", name="Lijst met kenmerken dupliceren").click()
        assert outline_kinds(page) == ["Openingsblok", FEATURES, FEATURES, "Formulier", "Voettekst"]
        page.get_by_role("button", name="Lijst met kenmerken verwijderen").first.click()
        expect(page.locator("#removed")).to_contain_text("Lijst met kenmerken verwijderd.")
        assert outline_kinds(page) == ["Openingsblok", "Lijst met kenmerken", "Formulier", "Voettekst"]
        page.locator("#removed button").click()
        assert outline_kinds(page) == ["Openingsblok", FEATURES, FEATURES, "Formulier", "Voettekst"]
        page.get_by_role("button", name="Lijst met kenmerken verwijderen").nth(1).click()
        saved(page)

        page.goto(editor)
        assert outline_kinds(page) == ["Openingsblok", "Lijst met kenmerken", "Formulier", "Voettekst"]
        page.locator("#outline .pick").nth(1).click()
        expect(page.locator("#pf-heading")).to_have_value("Why us")
        assert watch.problems == []
    finally:
        context.close()


def test_it_edits_one_language_at_a_time_and_flags_what_is_missing(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        page, watch = log_in(context, server)
        editor = new_page(page, server, "talen")
        hero = canvas(page).locator("[data-block]").first
        # A block on the page is selected with the keyboard too. The canvas frame may still be wiring its
        # keys when the page first shows, so the key is pressed again until the panel opens (at most 3 times).
        for _attempt in range(3):
            hero.focus()
            page.keyboard.press("Enter")
            if page.locator("#pf-heading").count():
                break
            page.wait_for_timeout(500)
        expect(page.locator("#pf-heading")).to_be_focused()
        page.fill("#pf-heading", "Bespaar op energie")
        saved(page)
        expect(page.locator("#outline .badge")).to_have_count(0)
        page.locator("[data-lang=en]").click()
        expect(page.locator("[data-lang=en]")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#outline .outline-item").first.locator(".badge")).to_have_text("EN ontbreekt")
        expect(page.locator("#pf-heading")).to_have_value("")
        expect(page.locator(".missing-note")).to_contain_text("Bespaar op energie")
        shots(page, "editor-missing-translation")
        page.set_viewport_size(PHONE)
        page.fill("#pf-heading", "Save on energy")
        saved(page)
        expect(page.locator("#outline .badge")).to_have_count(0)
        expect(canvas(page).locator("h1")).to_have_text("Save on energy")

        # Undo and redo, with the buttons and the keyboard.
        page.locator("#pf-heading").press("Control+z")
        expect(page.locator("#pf-heading")).to_have_value("")
        page.locator("[data-action=redo]").click()
        expect(page.locator("#pf-heading")).to_have_value("Save on energy")
        saved(page)
        page.goto(editor)
        page.locator("[data-lang=en]").click()
        page.locator("#outline .pick").first.click()
        expect(page.locator("#pf-heading")).to_have_value("Save on energy")
        assert watch.problems == []
    finally:
        context.close()


def test_two_tabs_on_one_draft_lose_nothing(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        first, watch = log_in(context, server)
        editor = new_page(first, server, "tabs")
        second = context.new_page()
        second.goto(editor)
        canvas(second)

        first.locator("#outline .pick").first.click()
        first.fill("#pf-heading", "From the first tab")
        saved(first)
        second.locator("#outline .pick").first.click()
        second.fill("#pf-subheading", "From the second tab")
        expect(second.locator("#conflict")).to_be_visible()
        expect(second.locator("#conflict-text")).to_contain_text("heeft deze pagina om")
        expect(second.locator("#save-state")).to_have_attribute("data-state", "error")
        shots(second, "editor-conflict")

        # Theirs first: the first tab's heading shows; the second tab's own edit is one Undo away.
        second.get_by_role("button", name="Hun versie tonen").click()
        expect(second.locator("#pf-heading")).to_have_value("From the first tab")
        expect(second.locator("#pf-subheading")).to_have_value("")
        second.locator("#page-editor [data-action=undo]").first.click()
        expect(second.locator("#pf-subheading")).to_have_value("From the second tab")
        saved(second)

        first.goto(editor)
        first.locator("#outline .pick").first.click()
        expect(first.locator("#pf-subheading")).to_have_value("From the second tab")
        assert watch.problems == []
    finally:
        context.close()


def test_a_refused_publish_keeps_the_editor_and_points_at_the_block(
    browser: Browser, server: RunningLandform
) -> None:
    """A testimonial without consent cannot go live: the answer is this editor, not its plain forms."""
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page, watch = log_in(context, server)
        new_page(page, server, "geweigerd")
        page.locator("#outline .add-toggle").first.click()
        page.select_option("#outline select", "testimonial")
        page.locator("#outline .add-form button.primary").click()
        page.fill("#pf-quote", "De beste service van de stad")
        saved(page)
        page.locator("form[action$='/publish'] button").click()

        problem = page.locator(".alert-error[role=alert]:not(#conflict)")
        expect(problem).to_contain_text("Deze pagina kan nog niet worden gepubliceerd")
        expect(page.locator("#page-editor")).to_be_visible()
        expect(page.locator("#blocks-classic")).to_be_hidden()
        expect(canvas(page).locator("h1")).to_be_visible()
        problem.get_by_role("link").click()
        expect(page.locator("#panel-title")).to_have_text("Klantervaring")
        expect(page.locator("#pf-quote")).to_have_value("De beste service van de stad")
        shots(page, "editor-publish-refused")
        assert [p for p in watch.problems if "422" not in p] == []
    finally:
        context.close()


def test_publish_follows_the_draft_and_the_hosted_page_changes(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page, watch = log_in(context, server)
        new_page(page, server, "live")
        publish = page.locator("form[action$='/publish'] button")
        expect(publish).to_be_enabled()
        frame = canvas(page)
        frame.locator("h1[data-text=heading]").click()
        page.keyboard.press("Control+A")
        page.keyboard.type("Version one")
        saved(page)
        publish.click()
        expect(publish).to_be_disabled()
        visitor = context.new_page()
        visitor.goto(f"{server.base_url}/p/demo/live")
        expect(visitor.locator("h1")).to_have_text("Version one")

        canvas(page).locator("h1[data-text=heading]").click()
        page.keyboard.press("End")
        page.keyboard.type(" and two")
        saved(page)
        expect(publish).to_be_enabled()  # without a reload
        page.locator("#outline .pick").first.click()
        page.fill("#pf-button_link", "javascript:alert(1)")
        expect(page.locator("#save-state")).to_have_attribute("data-state", "error")
        expect(page.locator(".panel .field.has-error .error")).to_contain_text("webadres")
        shots(page, "editor-invalid-link")
        page.fill("#pf-button_link", "#form")
        saved(page)
        visitor.reload()
        expect(visitor.locator("h1")).to_have_text("Version one")
        publish.click()
        expect(publish).to_be_disabled()
        visitor.reload()
        expect(visitor.locator("h1")).to_have_text("Version one and two")
        # Chromium notes the refused link's save (422) in the console; the editor showed it at the field.
        assert [p for p in watch.problems if "status of 422" not in p] == []
    finally:
        context.close()


def test_a_page_from_a_template_is_edited_block_by_block(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page, watch = log_in(context, server)
        page.goto(f"{server.base_url}/app/pages/new?template=quote")
        page.fill("#f-slug", "offerte")
        page.locator("form[action='/app/pages/start'] button.primary").click()
        expect(page.locator("#page-editor")).to_be_visible()
        frame = canvas(page)
        kinds = [text.strip() for text in page.locator("#outline .pick-kind").all_inner_texts()]
        assert len(kinds) == 6
        # Every block opens in the panel, and its place on the page is marked.
        for index in range(len(kinds)):
            page.locator("#outline .pick").nth(index).click()
            expect(page.locator("#panel-title")).to_have_text(kinds[index])
        page.locator("#outline .pick").nth(1).click()  # the image: its picture chosen from the library
        expect(page.locator(".panel .image-choice:has(input:checked) img")).to_be_visible()
        expect(frame.locator("[data-block].lf-selected")).to_have_count(1)
        shots(page, "editor-template-image")
        page.locator("#outline .pick").first.click()  # the hero: a background picture and its overlay
        expect(page.locator(".panel fieldset.image-field")).to_be_visible()
        shots(page, "editor-template-hero")
        assert watch.problems == []
    finally:
        context.close()
