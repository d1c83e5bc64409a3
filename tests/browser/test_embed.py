"""The embed script on a tenant's own website, in Chromium: another origin, a strict CSP, hostile CSS.

One `landform` server (SQLite, in-process worker) and two customer websites on other loopback ports:
one the demo form allows, one it does not. Screenshots land in test-artifacts/browser/.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    expect,
)
from sqlalchemy import select

from landform.core.db import sync_session
from landform.core.settings import DatabaseSettings
from landform.forms.embed import embed_script
from landform.forms.models import Form
from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE
from tests.browser.customer_site import EMBED_JS, CustomerSite, customer_site
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser

HUMAN_PAUSE = 1.2  # LANDFORM_FORM_MIN_SECONDS is 1 on the test server
# Chromium logs every fetch answered 4xx as a console error; a 422 with per-field errors is the point.
ANSWERED_422 = "status of 422"

# Wraps the storage and cookie APIs before any page script runs, so a write is caught even if undone.
SPY = """
window.__lf = { storage: [], csp: [] };
for (const store of [Storage.prototype]) {
  for (const name of ['setItem', 'removeItem', 'clear']) {
    const real = store[name];
    store[name] = function (...args) { window.__lf.storage.push(name); return real.apply(this, args); };
  }
}
const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
Object.defineProperty(Document.prototype, 'cookie', {
  get() { return cookie.get.call(this); },
  set(v) { window.__lf.storage.push('cookie'); cookie.set.call(this, v); },
});
document.addEventListener('securitypolicyviolation',
  e => window.__lf.csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("embed")) as running:
        yield running


@pytest.fixture(scope="module")
def site(server: RunningLandform) -> Iterator[CustomerSite]:
    """The tenant's website, on the demo form's allow-list."""
    with customer_site(server.base_url) as running:
        allow_origins(server, [running.origin])
        yield running


@pytest.fixture(scope="module")
def stranger(server: RunningLandform, site: CustomerSite) -> Iterator[CustomerSite]:
    """Somebody else's website, not on the allow-list."""
    with customer_site(server.base_url) as running:
        yield running


def allow_origins(server: RunningLandform, origins: list[str]) -> None:
    url = DatabaseSettings(url=server.env["LANDFORM_DATABASE_URL"]).sync_url
    with sync_session(url) as db:
        query = select(Form).where(Form.key == server.demo["form_key"]).execution_options(all_tenants=True)
        db.execute(query).scalar_one().allowed_origins = origins
        db.commit()


@dataclass
class Watch:
    """What would show something went wrong: console errors and warnings, CSP refusals, other origins."""

    origins: tuple[str, ...]
    problems: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def request(self, request: Any) -> None:
        if not request.url.startswith(self.origins):
            self.problems.append(f"request to a third party: {request.url}")


def open_page(context: BrowserContext, *origins: str) -> tuple[Page, Watch]:
    page = context.new_page()
    watch = Watch(origins=tuple(o + "/" for o in origins))
    page.add_init_script(SPY)
    page.on("console", watch.console)
    page.on("pageerror", lambda error: watch.problems.append(f"page error: {error}"))
    page.on("request", watch.request)
    return page, watch


def spied(page: Page) -> dict[str, Any]:
    """Storage/cookie writes and CSP violations seen on the page, and what is left in storage."""
    return page.evaluate(
        """({...window.__lf, local: localStorage.length, session: sessionStorage.length,
             cookie: document.cookie})"""
    )


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def embedded(page: Page, index: int = 0) -> Locator:
    """The n-th embedded form's host element (Playwright's CSS locators pierce its open shadow root)."""
    return page.locator("div[data-landform-form]").nth(index)


def fill(form: Locator, **values: str) -> None:
    for name, value in values.items():
        form.locator(f"[name={name}]").fill(value)


