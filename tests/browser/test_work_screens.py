"""My tasks, a contact's notes, calls and tasks, and speed to lead, in Chromium on a phone and a laptop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE, axe_violations
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("work")) as running:
        yield running


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "laptop"])
def test_it_shows_the_demo_owners_tasks_a_contacts_work_and_the_speed_report(browser, server, size):
    context = browser.new_context(viewport=size, locale="nl-NL")
    page = context.new_page()
    page.goto(server.base_url + "/login")
    page.fill("input[name=email]", server.demo["login_email"])
    page.fill("input[name=password]", server.demo["login_password"])
    page.locator("main form button").first.click()
    page.wait_for_url(f"{server.base_url}/app**")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width = size["width"]

    page.goto(server.base_url + "/app/tasks/")
    expect(page.get_by_role("heading", name="Vandaag")).to_be_visible()
    expect(page.get_by_text("Offerte voor 12 panelen sturen")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"tasks-{width}.png"), full_page=True)
    problems = axe_violations(page)

    page.get_by_role("link", name="Sanne Vermeulen").first.click()
    page.wait_for_url(f"{server.base_url}/app/contacts/**")
    page.get_by_label("Notitie", exact=True).fill("Belt **morgen** terug")
    page.get_by_role("button", name="Notitie opslaan").click()
    expect(page.locator(".note-body strong", has_text="morgen").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"contact-work-{width}.png"), full_page=True)
    problems += axe_violations(page)

    page.goto(server.base_url + "/app/routing/speed/")
    expect(page.get_by_role("heading", name="Tijd tot eerste opvolging")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"speed-to-lead-{width}.png"), full_page=True)
    problems += axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0
    assert problems == []
    context.close()
