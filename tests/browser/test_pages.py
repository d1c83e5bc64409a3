"""Landing pages in a real browser: the demo's block page on a phone and a laptop, and a marketer
building a page full of hostile text in the editor without JavaScript, which then runs nothing.

Screenshots land in test-artifacts/browser/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE
from tests.browser.test_demo_journey import horizontal_overflow, open_page
from tests.server import RunningLandform, landform_server
from tests.site.test_page_safety import png

pytestmark = pytest.mark.browser

XSS = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=1;alert(1)">'


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("pages")) as running:
        yield running


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.mark.parametrize(
    ("viewport", "locale", "name"), [(PHONE, "nl-NL", "phone"), (DESKTOP, "en-GB", "desktop")]
)
def test_it_shows_the_demo_block_page_at_its_best(
    browser: Browser, server: RunningLandform, viewport: ViewportSize, locale: str, name: str
) -> None:
    context = browser.new_context(viewport=viewport, locale=locale)
    try:
        page, watch = open_page(context, server)
        response = page.goto(server.demo["page_url"])
        assert response is not None and response.status == 200
        assert page.evaluate("document.documentElement.lang") == locale[:2]
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("#form form.lf-form")).to_be_visible()
        expect(page.locator(".b-features li")).to_have_count(4)
        page.locator(".b-faq summary").first.click()
        expect(page.locator(".b-faq details").first).to_have_attribute("open", "")
        assert horizontal_overflow(page) <= 0
        accent = page.locator(".lf-submit").evaluate("el => getComputedStyle(el).backgroundColor")
        assert accent == "rgb(15, 118, 110)", "the theme stylesheet did not apply"
        shot(page, f"page-blocks-{name}.png")
        assert context.cookies() == []
        assert watch.problems == []
    finally:
        context.close()


def _save(block: Locator) -> None:
    block.locator("button.primary").click()
    block.page.wait_for_load_state()


def _add(page: Page, kind: str) -> Locator:
    """Add a block; the editor comes back scrolled to it (/app/pages/{id}#block-{block_id})."""
    page.select_option("#f-new-block", kind)
    page.locator("form.add-block button").click()
    page.wait_for_url("**#block-*")
    return page.locator("#" + page.url.split("#", 1)[1])


def test_it_builds_a_hostile_page_without_javascript_and_the_page_runs_nothing(
    browser: Browser, server: RunningLandform
) -> None:
    editor_context = browser.new_context(viewport=DESKTOP, locale="nl-NL", java_script_enabled=False)
    try:
        page = editor_context.new_page()
        page.goto(f"{server.base_url}/login")
        page.fill("#f-email", server.demo["login_email"])
        page.fill("#f-password", server.demo["login_password"])
        page.locator("form[action='/login'] button").click()
        page.wait_for_url(f"{server.base_url}/app")

        page.goto(f"{server.base_url}/app/pages/new")
        page.fill("#f-slug", "veilig")
        page.fill("#f-nl_title", XSS)
        page.locator("form[action='/app/pages/'] button.primary").click()
        page.wait_for_url("**/app/pages/*")
        hero = page.locator("article.block-card").first
        hero.locator("[name=nl_heading]").fill(XSS)
        hero.locator("[name=nl_button_text]").fill(XSS)
        _save(hero)
        text = _add(page, "text")
        text.locator("[name=nl_markdown]").fill(f"{XSS}\n\n[klik](javascript:window.__xss=1)")
        _save(text)
        quote = _add(page, "testimonial")
        quote.locator("[name=name]").fill(XSS)
        quote.locator("[name=nl_quote]").fill(XSS)
        quote.locator("[name=consented]").check()
        _save(quote)
        image = _add(page, "image")
        image.locator("[name=image_id]").set_input_files(
            {"name": "dak.png", "mimeType": "image/png", "buffer": png(64, 32)}
        )
        image.locator("[name=nl_alt]").fill(XSS)
        _save(image)
        expect(image.locator("img.thumb")).to_be_visible()
        page.locator("form[action$='/publish'] button").click()
        page.wait_for_load_state()
        expect(page.locator(".badge.ok").first).to_be_visible()
        shot(page, "page-editor-desktop.png")
    finally:
        editor_context.close()

    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        visitor, watch = open_page(context, server)
        dialogs: list[str] = []
        visitor.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        response = visitor.goto(f"{server.base_url}/p/demo/veilig")
        assert response is not None and response.status == 200
        visitor.wait_for_load_state("load")
        expect(visitor.locator("h1")).to_contain_text("<script>window.__xss=1</script>")
        assert visitor.evaluate("window.__xss") is None
        assert dialogs == []
        # The one script is our own cookie banner's (static/cookies.js); nothing the marketer typed runs.
        own = "script[src^='/static/cookies.js']"
        assert visitor.locator(f"script:not({own}), [onerror], a[href^='javascript:']").count() == 0
        picture = visitor.locator(".b-image img")
        expect(picture).to_have_attribute("loading", "lazy")
        assert picture.evaluate("img => img.complete && img.naturalWidth") == 64
        assert horizontal_overflow(visitor) <= 0, "long hostile text pushes the page sideways"
        shot(visitor, "page-hostile-phone.png")
        assert watch.problems == []
    finally:
        context.close()
