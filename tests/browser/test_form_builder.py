"""The form builder in Chromium: the form as visitors see it, a field clicked and edited there, fields added
between others, reordered by drag and by keyboard, removed and brought back, one language at a time, every
edit kept over a reload, two tabs told of each other, and publishing that the buttons follow.

Screenshots land in test-artifacts/browser/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, FrameLocator, Page, ViewportSize, expect

from tests.browser.chromium import DESKTOP, PHONE, axe_violations
from tests.browser.test_demo_journey import horizontal_overflow, shot
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("form-builder")) as running:
        yield running


@pytest.fixture
def context(browser: Browser, server: RunningLandform) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{server.base_url}/login")
    page.fill("#f-email", server.demo["login_email"])
    page.fill("#f-password", server.demo["login_password"])
    page.locator("form[action='/login'] button").click()
    page.wait_for_url(f"{server.base_url}/app")
    page.close()
    yield context
    context.close()


def new_form(context: BrowserContext, server: RunningLandform, name: str) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda error: pytest.fail(f"page error: {error}"))
    page.goto(f"{server.base_url}/app/forms/")
    page.fill("#f-name", name)
    page.locator("form[action='/app/forms/'] button").click()
    page.wait_for_url("**/app/forms/*-*")
    ready(page)
    return page


def ready(page: Page) -> None:
    expect(page.locator("[data-builder-panel]")).to_be_visible()
    expect(canvas(page).locator("[data-field=email]")).to_be_visible()


def canvas(page: Page) -> FrameLocator:
    return page.frame_locator("[data-canvas]")


def saved(page: Page) -> None:
    expect(page.locator("[data-save-state]")).to_have_attribute("data-state", "saved", timeout=10_000)


def expect_labels(page: Page, labels: list[str]) -> None:
    """The canvas shows exactly these fields, in this order (it is redrawn a moment after a change)."""
    texts = canvas(page).locator("[data-field] > label, [data-field] > legend")
    expect(texts).to_have_text([re.compile("^" + re.escape(label)) for label in labels])


def outline(page: Page, key: str) -> str:
    return f"[data-outline] li[data-key='{key}']"


def test_it_edits_a_label_by_clicking_the_field_in_the_form(
    context: BrowserContext, server: RunningLandform
) -> None:
    page = new_form(context, server, "Offerte zonnepanelen")
    canvas(page).locator("[data-field=last_name]").click()
    label = page.locator("#fe-label")
    expect(label).to_be_focused()
    expect(label).to_have_value("Achternaam")
    label.fill("Familienaam")
    expect(canvas(page).locator("[data-field=last_name] label")).to_contain_text("Familienaam")
    expect(page.locator(outline(page, "last_name"))).to_contain_text("Familienaam")
    saved(page)
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(viewport)
        assert axe_violations(page) == [], name
        assert horizontal_overflow(page) <= 0
        shot(page, f"form-builder-field-selected-{name}.png")
    page.reload()
    ready(page)
    expect(canvas(page).locator("[data-field=last_name] label")).to_contain_text("Familienaam")
    # The keyboard reaches every field of the form in the canvas too: focusing one selects it.
    canvas(page).locator("[data-field=email] input").focus()
    expect(page.locator(outline(page, "email"))).to_have_class("outline-item selected")


def test_it_adds_a_field_between_two_and_reorders_by_drag_and_by_keyboard(
    context: BrowserContext, server: RunningLandform
) -> None:
    page = new_form(context, server, "Gratis dakscan")
    page.locator(outline(page, "first_name") + " .outline-select").click()
    page.select_option("#fe-add-type", "phone")
    page.locator("#field-editor .add-here button").click()
    expect(page.locator("#fe-label")).to_be_focused()
    page.locator("#fe-label").fill("Telefoon")
    expect_labels(page, ["Voornaam", "Telefoon", "Achternaam", "E-mailadres"])
    saved(page)
    # Drag a field in the form itself: "Achternaam" above "Voornaam".
    canvas(page).locator("[data-field=last_name]").drag_to(
        canvas(page).locator("[data-field=first_name]"), target_position={"x": 30, "y": 4}
    )
    expect_labels(page, ["Achternaam", "Voornaam", "Telefoon", "E-mailadres"])
    page.keyboard.press("Control+Z")
    expect_labels(page, ["Voornaam", "Telefoon", "Achternaam", "E-mailadres"])
    page.locator("[data-outline] li.selected .outline-select").click()  # closes the field's editor
    expect(page.locator("#field-editor")).to_have_count(0)

    # Drag the e-mail field to the top of the list (the list in view: the editor that was open was taller).
    page.locator("[data-outline]").scroll_into_view_if_needed()
    page.locator(outline(page, "email")).drag_to(
        page.locator(outline(page, "first_name")), target_position={"x": 40, "y": 3}
    )
    expect(page.locator("[data-outline] li").first).to_have_attribute("data-key", "email")
    expect_labels(page, ["E-mailadres", "Voornaam", "Telefoon", "Achternaam"])
    # And one place down again by keyboard.
    page.locator(outline(page, "email") + " .outline-select").focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("[data-outline] li").nth(1)).to_have_attribute("data-key", "email")
    expect(page.locator(outline(page, "email") + " .outline-select")).to_be_focused()
    page.locator(outline(page, "email") + " [data-move=up]").click()
    expect(page.locator("[data-outline] li").first).to_have_attribute("data-key", "email")
    saved(page)
    page.reload()
    ready(page)
    expect_labels(page, ["E-mailadres", "Voornaam", "Telefoon", "Achternaam"])


def test_it_removes_a_field_and_brings_it_back_with_undo(
    context: BrowserContext, server: RunningLandform
) -> None:
    page = new_form(context, server, "Nieuwsbrief")
    canvas(page).locator("[data-field=first_name]").click()
    page.locator("#field-editor .editor-actions .button").first.click()  # duplicate
    expect_labels(page, ["Voornaam", "Voornaam", "Achternaam", "E-mailadres"])
    page.locator("[data-undo]").click()
    expect_labels(page, ["Voornaam", "Achternaam", "E-mailadres"])
    canvas(page).locator("[data-field=last_name]").click()
    page.locator("#field-editor .button.danger").click()
    expect(canvas(page).locator("[data-field=last_name]")).to_have_count(0)
    note = page.locator("[data-removed-note]")
    expect(note).to_contain_text("Achternaam")
    expect(note.locator("button")).to_be_focused()
    shot(page, "form-builder-removed-desktop.png")
    saved(page)
    note.locator("button").click()
    expect(canvas(page).locator("[data-field=last_name]")).to_be_visible()
    expect_labels(page, ["Voornaam", "Achternaam", "E-mailadres"])
    # Redo and undo by the keyboard as well.
    page.keyboard.press("Control+Shift+Z")
    expect(canvas(page).locator("[data-field=last_name]")).to_have_count(0)
    page.keyboard.press("Control+Z")
    expect(canvas(page).locator("[data-field=last_name]")).to_be_visible()
    saved(page)
    page.reload()
    ready(page)
    expect_labels(page, ["Voornaam", "Achternaam", "E-mailadres"])


def test_it_edits_one_language_at_a_time_and_flags_missing_translations(
    context: BrowserContext, server: RunningLandform
) -> None:
    page = new_form(context, server, "Wachtlijst")
    page.locator("[data-lang=en]").click()
    expect(page.locator("[data-lang=en]")).to_have_attribute("aria-pressed", "true")
    expect(canvas(page).locator("[data-field=first_name] label")).to_contain_text("First name")
    canvas(page).locator("[data-field=last_name]").click()
    expect(page.locator("#fe-label")).to_have_value("Last name")
    page.locator("#fe-label").fill("")
    # Visitors reading English see the Dutch text until someone translates it; the builder says so.
    expect(canvas(page).locator("[data-field=last_name] label")).to_contain_text("Achternaam (optional)")
    expect(page.locator(outline(page, "last_name") + " .badge")).to_contain_text("EN")
    expect(page.locator("#fe-label-missing")).to_be_visible()
    shot(page, "form-builder-english-missing-desktop.png")
    page.locator("[data-lang=nl]").click()
    expect(page.locator("#fe-label")).to_have_value("Achternaam")
    expect(canvas(page).locator("[data-field=first_name] label")).to_contain_text("Voornaam")
    saved(page)
    page.reload()
    ready(page)
    expect(page.locator(outline(page, "last_name") + " .badge")).to_contain_text("EN")


def test_it_flags_a_field_that_breaks_a_rule_where_it_is_and_keeps_the_rest(
    context: BrowserContext, server: RunningLandform
) -> None:
    page = new_form(context, server, "Inschrijving")
    canvas(page).locator("[data-field=first_name]").click()
    page.locator("#fe-label").fill("Medische klachten")
    canvas(page).locator("[data-field=last_name]").click()
    page.locator("#fe-label").fill("Familienaam")
    state = page.locator("[data-save-state]")
    expect(state).to_have_attribute("data-state", "error", timeout=10_000)
    expect(page.locator(outline(page, "first_name"))).to_have_class(re.compile("has-problem"))
    page.locator(outline(page, "first_name") + " .outline-select").click()
    expect(page.locator("#fe-error")).to_be_visible()
    shot(page, "form-builder-field-error-desktop.png")
    page.reload()
    ready(page)
    expect_labels(page, ["Voornaam", "Familienaam", "E-mailadres"])
    # A consent box for one of the tenant's purposes shows that purpose's consent text.
    page.select_option("#fe-add-end", "consent")
    page.locator("[data-add-end] button").click()
    purpose = page.locator("#fe-purpose")
    purpose.select_option(index=1)
    expect(page.locator("#fe-label")).not_to_have_value("")
    saved(page)
    expect(canvas(page).locator("[data-field] input[type=checkbox]")).to_have_count(1)


def test_it_tells_the_second_tab_before_anything_is_overwritten(
    context: BrowserContext, server: RunningLandform
) -> None:
    first = new_form(context, server, "Evenement")
    second = context.new_page()
    second.goto(first.url)
    ready(second)
    canvas(first).locator("[data-field=first_name]").click()
    first.locator("#fe-label").fill("Roepnaam")
    saved(first)
    canvas(second).locator("[data-field=last_name]").click()
    second.locator("#fe-label").fill("Familienaam")
    conflict = second.locator("[data-conflict]")
    expect(conflict).to_be_visible(timeout=10_000)
    expect(second.locator("[data-save-state]")).to_have_attribute("data-state", "error")
    shot(second, "form-builder-conflict-desktop.png")
    assert axe_violations(second) == []
    # Nothing was overwritten: the first tab's edit is stored.
    third = context.new_page()
    third.goto(first.url)
    ready(third)
    expect(canvas(third).locator("[data-field=first_name] label")).to_contain_text("Roepnaam")
    expect(canvas(third).locator("[data-field=last_name] label")).to_contain_text("Achternaam")
    # The second tab chooses to keep its own version: saved over the first, knowingly.
    second.locator("[data-conflict-keep]").click()
    saved(second)
    expect(conflict).to_be_hidden()


def test_publish_buttons_follow_the_draft_without_a_reload(
    context: BrowserContext, server: RunningLandform
) -> None:
    page = new_form(context, server, "Brochure")
    publish = page.locator("[data-publish]")
    expect(publish).to_be_enabled()
    publish.click()
    page.wait_for_load_state()
    ready(page)
    publish = page.locator("[data-publish]")
    expect(publish).to_be_disabled()
    page.evaluate("window.notReloaded = true")
    canvas(page).locator("[data-field=first_name]").click()
    page.locator("#fe-label").fill("Uw voornaam")
    saved(page)
    expect(publish).to_be_enabled()
    expect(page.locator("[data-unpublished]")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    # Undoing the change makes the draft what is live again.
    page.locator("[data-undo]").click()
    saved(page)
    expect(publish).to_be_disabled()
    page.locator("[data-redo]").click()
    saved(page)
    expect(publish).to_be_enabled()
    # Publishing straight after typing publishes what was typed: the waiting save goes first.
    canvas(page).locator("[data-field=first_name]").click()
    page.locator("#fe-label").fill("Uw roepnaam")
    publish.click()
    page.wait_for_load_state()
    ready(page)
    expect(page.locator("[data-publish]")).to_be_disabled()
    key = page.locator("a[href^='/f/']").first.get_attribute("href")
    hosted = page.context.new_page()
    hosted.goto(f"{server.base_url}{key}")
    expect(hosted.locator("form.lf-form")).to_contain_text("Uw roepnaam")
    assert "data-field" not in hosted.content()


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_builder_passes_axe_and_fits(
    context: BrowserContext, server: RunningLandform, viewport: ViewportSize, name: str
) -> None:
    page = new_form(context, server, f"Proefles {name}")
    page.set_viewport_size(viewport)
    assert axe_violations(page) == []
    assert horizontal_overflow(page) <= 0
    shot(page, f"form-builder-{name}.png")