def contacts(server: RunningLandform, email: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{server.base_url}/api/v1/contacts",
        params={"email": email},
        headers={"Authorization": f"Bearer {server.demo['api_key']}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def wait_for_contact(server: RunningLandform, email: str, timeout: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while not (found := contacts(server, email)):
        if time.monotonic() > deadline:
            raise AssertionError(f"{email} did not reach the CRM within {timeout}s")
        time.sleep(0.2)
    return found[0]


STYLE = """el => { const s = getComputedStyle(el);
  return [s.color, s.fontSize, s.fontWeight, s.letterSpacing, s.textTransform, s.display, s.fontFamily]
    .join(' | '); }"""


def test_it_takes_a_lead_from_a_hostile_customer_page_to_the_crm(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    key = server.demo["form_key"]
    email = f"embed-{uuid4().hex[:10]}@example.com"
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, watch = open_page(context, site.origin, server.base_url)
        page.goto(site.url("/hostile", key, plain="1"))
        brand_before = page.locator("#brand").evaluate(STYLE)

        page.goto(site.url("/hostile", key, utm_source="nieuwsbrief", utm_campaign="voorjaar"))
        form = embedded(page)
        email_input = form.locator("input[name=email]")
        expect(email_input).to_be_visible()
        assert page.locator("#brand").evaluate(STYLE) == brand_before, "the embed changed the host's styles"

        # The hostile CSS cannot reach inside: inputs show, in the form's own font, size and colour.
        looks = email_input.evaluate(
            "el => { const s = getComputedStyle(el); return [s.display, s.fontSize, s.color, s.fontFamily]; }"
        )
        assert looks[0] == "block" and looks[1] == "16px" and looks[2] != "rgb(255, 0, 0)", looks
        assert "Comic" not in looks[3]
        button = form.locator("button")
        assert button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(15, 118, 110)"
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44
        assert form.locator("input[type=hidden][name=utm_source]").get_attribute("value") == "nieuwsbrief"
        assert form.locator("input[type=hidden][name=page_url]").get_attribute("value") == page.url

        fill(form, first_name="Fenna", last_name="Brouwer", email=email)
        form.locator("input[name=tips]").check()
        time.sleep(HUMAN_PAUSE)
        button.click()
        thanks = form.locator("[role=status]")
        expect(thanks).to_contain_text("Bedankt")
        expect(form.locator("form")).to_have_count(0)
        shot(page, "embed-hostile-desktop.png")

        contact = wait_for_contact(server, email)
        assert (contact["first_name"], contact["last_name"]) == ("Fenna", "Brouwer")

        assert context.cookies() == [], "the embed must not set cookies on either origin"
        seen = spied(page)
        assert seen["storage"] == [] and seen["local"] == 0 and seen["session"] == 0 and seen["cookie"] == ""
        assert seen["csp"] == [], "CSP violations on the host page"
        assert watch.problems == []
    finally:
        context.close()


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_it_looks_like_the_hosted_form_on_a_customer_site(
    browser: Browser, server: RunningLandform, site: CustomerSite, device: str, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, watch = open_page(context, site.origin, server.base_url)
        page.goto(site.url("/site", server.demo["form_key"]))
        form = embedded(page)
        expect(form.locator("button")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        host_box, button_box = form.bounding_box(), form.locator("button").bounding_box()
        assert host_box and button_box
        assert button_box["width"] >= host_box["width"] * 0.8, "the button is not full width"
        assert button_box["height"] >= 44, "the button is smaller than a fingertip"
        # Every visible control has a label, and no input is below 16px (phones zoom into those).
        report = form.evaluate(
            """host => [...host.shadowRoot.querySelectorAll('input, select, textarea')]
              .filter(el => el.type !== 'hidden')
              .map(el => [el.name, el.labels.length, parseFloat(getComputedStyle(el).fontSize)])"""
        )
        assert report and all(labels for _, labels, _ in report), report
        assert all(size >= 16 for *_, size in report if _ != "tips"), report
        expect(form.locator("label[for=lf-first_name]")).to_contain_text("Voornaam")
        expect(form.locator("label[for=lf-phone] .o")).to_contain_text("optioneel")
        shot(page, f"embed-site-{device}.png")
        assert context.cookies() == []
        assert spied(page)["csp"] == []
        assert watch.problems == []
    finally:
        context.close()


def test_it_shows_errors_inline_and_keeps_what_was_typed(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, watch = open_page(context, site.origin, server.base_url)
        page.goto(site.url("/site", server.demo["form_key"]))
        form = embedded(page)
        fill(form, last_name="de Graaf", email="ada-at-example")
        time.sleep(HUMAN_PAUSE)
        form.locator("button").click()

        email = form.locator("input[name=email]")
        expect(email).to_have_attribute("aria-invalid", "true")
        first = form.locator("input[name=first_name]")
        expect(first).to_have_attribute("aria-invalid", "true")
        expect(form.locator("input[name=last_name]")).not_to_have_attribute("aria-invalid", "true")
        error = form.locator(f"#{email.get_attribute('aria-describedby')}")
        expect(error).to_be_visible()
        expect(error).not_to_be_empty()
        expect(form.locator("[role=alert]")).to_be_visible()
        field_box, error_box = email.bounding_box(), error.bounding_box()
        assert field_box and error_box
        assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) <= 24, (
            "error not next to its field"
        )
        assert form.evaluate("host => host.shadowRoot.activeElement?.name") == "first_name", (
            "focus is not on the first invalid field"
        )
        expect(email).to_have_value("ada-at-example")
        expect(form.locator("input[name=last_name]")).to_have_value("de Graaf")
        shot(page, "embed-invalid-phone.png")

        address = f"ada-{uuid4().hex[:8]}@example.com"
        fill(form, first_name="Ada", email=address)
        form.locator("button").click()
        expect(form.locator("[role=status]")).to_contain_text("Bedankt")
        expect(form.locator("[aria-invalid=true]")).to_have_count(0)
        shot(page, "embed-thank-you-phone.png")
        wait_for_contact(server, address)
        assert context.cookies() == []
        assert [p for p in watch.problems if ANSWERED_422 not in p] == []
    finally:
        context.close()


def test_it_runs_two_forms_on_one_page_independently(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, watch = open_page(context, site.origin, server.base_url)
        page.goto(site.url("/two", server.demo["form_key"]))
        one, two = embedded(page, 0), embedded(page, 1)
        expect(one.locator("button")).to_be_visible()
        expect(two.locator("button")).to_be_visible()
        assert page.locator("div[data-landform-form]").count() == 2, "the script added a third form"
        tokens = [f.locator("input[name=_lf_token]").get_attribute("value") for f in (one, two)]
        assert tokens[0] and tokens[1] and tokens[0] != tokens[1], "each form has its own token"

        address = f"twee-{uuid4().hex[:8]}@example.com"
        fill(one, first_name="Een", last_name="Eerste", email="not-an-address")
        fill(two, first_name="Twee", last_name="Tweede", email=address)
        time.sleep(HUMAN_PAUSE)
        one.locator("button").click()
        expect(one.locator("input[name=email]")).to_have_attribute("aria-invalid", "true")
        expect(two.locator("[aria-invalid=true]")).to_have_count(0)

        two.locator("button").click()
        expect(two.locator("[role=status]")).to_contain_text("Bedankt")
        expect(one.locator("form")).to_have_count(1)
        expect(one.locator("input[name=email]")).to_have_value("not-an-address")
        expect(one.locator("[role=status]")).to_be_empty()
        wait_for_contact(server, address)
        assert contacts(server, "not-an-address") == []
        assert [p for p in watch.problems if ANSWERED_422 not in p] == []
    finally:
        context.close()


def test_it_fills_a_placeholder_a_single_page_app_adds_later(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, watch = open_page(context, site.origin, server.base_url)
        page.goto(site.url("/two", server.demo["form_key"]))
        expect(embedded(page, 1).locator("button")).to_be_visible()
        page.evaluate(
            """key => {
                const later = document.createElement('section');
                later.innerHTML = `<div data-landform-form="${key}"></div>`;
                document.querySelector('main').append(later);
            }""",
            server.demo["form_key"],
        )
        expect(embedded(page, 2).locator("button")).to_be_visible()
        assert page.locator("div[data-landform-form]").count() == 3
        assert watch.problems == []
    finally:
        context.close()


def test_it_tells_the_visitor_when_sending_fails(
    browser: Browser, server: RunningLandform, site: CustomerSite
) -> None:
    """Too many attempts, or no connection: the form says so in its language and keeps the answers."""
    key = server.demo["form_key"]
    messages = httpx.get(f"{server.base_url}/f/{key}/embed?lang=nl", timeout=5).json()["messages"]
    context = browser.new_context(viewport=PHONE, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, _watch = open_page(context, site.origin, server.base_url)
        answers: list[str] = []

        def busy(route: Any) -> None:
            answers.append(route.request.post_data or "")
            route.fulfill(status=429, headers={"access-control-allow-origin": site.origin}, body="{}")

        page.route(f"{server.base_url}/f/{key}?*", busy)
        page.goto(site.url("/site", key))
        form = embedded(page)
        fill(form, first_name="Ada", last_name="Lovelace", email="ada@example.com")
        form.locator("button").click()
        alert = form.locator("[role=alert]")
        expect(alert).to_have_text(messages["too_many"])
        assert "_lf_token=" in answers[0] and "homepage_url=&" in answers[0] + "&"
        assert "email=ada%40example.com" in answers[0]

        page.unroute(f"{server.base_url}/f/{key}?*")
        page.route(f"{server.base_url}/f/{key}?*", lambda route: route.abort())
        form.locator("button").click()
        expect(alert).to_have_text(messages["network"])
        expect(form.locator("button")).to_be_enabled()
        expect(form.locator("input[name=email]")).to_have_value("ada@example.com")
    finally:
        context.close()


def test_it_refuses_a_website_that_is_not_on_the_allow_list(
    browser: Browser, server: RunningLandform, stranger: CustomerSite
) -> None:
    key = server.demo["form_key"]
    context = browser.new_context(viewport=PHONE, locale="nl-NL")  # type: ignore[arg-type]
    try:
        page, _watch = open_page(context, stranger.origin, server.base_url)
        page.goto(stranger.url("/site", key, utm_source="elders"))
        form = embedded(page)
        link = form.locator("a")
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", f"{server.base_url}/f/{key}?utm_source=elders&lang=nl")
        expect(form.locator("input")).to_have_count(0)
        shot(page, "embed-refused-phone.png")

        # Posting directly from that page (a CORS simple request) does not get in either.
        definition = httpx.get(f"{server.base_url}/f/{key}/embed", timeout=5).json()
        address = f"stranger-{uuid4().hex[:8]}@example.com"
        answers = {
            "first_name": "Sam",
            "last_name": "Vreemd",
            "email": address,
            definition["token_field"]: definition["token"],
            definition["honeypot"]: "",
        }
        time.sleep(HUMAN_PAUSE)
        outcome = page.evaluate(
            """async ([action, answers]) => {
              try {
                const r = await fetch(action, { method: 'POST', body: new URLSearchParams(answers),
                  credentials: 'omit', headers: { Accept: 'application/json' } });
                return 'read ' + r.status;
              } catch (e) { return 'blocked'; }
            }""",
            [definition["action"], answers],
        )
        assert outcome == "blocked"
        refused = httpx.post(
            definition["action"],
            data=answers,
            headers={"Origin": stranger.origin, "Accept": "application/json"},
            timeout=5,
        )
        assert refused.status_code == 403
        time.sleep(2)  # the worker routes an accepted lead in well under a second
        assert contacts(server, address) == []
        assert context.cookies() == []
    finally:
        context.close()


def test_it_stays_small_and_keeps_to_safe_apis() -> None:
    source = EMBED_JS.read_bytes()
    served, _integrity = embed_script()
    assert len(gzip.compress(served, 9)) <= 4096, "embed.js must stay at most 4 KB gzipped as served"
    text = source.decode()
    for forbidden in (
        "eval(",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "document.cookie",
        "localStorage",
        "sessionStorage",
        "indexedDB",
        "new Function",
    ):
        assert forbidden not in text, forbidden
    for blocked_by_ad_blockers in ("track", "pixel", "analytics"):
        assert blocked_by_ad_blockers not in text.lower()
