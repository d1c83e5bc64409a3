"""Rules and steps in Chromium: the demo's showcase form on its hosted page, without JavaScript, and in
the embed on a strict-CSP website of another origin. Screenshots land in test-artifacts/browser/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from uuid import uuid4

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from landform.core.db import sync_session
from landform.core.settings import DatabaseSettings
from landform.forms.models import Form
from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE, axe_violations
from tests.browser.customer_site import CustomerSite, customer_site
from tests.browser.test_embed import HUMAN_PAUSE, contacts, embedded, open_page, spied, wait_for_contact
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    # Each step is a request of its own: more than the default 20 a minute from one address in this module.
    with landform_server(tmp_path_factory.mktemp("steps"), LANDFORM_INTAKE_LIMIT_PER_IP="500") as running:
        yield running


@pytest.fixture(scope="module")
def site(server: RunningLandform) -> Iterator[CustomerSite]:
    with customer_site(server.base_url) as running:
        url = DatabaseSettings(url=server.env["LANDFORM_DATABASE_URL"]).sync_url
        with sync_session(url) as db:
            key = server.demo["showcase_form_key"]
            query = select(Form).where(Form.key == key).execution_options(all_tenants=True)
            db.execute(query).scalar_one().allowed_origins = [running.origin]
            db.commit()
        yield running


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def focused_name(page: Page) -> str:
    return str(
        page.evaluate(
            "() => { let a = document.activeElement; while (a && a.shadowRoot && "
            "a.shadowRoot.activeElement) a = a.shadowRoot.activeElement; return a && a.name }"
        )
    )


def problems(page: Page, form: Locator) -> list[str]:
    """axe's violations in the form (on a customer's site, its own page is not ours to judge)."""
    found = axe_violations(page)
    if form.evaluate("el => el.shadowRoot !== null"):
        return [line for line in found if "data-landform-form" in line]
    return found


def walk_the_steps(page: Page, form: Locator, email: str, *, name: str = "Ada") -> None:
    """Step 1 with the company rule, an error focused, step 2 piped and Back, step 3 sent."""
    company = form.locator("input[name=company_name]")
    form.locator("input[name=first_name]").fill(name)
    expect(company).to_be_hidden()
    form.get_by_label("Voor mijn bedrijf").check()
    expect(company).to_be_visible()
    assert problems(page, form) == []
    form.get_by_role("button", name="Volgende").click()
    expect(form.locator("[role=alert]")).to_be_visible()
    expect(company).to_be_focused()
    company.fill("Zon & Co")
    form.get_by_role("button", name="Volgende").click()
    expect(form.get_by_text(f"Je situatie, {name}")).to_be_visible()
    assert "Stap 2 van 3" in form.locator(".lf-progress-text, .p").first.inner_text()
    panels = form.locator("input[name=panel_count]")
    expect(panels).to_be_hidden()
    form.get_by_label("Ja", exact=True).check()
    expect(panels).to_be_visible()
    panels.fill("12")
    form.get_by_label("4", exact=True).check()
    assert problems(page, form) == []
    form.get_by_role("button", name="Terug").click()
    expect(form.locator("input[name=first_name]")).to_have_value(name)
    expect(company).to_have_value("Zon & Co")
    form.get_by_role("button", name="Volgende").click()
    expect(panels).to_have_value("12")
    form.get_by_role("button", name="Volgende").click()
    form.locator("input[name=email]").fill(email)
    time.sleep(HUMAN_PAUSE)
    form.get_by_role("button", name="Vraag mijn offerte aan").click()


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_it_walks_a_stepped_form_on_its_hosted_page(
    browser: Browser, server: RunningLandform, device: str, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.demo["showcase_page_url"] + "?lang=nl")
        form = page.locator("form.lf-form")
        shot(page, f"steps-hosted-1-{device}.png")
        email = f"steps-{uuid4().hex[:8]}@example.com"
        walk_the_steps(page, form, email)
        expect(page.get_by_text("Bedankt! Binnen twee werkdagen")).to_be_visible()
        contact = wait_for_contact(server, email)
        assert contact["company_name"] == "Zon & Co"
        assert errors == []
    finally:
        context.close()


def test_it_goes_one_step_per_request_without_javascript(browser: Browser, server: RunningLandform) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server.base_url}/f/{server.demo['showcase_form_key']}?lang=nl")
        page.locator("input[name=first_name]").fill("Bo")
        page.get_by_label("Voor mijn huis").check()
        # Without the script a field shown by a rule on this step stays visible; the server ignores it.
        expect(page.locator("input[name=company_name]")).to_be_visible()
        page.get_by_role("button", name="Volgende").click()
        shot(page, "steps-nojs-2-phone.png")
        expect(page.get_by_text("Je situatie, Bo")).to_be_visible()
        page.get_by_role("button", name="Terug").click()
        expect(page.locator("input[name=first_name]")).to_have_value("Bo")
        page.get_by_role("button", name="Volgende").click()
        page.get_by_label("Nee", exact=True).check()
        page.get_by_role("button", name="Volgende").click()
        email = f"nojs-{uuid4().hex[:8]}@example.com"
        page.locator("input[name=email]").fill(email)
        time.sleep(HUMAN_PAUSE)
        page.get_by_role("button", name="Vraag mijn offerte aan").click()
        expect(page.get_by_text("Bedankt!")).to_be_visible()
        assert wait_for_contact(server, email)["first_name"] == "Bo"
    finally:
        context.close()


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_it_walks_a_stepped_form_in_the_embed_on_a_strict_csp_site(
    browser: Browser, server: RunningLandform, site: CustomerSite, device: str, viewport: dict[str, int]
) -> None:
    key = server.demo["showcase_form_key"]
    context = browser.new_context(viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, watch = open_page(context, site.origin, server.base_url)
        watch.problems = []
        page.goto(site.url("/site", key))
        form = embedded(page)
        expect(form.locator("input[name=first_name]")).to_be_visible()
        shot(page, f"steps-embed-1-{device}.png")
        email = f"embed-steps-{uuid4().hex[:8]}@example.com"
        walk_the_steps(page, form, email, name="Fenna")
        expect(form.locator("[role=status]")).to_contain_text("Bedankt")
        contact = wait_for_contact(server, email)
        assert contact["company_name"] == "Zon & Co"
        assert len(contacts(server, email)) == 1
        seen = spied(page)
        assert seen["csp"] == [] and seen["storage"] == [], seen
        assert [p for p in watch.problems if "status of 422" not in p] == []
    finally:
        context.close()
