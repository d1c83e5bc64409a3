"""Finishing later in Chromium: the showcase page at phone width, the step with its tick, the e-mailed link.
Screenshots of the step and the e-mail land in test-artifacts/browser/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import uuid4

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from landform.core.db import sync_session
from landform.core.mail import EmailMessage
from landform.core.settings import DatabaseSettings
from landform.forms.models import Form
from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE, axe_violations
from tests.browser.customer_site import CustomerSite, customer_site
from tests.browser.test_embed import embedded, open_page, spied
from tests.conftest import wait_for
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("later"), LANDFORM_INTAKE_LIMIT_PER_IP="500") as running:
        with sync_session(_db_url(running)) as db:
            key = running.demo["showcase_form_key"]
            query = select(Form).where(Form.key == key).execution_options(all_tenants=True)
            db.execute(query).scalar_one().allow_resume = True
            db.commit()
        yield running


@pytest.fixture(scope="module")
def site(server: RunningLandform) -> Iterator[CustomerSite]:
    with customer_site(server.base_url) as running:
        with sync_session(_db_url(server)) as db:
            key = server.demo["showcase_form_key"]
            query = select(Form).where(Form.key == key).execution_options(all_tenants=True)
            db.execute(query).scalar_one().allowed_origins = [running.origin]
            db.commit()
        yield running


def _db_url(server: RunningLandform) -> str:
    return DatabaseSettings(url=server.env["LANDFORM_DATABASE_URL"]).sync_url


def _mail(server: RunningLandform, address: str) -> EmailMessage | None:
    with sync_session(_db_url(server)) as db:
        query = select(EmailMessage).where(EmailMessage.recipient == address)
        return db.execute(query.execution_options(all_tenants=True)).scalars().first()


def test_it_saves_a_hosted_form_to_finish_later_and_restores_it_from_the_link(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.demo["showcase_page_url"] + "?lang=nl")
        page.locator("input[name=first_name]").fill("Noor")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(ARTIFACTS / "finish-later-button-desktop.png"))
        page.set_viewport_size(PHONE)
        page.get_by_role("button", name="Later afmaken").click()

        keep = page.get_by_label("Bewaar mijn antwoorden 30 dagen zodat ik later kan afmaken")
        expect(keep).not_to_be_checked()
        assert axe_violations(page) == []
        for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=str(ARTIFACTS / f"finish-later-step-{name}.png"), full_page=True)
        page.set_viewport_size(PHONE)

        email = f"later-{uuid4().hex[:8]}@example.com"
        page.get_by_label("Je e-mailadres").fill(email)
        page.get_by_role("button", name="Mail mij de link").click()
        expect(page.locator("[role=alert]")).to_be_visible()
        expect(page.get_by_text("Zonder dat vinkje bewaren we niets")).to_be_visible()
        assert _mail(server, email) is None

        page.get_by_label("Bewaar mijn antwoorden 30 dagen zodat ik later kan afmaken").check()
        page.get_by_role("button", name="Mail mij de link").click()
        expect(page.get_by_text(f"We hebben een link gemaild naar {email}")).to_be_visible()

        message = wait_for(lambda: _mail(server, email))
        for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
            mail_page = context.new_page()
            mail_page.set_viewport_size(size)
            mail_page.set_content(message.body_html)
            mail_page.screenshot(path=str(ARTIFACTS / f"finish-later-email-{name}.png"), full_page=True)
            mail_page.close()
        link = re.search(r"https?://\S+/resume\?token=\S+", message.body_text)
        assert link
        page.goto(link.group(0))
        expect(page.locator("input[name=first_name]")).to_have_value("Noor")
        assert axe_violations(page) == []
        assert errors == []
    finally:
        context.close()


def test_it_finishes_later_from_the_embed_on_a_strict_csp_site(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    try:
        page, watch = open_page(context, site.origin, server.base_url)
        watch.problems = []
        page.goto(site.url("/site", server.demo["showcase_form_key"]))
        form = embedded(page)
        form.locator("input[name=first_name]").fill("Jip")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        form.screenshot(path=str(ARTIFACTS / "finish-later-embed-phone.png"))
        with context.expect_page() as opened:
            form.get_by_role("button", name="Later afmaken").click()
        step = opened.value
        keep = step.get_by_label("Bewaar mijn antwoorden 30 dagen zodat ik later kan afmaken")
        expect(keep).not_to_be_checked()
        email = f"embed-later-{uuid4().hex[:8]}@example.com"
        step.get_by_label("Je e-mailadres").fill(email)
        keep.check()
        step.get_by_role("button", name="Mail mij de link").click()
        expect(step.get_by_text(f"We hebben een link gemaild naar {email}")).to_be_visible()
        message = wait_for(lambda: _mail(server, email))
        link = re.search(r"https?://\S+/resume\?token=\S+", message.body_text)
        assert link
        step.goto(link.group(0))
        expect(step.locator("input[name=first_name]")).to_have_value("Jip")
        seen = spied(page)
        assert seen["csp"] == [] and seen["storage"] == [], seen
        assert watch.problems == []
    finally:
        context.close()
