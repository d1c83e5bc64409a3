"""The cookie banner on a tenant's own website (choices.js), in Chromium under the site's strict CSP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update

from landform.accounts.models import Tenant
from landform.consent.models import ConsentRecord
from landform.core.db import sync_session
from landform.core.settings import DatabaseSettings
from landform.forms.models import Form
from tests.browser.chromium import DESKTOP, PHONE
from tests.browser.customer_site import CustomerSite, customer_site
from tests.server import RunningLandform, landform_server


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("site-banner")) as running:
        yield running


def _db_url(server: RunningLandform) -> str:
    return DatabaseSettings(url=server.env["LANDFORM_DATABASE_URL"]).sync_url


@pytest.fixture(scope="module")
def site(server: RunningLandform) -> Iterator[CustomerSite]:
    """The tenant's website, allowed because one of its forms may be embedded there."""
    with customer_site(server.base_url) as running:
        with sync_session(_db_url(server)) as db:
            query = (
                select(Form).where(Form.key == server.demo["form_key"]).execution_options(all_tenants=True)
            )
            db.execute(query).scalar_one().allowed_origins = [running.origin]
            db.commit()
        yield running


def _banner(page: Page):
    return page.locator("div[data-landform-cookies] section")


def _records(server: RunningLandform, origin: str) -> list[ConsentRecord]:
    with sync_session(_db_url(server)) as db:
        query = (
            select(ConsentRecord)
            .where(ConsentRecord.embed_host == origin)
            .execution_options(all_tenants=True)
        )
        return list(db.execute(query).scalars())


def test_the_banner_keeps_statistics_off_until_allowed_and_remembers_the_choice(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(site.url("/cookies", server.demo["tenant_slug"]))
        expect(_banner(page)).to_be_visible()
        assert page.evaluate("window.statsRan") is None
        page.screenshot(path="/tmp/landform-site-banner-desktop.png")

        # Keyboard only: Tab to "Alles weigeren" and press Enter.
        for _ in range(8):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "document.activeElement.shadowRoot?.activeElement?.textContent"
                " || document.activeElement.textContent"
            )
            if focused == "Alles weigeren":
                break
        assert focused == "Alles weigeren"
        page.keyboard.press("Enter")
        expect(_banner(page)).to_be_hidden()
        assert page.evaluate("window.statsRan") is None
        assert "lf_consent=1.none" in page.evaluate("document.cookie")
        recorded = _records(server, site.origin)
        assert {(r.method, r.given) for r in recorded} == {("site_banner", False)} and len(recorded) == 3

        page.reload()
        page.wait_for_function("() => window.LandformCookies !== undefined")
        expect(_banner(page)).to_be_hidden()
        assert page.evaluate("window.statsRan") is None

        # Changing one's mind later, from the site's own link.
        page.get_by_role("button", name="Cookie-instellingen").click()
        dialog = page.locator("div[data-landform-cookies] dialog")
        expect(dialog).to_be_visible()
        dialog.locator("input[value=analytics]").check()
        dialog.get_by_role("button", name="Mijn keuze opslaan").click()
        page.wait_for_function("() => window.statsRan === 1")
        page.reload()
        page.wait_for_function("() => window.statsRan === 1")
        expect(_banner(page)).to_be_hidden()

        # A new cookie policy version asks again, and nothing runs until then.
        with sync_session(_db_url(server)) as db:
            db.execute(
                update(Tenant)
                .where(Tenant.slug == server.demo["tenant_slug"])
                .values(cookie_policy_version=Tenant.cookie_policy_version + 1)
            )
            db.commit()
        page.reload()
        expect(_banner(page)).to_be_visible()
        assert page.evaluate("window.statsRan") is None
        assert problems == []
    finally:
        context.close()


def test_a_website_the_tenant_did_not_allow_gets_no_banner(browser: Browser, server: RunningLandform) -> None:
    with customer_site(server.base_url) as other:
        context = browser.new_context(viewport=PHONE, locale="nl-NL")  # type: ignore[arg-type]
        try:
            page = context.new_page()
            page.goto(other.url("/cookies", server.demo["tenant_slug"]))
            page.wait_for_timeout(1000)
            assert page.locator("div[data-landform-cookies]").count() == 0
            assert page.evaluate("window.statsRan") is None
        finally:
            context.close()
