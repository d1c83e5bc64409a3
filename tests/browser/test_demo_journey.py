"""The demo as people meet it, in a real browser: a visitor on a phone and a laptop, then the marketer.

One `landform` server (SQLite, in-process worker) serves the whole module; Debian's Chromium drives it.
Screenshots land in test-artifacts/browser/ for a person to look at.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    ViewportSize,
    expect,
)

from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser

LOCALE = "nl-NL"  # the demo tenant is a Dutch installer; its visitors and its owner read Dutch
HUMAN_PAUSE = 1.2  # LANDFORM_FORM_MIN_SECONDS is 1 on the test server: a person takes at least that long


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    """Started after the browser, so a machine without Chromium skips before paying for a server."""
    with landform_server(tmp_path_factory.mktemp("browser")) as running:
        yield running


@dataclass
class Watch:
    """What a person would notice went wrong in the browser: console errors, CSP refusals, other origins."""

    origin: str
    problems: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def request(self, request: Any) -> None:
        url = request.url
        if not url.startswith(("data:", "about:")) and not url.startswith(self.origin):
            self.problems.append(f"request to another origin: {url}")


def open_page(context: BrowserContext, server: RunningLandform) -> tuple[Page, Watch]:
    page = context.new_page()
    parts = urlsplit(server.base_url)
    watch = Watch(origin=f"{parts.scheme}://{parts.netloc}/")
    page.on("console", watch.console)
    page.on("pageerror", lambda error: watch.problems.append(f"page error: {error}"))
    page.on("request", watch.request)
    return page, watch


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


UNLABELLED_INPUTS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.checkVisibility() && !el.closest('[aria-hidden="true"]'))
  .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.right > 0; })
  .filter(el => {
    const text = [...el.labels].map(l => l.textContent.trim()).join('')
      || (el.getAttribute('aria-label') || '').trim()
      || (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
           .map(id => (document.getElementById(id) || {}).textContent || '').join('').trim();
    return !text;
  })
  .map(el => el.outerHTML.slice(0, 120))"""


def wait_like_a_person() -> None:
    time.sleep(HUMAN_PAUSE)


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_it_shows_the_demo_page_to_a_visitor(
    browser: Browser, server: RunningLandform, device: str, viewport: ViewportSize
) -> None:
    context = browser.new_context(viewport=viewport, locale=LOCALE)
    try:
        page, watch = open_page(context, server)
        response = page.goto(server.demo["page_url"])
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_be_visible()
        shot(page, f"demo-page-{device}.png")

        submit = page.locator("form.lf-form button[type=submit]")
        expect(submit).to_be_visible()
        assert horizontal_overflow(page) <= 0, "the page scrolls sideways"
        submit.scroll_into_view_if_needed()
        box = submit.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (
            f"submit button is cut off: {box}"
        )
        assert box["height"] >= 44, "the submit button is smaller than a fingertip"

        assert page.evaluate(UNLABELLED_INPUTS) == [], "inputs without a label"
        sizes = page.eval_on_selector_all(
            "form.lf-form .lf-field :is(input:not([type=checkbox]):not([type=radio]), select, textarea)",
            "els => els.map(el => parseFloat(getComputedStyle(el).fontSize))",
        )
        assert sizes and min(sizes) >= 16, f"phones zoom into inputs under 16px: {sizes}"

        if device == "desktop":
            form_card = page.locator(".form-card").bounding_box()
            assert form_card is not None and form_card["y"] < viewport["height"], "the form is below the fold"

        assert context.cookies() == [], "a hosted page must not set cookies before anything is submitted"
        assert watch.problems == []
    finally:
        context.close()


def log_in(page: Page, server: RunningLandform) -> None:
    response = page.goto(f"{server.base_url}/login")
    assert response is not None and response.status == 200
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("text/html"), f"/login came as {content_type}, not a page"
    shot(page, "login-desktop.png")
    page.fill("#f-email", server.demo["login_email"])
    page.fill("#f-password", server.demo["login_password"])
    page.locator("form[action='/login'] button").click()
    page.wait_for_url(f"{server.base_url}/app")


def find_contact(page: Page, email: str, timeout: float = 15) -> None:
    """The background worker routes the submission within seconds; reload the list until it shows up."""
    row = page.locator("#contact-results tr", has_text=email)
    deadline = time.monotonic() + timeout
    while not row.count():
        if time.monotonic() > deadline:
            raise AssertionError(f"{email} did not reach Contacts within {timeout}s")
        time.sleep(0.3)
        page.reload()


