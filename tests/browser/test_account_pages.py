"""The team, settings and account pages in a real browser, on a phone and a laptop.

The owner invites a colleague, fills in the company, starts two-factor enrolment (the QR code is an
inline SVG drawn on the server), and looks at the audit log; every page fits the window and has a
label for every input. Screenshots land in test-artifacts/browser/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.browser.chromium import DESKTOP, PHONE
from tests.browser.test_demo_journey import UNLABELLED_INPUTS, horizontal_overflow, open_page, shot
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("accounts")) as running:
        yield running


@pytest.mark.parametrize(
    ("viewport", "locale", "name"), [(PHONE, "nl-NL", "phone"), (DESKTOP, "en-GB", "desktop")]
)
def test_it_shows_the_account_pages_on_a_phone_and_a_laptop(
    browser: Browser, server: RunningLandform, viewport: ViewportSize, locale: str, name: str
) -> None:
    context = browser.new_context(viewport=viewport, locale=locale)
    try:
        page, watch = open_page(context, server)
        page.goto(f"{server.base_url}/login")
        page.fill("#f-email", server.demo["login_email"])
        page.fill("#f-password", server.demo["login_password"])
        page.locator("form[action='/login'] button").click()
        page.wait_for_url(f"{server.base_url}/app")

        page.goto(f"{server.base_url}/app/team/")
        page.fill("#f-email", f"colleague-{name}@example.com")
        page.select_option("#f-role", "sales_rep")
        page.locator("form[action='/app/team/invite'] button").click()
        expect(page.locator(".alert-success")).to_contain_text(f"colleague-{name}@example.com")

        page.goto(f"{server.base_url}/app/settings/company")
        page.fill("#f-vat_number", "NL004495445B01")
        page.fill("#f-city", "Utrecht")
        page.locator("form[action='/app/settings/company'] button.primary").click()
        expect(page.locator(".alert-success")).to_be_visible()

        for path, label in (
            ("/app/team/", "team"),
            ("/app/settings/company", "company"),
            ("/app/me/", "profile"),
            ("/app/me/security/", "security"),
            ("/app/settings/audit", "audit"),
        ):
            response = page.goto(f"{server.base_url}{path}")
            assert response is not None and response.status == 200, path
            assert horizontal_overflow(page) <= 0, path
            assert page.evaluate(UNLABELLED_INPUTS) == [], path
            shot(page, f"account-{label}-{name}.png")

        page.goto(f"{server.base_url}/app/me/security/")
        page.locator("form[action='/app/me/security/2fa/start'] button").click()
        expect(page.locator(".qr svg")).to_be_visible()
        assert re.fullmatch(r"[A-Z2-7 ]+", page.locator("code.secret").inner_text())
        assert horizontal_overflow(page) <= 0
        shot(page, f"account-two-factor-{name}.png")
        assert watch.problems == []
    finally:
        context.close()
