"""The page settings' theme and search texts in Chromium: saved as the marketer types, no Save pressed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.chromium import DESKTOP
from tests.browser.test_page_editor import log_in, new_page, saved, server, shots
from tests.server import RunningLandform

pytestmark = pytest.mark.browser
__all__ = ["server"]  # the editor tests' server fixture, shared


def test_theme_and_search_texts_are_kept_without_pressing_save(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page, watch = log_in(context, server)
        editor = new_page(page, server, "instellingen")
        publish = page.locator("form[action$='/publish'] button")
        publish.click()
        expect(publish).to_be_disabled()
        page.locator("[data-action=settings]").click()
        note = page.locator("#autosave-note")
        expect(note).to_be_visible()
        expect(note).to_contain_text("zoekbeschrijvingen")

        page.fill("#t-primary", "#aa3300")
        saved(page)
        expect(publish).to_be_enabled()  # a theme-only change differs from live, without a reload
        page.fill("#f-nl_title", "Dakscan in het voorjaar")
        page.fill("#f-nl_seo_description", "Gratis dakscan voor uw woning.")
        saved(page)
        expect(page.locator("#settings-save-state")).to_have_attribute("data-state", "saved")

        page.fill("#t-background", "wit")
        expect(page.locator("#save-state")).to_have_attribute("data-state", "error")
        error = page.locator("#t-background").locator("xpath=..").locator(".error")
        expect(error).to_contain_text("#0f766e")
        expect(page.locator("#t-background")).to_have_attribute("aria-invalid", "true")
        shots(page, "page-settings-autosave-error")
        page.fill("#t-background", "")
        saved(page)
        expect(error).to_have_count(0)

        page.locator("#page-editor [data-action=undo]").first.click()
        expect(page.locator("#t-background")).to_have_value("wit")
        page.locator("#page-editor [data-action=redo]").click()
        expect(page.locator("#t-background")).to_have_value("")
        saved(page)
        page.locator("#page-settings > summary").scroll_into_view_if_needed()
        shots(page, "page-settings-autosave")

        page.goto(editor)  # no Save button was pressed
        expect(page.locator("#t-primary")).to_have_value("#aa3300")
        expect(page.locator("#f-nl_title")).to_have_value("Dakscan in het voorjaar")
        expect(page.locator("#f-nl_seo_description")).to_have_value("Gratis dakscan voor uw woning.")
        expect(page.locator("h1")).to_have_text("Dakscan in het voorjaar")
        expect(publish).to_be_enabled()
        # Chromium notes the refused colour's save (422) in the console; the editor showed it at the field.
        assert [p for p in watch.problems if "status of 422" not in p] == []
    finally:
        context.close()