def test_it_takes_a_newcomer_from_the_form_to_the_contact(browser: Browser, server: RunningLandform) -> None:
    email = f"browser-{uuid4().hex[:10]}@example.com"
    context = browser.new_context(viewport=DESKTOP, locale=LOCALE)
    try:
        page, watch = open_page(context, server)
        page.goto(server.demo["page_url"])
        form = page.locator("form.lf-form")
        form.locator("[name=first_name]").fill("Fenna")
        form.locator("[name=last_name]").fill("Brouwer")
        form.locator("[name=email]").fill(email)
        wait_like_a_person()
        form.locator("button[type=submit]").click()
        thanks = page.locator(".thank-you[role=status]")
        expect(thanks).to_be_visible()
        expect(thanks).to_contain_text("Bedankt")
        shot(page, "thank-you-desktop.png")

        # The demo's form confirms to the visitor and tells the lead's owner: both land in the local outbox.
        deadline = time.monotonic() + 30
        while True:
            page.goto(f"{server.base_url}/_outbox/")
            listing = page.locator("main").inner_text()
            if ("Nieuwe lead: Fenna Brouwer" in listing and email in listing) or time.monotonic() > deadline:
                break
            page.wait_for_timeout(500)
        assert "Nieuwe lead: Fenna Brouwer (Gratis dakscan)" in listing
        assert "We hebben je bericht ontvangen: Zonnedak Utrecht" in listing and email in listing
        shot(page, "outbox-desktop.png")

        log_in(page, server)
        shot(page, "dashboard-overview-desktop.png")
        page.locator(".sidebar nav a[href='/app/contacts/']").click()
        page.wait_for_url(f"{server.base_url}/app/contacts/")
        find_contact(page, email)
        shot(page, "contacts-desktop.png")

        page.locator("#contact-results tr", has_text=email).locator("a").first.click()
        expect(page.locator("h1")).to_have_text("Fenna Brouwer")
        entry = page.locator(".timeline li").first
        expect(entry).to_contain_text("Gratis dakscan")
        expect(entry.locator(".answers")).to_contain_text(email)
        contact_url = page.url
        shot(page, "contact-desktop.png")

        page.set_viewport_size(PHONE)
        for url, name in [
            (f"{server.base_url}/app", "dashboard-overview-phone.png"),
            (f"{server.base_url}/app/contacts/", "contacts-phone.png"),
            (contact_url, "contact-phone.png"),
        ]:
            page.goto(url)
            shot(page, name)
            assert horizontal_overflow(page) <= 0, f"{url} scrolls sideways on a phone"
        assert watch.problems == []
    finally:
        context.close()


def test_it_keeps_what_was_typed_when_an_answer_is_wrong(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=PHONE, locale=LOCALE)
    try:
        page, watch = open_page(context, server)
        page.goto(server.demo["page_url"])
        form = page.locator("form.lf-form")
        form.locator("[name=first_name]").fill("Ada")
        form.locator("[name=last_name]").fill("de Graaf")
        form.locator("[name=email]").fill("ada-at-example")
        wait_like_a_person()
        form.locator("button[type=submit]").click()

        page.wait_for_load_state()
        email = page.locator("form.lf-form [name=email]")
        expect(email).to_have_attribute("aria-invalid", "true")
        error = page.locator(f"#{email.get_attribute('aria-describedby')}")
        expect(error).to_be_visible()
        expect(error).not_to_be_empty()
        field_box, error_box = email.bounding_box(), error.bounding_box()
        assert field_box is not None and error_box is not None
        gap = error_box["y"] - (field_box["y"] + field_box["height"])
        assert 0 <= gap <= 24, f"the error is not next to its field ({gap}px away)"
        expect(email.locator("xpath=..")).to_contain_text(error.inner_text())
        border = "el => getComputedStyle(el).borderTopColor"
        first_name = page.locator("form.lf-form [name=first_name]")
        assert email.evaluate(border) != first_name.evaluate(border), "the wrong answer's field is not marked"

        expect(email).to_have_value("ada-at-example")
        expect(page.locator("form.lf-form [name=first_name]")).to_have_value("Ada")
        expect(page.locator("form.lf-form [name=last_name]")).to_have_value("de Graaf")
        assert page.locator("form.lf-form [aria-invalid=true]").count() == 1, "only the e-mail is wrong"
        assert horizontal_overflow(page) <= 0
        shot(page, "demo-invalid-phone.png")

        email.fill("ada@example.com")
        wait_like_a_person()
        page.locator("form.lf-form button[type=submit]").click()
        expect(page.locator(".thank-you[role=status]")).to_be_visible()
        shot(page, "thank-you-phone.png")
        assert context.cookies() == []
        # Chromium logs the 422 of the answered form as a failed load; that status is the point here.
        assert [p for p in watch.problems if "status of 422" not in p] == []
    finally:
        context.close()
