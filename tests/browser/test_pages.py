"""Landing pages in a real browser: the demo's block page on a phone and a laptop, and a marketer
building a page full of hostile text in the editor without JavaScript, which then runs nothing.

Screenshots land in test-artifacts/browser/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

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

        page.goto(f"{server.base_url}/app/pages/new?template=blank")
        page.fill("#f-slug", "veilig")
        page.fill("#f-nl_title", XSS)
        page.locator("form[action='/app/pages/start'] button.primary").click()
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


def test_a_marketer_gives_a_page_a_social_image_and_plans_its_publish(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(f"{server.base_url}/login")
        page.fill("#f-email", server.demo["login_email"])
        page.fill("#f-password", server.demo["login_password"])
        page.locator("form[action='/login'] button").click()
        page.wait_for_url(f"{server.base_url}/app")
        page.goto(f"{server.base_url}/app/pages/new?template=blank")
        page.fill("#f-slug", "deelbaar")
        page.fill("#f-nl_title", "Zomeractie")
        page.locator("form[action='/app/pages/start'] button.primary").click()
        page.wait_for_selector("#page-editor:not([hidden])")
        editor_url = page.url.split("#", 1)[0]
        assert not editor_url.endswith("/new")
        page.locator("#page-settings summary").click()  # folded under the page editor

        settings = page.locator("#settings")
        settings.locator("[name=social_image_upload]").set_input_files(
            {"name": "delen.png", "mimeType": "image/png", "buffer": png(1200, 630)}
        )
        settings.locator("[name=nl_social_image_alt]").fill(XSS)
        settings.locator("button.primary").click()
        # htmx swaps the answer in; the upload comes back as the chosen social image.
        chosen = page.locator("#settings input[name=social_image_id]:checked")
        expect(chosen).not_to_have_attribute("value", "")
        expect(page.locator(".image-choice:has(input:checked) img")).to_be_visible()

        moment = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT09:00")
        page.fill("#f-publish_at", moment)
        page.locator("#schedule button.primary").click()
        page.wait_for_load_state()
        expect(page.locator("#schedule .scheduled .badge")).to_be_visible()
        expect(page.locator("#schedule")).to_contain_text("09:00")

        for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
            page.set_viewport_size(viewport)
            page.goto(editor_url + "?open=settings")
            assert horizontal_overflow(page) <= 0, f"the editor scrolls sideways on a {name}"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.locator("#settings").screenshot(path=str(ARTIFACTS / f"page-seo-settings-{name}.png"))
            page.locator("#schedule").screenshot(path=str(ARTIFACTS / f"page-schedule-{name}.png"))
        page.goto(f"{server.base_url}/app/pages/")
        expect(page.locator("tr:has-text('Zomeractie') .badge.warn")).to_be_visible()
        shot(page, "page-list-scheduled-phone.png")

        page.goto(editor_url)
        page.locator("form[action$='/publish'] button").click()
        expect(page.locator(".page-head .badge.ok")).to_be_visible()
    finally:
        context.close()

    visitor_context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        visitor, watch = open_page(visitor_context, server)
        response = visitor.goto(f"{server.base_url}/p/demo/deelbaar")
        assert response is not None and response.status == 200
        image = visitor.locator("meta[property='og:image']").get_attribute("content") or ""
        assert image.startswith("http") and "/p/demo/_img/" in image
        assert visitor.locator("meta[property='og:image:alt']").get_attribute("content") == XSS
        assert visitor.locator("meta[name='twitter:card']").get_attribute("content") == "summary_large_image"
        assert visitor.evaluate("window.__xss") is None
        fetched = visitor.request.get(image)
        assert fetched.status == 200 and fetched.headers["content-type"] == "image/png"
        assert watch.problems == []
    finally:
        visitor_context.close()
