"""The cookie banner on a tenant's own website (choices.js), in Chromium under the site's strict CSP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


DENIED = {
    "ad_storage": "denied",
    "ad_user_data": "denied",
    "ad_personalization": "denied",
    "analytics_storage": "denied",
}


def _consent_calls(page: Page) -> list[list[Any]]:
    return page.evaluate(
        "Array.from(window.dataLayer || [], a => JSON.parse(JSON.stringify(Array.from(a))))"
        ".filter(a => a[0] === 'consent')"
    )


def test_it_sets_google_consent_mode_before_a_google_tag_runs_and_follows_the_choice(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(site.url("/google", server.demo["tenant_slug"]))
        page.wait_for_function("() => window.googleSaw !== undefined")
        # The Google tag found everything denied waiting for it, before any choice.
        assert page.evaluate("window.googleSaw") == [
            ["consent", "default", {**DENIED, "wait_for_update": 500}]
        ]
        expect(_banner(page)).to_be_visible()

        # Statistics only: analytics storage granted, the ad signals stay denied.
        _banner(page).get_by_role("button", name="Zelf kiezen").click()
        dialog = page.locator("div[data-landform-cookies] dialog")
        dialog.locator("input[value=analytics]").check()
        dialog.get_by_role("button", name="Mijn keuze opslaan").click()
        page.wait_for_function("() => (window.dataLayer || []).length >= 2")
        assert _consent_calls(page)[-1] == ["consent", "update", {**DENIED, "analytics_storage": "granted"}]

        # Accept all: everything granted; and on the next page view at once, before the Google tag.
        page.evaluate("window.LandformCookies.open()")
        dialog.locator("input[value=marketing]").check()
        dialog.get_by_role("button", name="Mijn keuze opslaan").click()
        granted = {key: "granted" for key in DENIED}
        page.wait_for_function("() => window.dataLayer.length >= 3")
        assert _consent_calls(page)[-1] == ["consent", "update", granted]
        page.reload()
        page.wait_for_function("() => window.googleSaw !== undefined")
        saw = page.evaluate("window.googleSaw")
        assert saw[0] == ["consent", "default", {**DENIED, "wait_for_update": 500}]
        assert saw[1][:2] == ["consent", "update"] and saw[1][2]["ad_storage"] == "granted"
        assert problems == []
    finally:
        context.close()


def test_global_privacy_control_keeps_google_consent_mode_denied(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    context = browser.new_context(
        viewport=PHONE,  # type: ignore[arg-type]
        locale="nl-NL",
        extra_http_headers={"Sec-GPC": "1"},
    )
    context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
    )
    try:
        page = context.new_page()
        page.goto(site.url("/google", server.demo["tenant_slug"]))
        expect(_banner(page)).to_be_visible()
        _banner(page).get_by_role("button", name="Alles accepteren").click()
        expect(_banner(page)).to_be_hidden()
        assert _consent_calls(page)[-1] == ["consent", "update", DENIED]
    finally:
        context.close()
