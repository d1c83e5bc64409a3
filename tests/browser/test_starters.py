"""A new account in a real browser: the dashboard offers templates first, the event registration template
becomes a page in the editor, publishing it puts its form and illustration live. On the way the gallery,
the form templates and the dashboard's checklist are checked with axe-core and shot at 390 and 1280 px
(test-artifacts/browser/).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.chromium import DESKTOP, PHONE, axe_violations
from tests.browser.test_demo_journey import UNLABELLED_INPUTS, horizontal_overflow, open_page, shot
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("starters")) as running:
        yield running


def _sign_up(page: Page, server: RunningLandform, email: str) -> None:
    """A new account, confirmed through the link in the local outbox."""
    page.goto(f"{server.base_url}/signup")
    page.fill("#f-company", "Zonnig Dak BV")
    page.fill("#f-first_name", "Noor")
    page.fill("#f-last_name", "de Vries")
    page.fill("#f-email", email)
    page.fill("#f-password", "a long enough password")
    page.select_option("#f-language", "en")
    page.locator("form[action='/signup'] button").click()
    page.wait_for_load_state()
    page.goto(f"{server.base_url}/_outbox/")
    page.locator("td a").first.click()
    link = re.search(r"http://[^\s\"<]+/signup/confirm\?token=[\w.\-]+", page.content())
    assert link, "no confirmation link in the e-mail"
    page.goto(link[0].replace("&amp;", "&"))
    page.wait_for_url(f"{server.base_url}/app")


def _looked_at(page: Page, name: str) -> None:
    """Both widths: nothing sideways, every input labelled, no axe violations; a screenshot each."""
    for viewport, width in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(viewport)
        assert horizontal_overflow(page) <= 0, f"{name} scrolls sideways at {viewport['width']} px"
        shot(page, f"starters-{name}-{width}.png")
    assert page.evaluate(UNLABELLED_INPUTS) == [], "inputs without a label"
    assert axe_violations(page) == []


def test_a_new_account_builds_and_publishes_a_page_from_a_template(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        page, watch = open_page(context, server)
        _sign_up(page, server, "noor@zonnigdak.example.com")

        offer = page.locator("section", has=page.get_by_role("heading", name="Start with a template"))
        expect(offer).to_be_visible()
        # A new account's owner gets its unmatched leads from the start: that step is ticked already.
        expect(page.locator(".checklist-progress")).to_have_text("1 of 6 done")
        _looked_at(page, "dashboard-new")

        offer.get_by_role("link", name=re.compile("Event or webinar registration")).click()
        page.wait_for_url("**/app/pages/new?template=event")
        expect(page.locator("#chosen-heading")).to_have_text("Event or webinar registration")
        _looked_at(page, "gallery")
        page.get_by_role("button", name="Create page").click()
        page.wait_for_url(re.compile(r".*/app/pages/[0-9a-f-]{36}$"))
        expect(page.locator(".alert-success[role=status]")).to_contain_text("Event or webinar registration")

        page.locator("form[action$='/publish'] button").click()
        expect(page.locator(".badge.ok").first).to_have_text("Published")
        page.goto(f"{server.base_url}/app")
        expect(page.locator(".checklist-progress")).to_have_text("4 of 6 done")
        expect(page.locator(".checklist li.done")).to_have_count(4)
        _looked_at(page, "dashboard-checklist")
        live = page.locator("a[href^='/p/']").first.get_attribute("href")
        assert live and live.endswith("/webinar-registration")

        page.goto(f"{server.base_url}/app/forms/new")
        _looked_at(page, "form-templates")
        page.get_by_role("link", name=re.compile("Youth workshop")).click()
        expect(page.locator("#chosen-heading")).to_have_text("Youth workshop (with age check)")
        _looked_at(page, "form-template-chosen")
        page.get_by_role("button", name="Create form").click()
        page.wait_for_url(re.compile(r".*/app/forms/[0-9a-f-]{36}$"))
        expect(page.locator(".alert-success[role=status]")).to_contain_text("Form created as a draft")
        assert watch.problems == []
    finally:
        context.close()

    visitor_context = browser.new_context(viewport=PHONE, locale="en-GB")
    try:
        visitor, watch = open_page(visitor_context, server)
        response = visitor.goto(f"{server.base_url}{live}")
        assert response is not None and response.status == 200
        expect(visitor.locator("h1")).to_have_text("Live webinar: working smarter with your customer data")
        expect(visitor.locator("#form form.lf-form")).to_be_visible()
        expect(visitor.get_by_role("radio", name="Online")).to_be_visible()
        picture = visitor.locator(".b-image img")
        picture.scroll_into_view_if_needed()
        expect(picture).to_have_attribute("alt", re.compile("calendar"))
        visitor.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
        assert picture.evaluate("img => img.naturalWidth") == 1200
        assert horizontal_overflow(visitor) <= 0
        shot(visitor, "starters-hosted-event-phone.png")
        assert watch.problems == []
    finally:
        visitor_context.close()


def test_a_template_past_the_plans_limit_says_so_instead_of_doing_nothing(
    browser: Browser, server: RunningLandform
) -> None:
    """The gallery's button is a boosted form: its 403 (the Free plan's pages used up) shows, not dropped."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        page, watch = open_page(context, server)
        _sign_up(page, server, "bram@limiet.example.com")
        for key in ("quote", "consultation", "download"):
            page.goto(f"{server.base_url}/app/pages/new?template={key}")
            page.get_by_role("button", name="Create page").click()
            page.wait_for_url(re.compile(r".*/app/pages/[0-9a-f-]{36}$"))

        page.goto(f"{server.base_url}/app/pages/new?template=event")
        page.get_by_role("button", name="Create page").click()
        expect(page.get_by_role("heading", name="Your plan's limit is reached")).to_be_visible()
        expect(page.get_by_role("link", name="See the plans")).to_be_visible()
        assert horizontal_overflow(page) <= 0
        shot(page, "starters-over-the-limit-desktop.png")
        assert [p for p in watch.problems if "403" not in p] == []
    finally:
        context.close()
