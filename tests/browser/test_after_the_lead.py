"""After the lead, in a real browser: the profile's notification choice, the form's confirmation setting,
the team channel, and the e-mails in the local outbox, on a phone and a laptop, checked by axe-core."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.browser.chromium import DESKTOP, PHONE, axe_violations
from tests.browser.test_demo_journey import horizontal_overflow, open_page, shot, wait_like_a_person
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("after-the-lead")) as running:
        yield running


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_owner_chooses_how_they_hear_of_leads_and_the_marketer_turns_on_the_confirmation(
    browser: Browser, server: RunningLandform, viewport: ViewportSize, name: str
) -> None:
    context = browser.new_context(viewport=viewport, locale="nl-NL")
    try:
        page, _watch = open_page(context, server)
        page.goto(f"{server.base_url}/login")
        page.fill("#f-email", server.demo["login_email"])
        page.fill("#f-password", server.demo["login_password"])
        page.locator("form[action='/login'] button").click()

        page.goto(f"{server.base_url}/app/me/")
        page.get_by_label("Elk uur een overzicht").check()
        page.locator("form[action='/app/me/'] button.primary").click()
        expect(page.get_by_label("Elk uur een overzicht")).to_be_checked()
        page.get_by_label("Meteen een e-mail per lead").check()
        page.locator("form[action='/app/me/'] button.primary").click()
        expect(page.get_by_label("Meteen een e-mail per lead")).to_be_checked()
        shot(page, f"profile-lead-notifications-{name}.png")

        page.goto(f"{server.base_url}/app/forms/")
        page.locator("a", has_text="Gratis dakscan").first.click()
        box = page.get_by_label("Stuur de bezoeker een bevestiging met een kopie van de antwoorden")
        expect(box).to_be_checked()  # the demo's main form confirms to its visitors
        shot(page, f"form-confirmation-setting-{name}.png")

        page.goto(f"{server.base_url}/app/routing/")
        expect(page.locator("#chat")).to_contain_text("Teamkanaal")
        for path in ("/app/me/", "/app/routing/"):
            page.goto(f"{server.base_url}{path}")
            assert horizontal_overflow(page) <= 0, path
            assert axe_violations(page) == [], path
    finally:
        context.close()


def test_the_visitor_and_the_owner_find_their_emails_in_the_local_outbox(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        page, _watch = open_page(context, server)
        page.goto(server.demo["page_url"])
        form = page.locator("form.lf-form")
        form.locator("[name=first_name]").fill("Mila")
        form.locator("[name=last_name]").fill("Bos")
        form.locator("[name=email]").fill("mila.bos@example.com")
        wait_like_a_person()
        form.locator("button[type=submit]").click()
        expect(page.locator(".thank-you[role=status]")).to_be_visible()
        for subject in (
            "We hebben je bericht ontvangen: Zonnedak Utrecht",
            "Nieuwe lead: Mila Bos (Gratis dakscan)",
        ):
            link = page.locator("a", has_text=subject)
            for _ in range(60):
                page.goto(f"{server.base_url}/_outbox/")
                if link.count():
                    break
                page.wait_for_timeout(500)
            link.first.click()
            expect(page.locator("h1")).to_have_text(subject)
            assert horizontal_overflow(page) <= 0, subject
            assert axe_violations(page) == [], subject
        plain = page.locator("main").inner_text()
        assert "Open het contact" in plain
    finally:
        context.close()
