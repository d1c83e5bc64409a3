"""The new blocks and the media library in Chromium: a hosted page with every block passes axe-core at
phone and laptop width, fits the phone, and the video contacts YouTube only after the visitor allowed it.

Screenshots land in test-artifacts/browser/ (and LANDFORM_SHOTS, when set) for a person to look at.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Browser, Page, Route, ViewportSize, expect
from sqlalchemy import select

from landform.accounts.models import Tenant
from landform.core.db import sync_session
from landform.core.images import clean_image
from landform.core.settings import DatabaseSettings
from landform.forms.models import Form
from landform.site import services as site_services
from landform.site.blocks import new_block
from landform.site.models import Page as LandingPage
from landform.site.models import SiteImage
from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE, axe_violations
from tests.browser.test_demo_journey import UNLABELLED_INPUTS, horizontal_overflow, open_page
from tests.server import RunningLandform, landform_server
from tests.site.test_marketer_blocks import every_new_block

pytestmark = pytest.mark.browser

PROVIDERS = ("youtube", "ytimg", "googlevideo", "vimeo", "vimeocdn")


def _picture(width: int, height: int, colours: tuple[str, str], text: str = "") -> bytes:
    """A picture made here (a gradient, or a logo's name): nothing fetched, nothing to license."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0) if text else colours[0])
    draw = ImageDraw.Draw(image)
    if not text:
        top, bottom = (
            Image.new("RGB", (1, 1), colours[0]).getpixel((0, 0)),
            Image.new("RGB", (1, 1), colours[1]).getpixel((0, 0)),
        )
        for y in range(height):
            mix = y / height
            draw.line(
                [(0, y), (width, y)],
                fill=tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)),
            )
        for n in range(7):
            draw.ellipse(
                [
                    n * width // 7,
                    height // 2 + (n % 3) * 40,
                    n * width // 7 + 260,
                    height // 2 + 260 + (n % 3) * 40,
                ],
                fill=colours[1],
            )
    else:
        font = ImageFont.load_default(size=height // 2)
        draw.text((width // 2, height // 2), text, fill=colours[1], font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _store(db: Any, tenant_id: Any, data: bytes, alt: dict[str, str]) -> str:
    clean = clean_image(data)
    image = SiteImage(
        tenant_id=tenant_id,
        content_type=clean.content_type,
        width=clean.width,
        height=clean.height,
        data=clean.data,
        alt=alt,
    )
    db.add(image)
    db.flush()
    return str(image.id)


def _every_block(photo: str, logos: list[str], form_id: str, overlay: str) -> list[dict[str, Any]]:
    new = every_new_block(photo, logos)
    new[0]["data"]["overlay"] = overlay
    form = new_block("form")
    form["data"]["form_id"] = form_id
    features = new_block("features")
    for lang, items in (
        ("nl", "Gratis inmeten: binnen een week\nVijf jaar garantie"),
        ("en", "Free measuring: within a week\nFive years' warranty"),
    ):
        features["text"][lang].update(heading="Waarom wij" if lang == "nl" else "Why us", items=items)
    return [new[0], form, *new[1:], features, new_block("footer")]


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    """The demo tenant with three pages of every block: the hero's overlay dark, light and none."""
    with landform_server(tmp_path_factory.mktemp("blocks")) as running:
        url = DatabaseSettings(url=running.env["LANDFORM_DATABASE_URL"]).sync_url
        with sync_session(url) as db:
            tenant = db.execute(select(Tenant).where(Tenant.slug == "demo")).scalar_one()
        with sync_session(url, tenant.id) as db:
            form_id = str(
                db.execute(select(Form).where(Form.key == running.demo["form_key"])).scalar_one().id
            )
            photo = _store(
                db,
                tenant.id,
                _picture(1600, 900, ("#f4d9a6", "#2f6f73")),
                {"nl": "Een terras met zonwering", "en": "A terrace with awnings"},
            )
            logos = [
                _store(db, tenant.id, _picture(360, 120, ("#ffffff", colour), name), {})
                for name, colour in (("Jansen", "#7a271a"), ("De Hoek", "#1d2939"), ("Kaasbaas", "#0b4a6f"))
            ]
            for slug, overlay in (("blokken", "dark"), ("licht", "light"), ("zonder", "none")):
                page = LandingPage(
                    tenant_id=tenant.id,
                    slug=slug,
                    content={"nl": {"title": "Zonwering"}, "en": {"title": "Awnings"}},
                )
                blocks = _every_block(photo, logos, form_id, overlay)
                logo_row = next(b for b in blocks if b["type"] == "logos")
                logo_row["text"]["nl"]["names"] = "Bakkerij Jansen\nCafé De Hoek\nKaasbaas"
                logo_row["text"]["en"]["names"] = "Jansen Bakery\nThe Corner Café\nKaasbaas"
                site_services.set_blocks(page, blocks)
                db.add(page)
                db.flush()
                site_services.publish_sync(db, page)
            db.commit()
        yield running


def shot(page: Page, name: str) -> None:
    for folder in (
        ARTIFACTS,
        Path(os.environ.get("LANDFORM_SHOTS", "")) if os.environ.get("LANDFORM_SHOTS") else None,
    ):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / name), full_page=True)


def _provider_requests(page: Page) -> list[str]:
    seen: list[str] = []
    page.on(
        "request",
        lambda request: seen.append(request.url) if any(p in request.url for p in PROVIDERS) else None,
    )
    return seen


@pytest.mark.parametrize(
    ("viewport", "locale", "name"), [(PHONE, "nl-NL", "390"), (DESKTOP, "en-GB", "1280")]
)
def test_a_page_with_every_block_is_accessible_and_fits(
    browser: Browser, server: RunningLandform, viewport: ViewportSize, locale: str, name: str
) -> None:
    context = browser.new_context(viewport=viewport, locale=locale)
    try:
        page, watch = open_page(context, server)
        requests = _provider_requests(page)
        for slug in ("blokken", "licht", "zonder"):
            response = page.goto(f"{server.base_url}/p/demo/{slug}")
            assert response is not None and response.status == 200
            page.locator("#lf-cookie-banner").evaluate("el => el.hidden = true")  # the page under it
            expect(page.locator(".b-logos img")).to_have_count(3)
            expect(page.locator(".video-placeholder button")).to_be_visible()
            assert horizontal_overflow(page) <= 0
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_timeout(300)
            assert axe_violations(page) == [], slug
            shot(page, f"blocks-{slug}-{name}.png")
        columns = page.locator(".columns .prose")
        tops = {round(box["y"]) for box in (columns.nth(i).bounding_box() or {} for i in range(3))}
        assert (len(tops) == 3) == (viewport is PHONE)  # stacked on a phone, side by side on a laptop
        assert requests == [] and watch.problems == []
    finally:
        context.close()


def test_the_video_contacts_youtube_only_after_the_visitor_allowed_it(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page, _watch = open_page(context, server)
        requests = _provider_requests(page)

        def player(route: Route) -> None:  # the test runs offline: the player is a stand-in page
            route.fulfill(status=200, content_type="text/html", body="<title>player</title><p>player</p>")

        context.route("https://www.youtube-nocookie.com/**", player)
        page.goto(f"{server.base_url}/p/demo/blokken")
        video = page.locator(".b-video")
        video.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        expect(video.locator("iframe")).to_have_count(0)
        assert requests == []
        shot(page, "blocks-video-before-consent.png")

        video.get_by_role("button", name="Toestaan en de YouTube-video laden").click()
        frame = video.locator("iframe")
        expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        expect(frame).to_have_attribute("title", "Film: zo plaatsen we een scherm")
        expect(frame).to_be_focused()
        page.wait_for_timeout(500)
        assert [url for url in requests if "youtube-nocookie.com/embed/dQw4w9WgXcQ" in url]
        assert all("youtube-nocookie.com" in url for url in requests)
        assert "marketing" in next(c["value"] for c in context.cookies() if c["name"] == "lf_consent")
        expect(page.locator("#lf-cookie-banner")).to_be_hidden()
        # Remembered: the next view renders the player at once.
        page.reload()
        expect(page.locator(".b-video iframe")).to_have_count(1)
        expect(page.locator(".video-placeholder")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "390"), (DESKTOP, "1280")])
def test_the_media_library_is_accessible(
    browser: Browser, server: RunningLandform, viewport: ViewportSize, name: str
) -> None:
    context = browser.new_context(viewport=viewport, locale="nl-NL")
    try:
        page, watch = open_page(context, server)
        page.goto(f"{server.base_url}/login")
        page.fill("#f-email", server.demo["login_email"])
        page.fill("#f-password", server.demo["login_password"])
        page.locator("form[action='/login'] button").click()
        page.wait_for_url("**/app**")
        page.goto(f"{server.base_url}/app/media/")
        expect(page.get_by_role("heading", name="Een terras met zonwering")).to_be_visible()
        assert horizontal_overflow(page) <= 0
        assert axe_violations(page) == []
        shot(page, f"media-{name}.png")
        card = page.locator(".media-item", has=page.get_by_role("heading", name="Een terras met zonwering"))
        card.locator("summary").click()
        card.get_by_role("button", name="Afbeelding verwijderen").click()
        expect(page.get_by_role("alert")).to_contain_text("kan niet weg zolang ze gebruikt wordt")
        expect(page.get_by_role("alert")).to_contain_text("Zonwering")
        assert axe_violations(page) == []
        shot(page, f"media-refused-{name}.png")
        # The refusal is a 422 (as every refused form here), which Chromium logs; nothing else may go wrong.
        assert [p for p in watch.problems if "status of 422" not in p] == []
    finally:
        context.close()


def _log_in(page: Page, server: RunningLandform) -> None:
    page.goto(f"{server.base_url}/login")
    page.fill("#f-email", server.demo["login_email"])
    page.fill("#f-password", server.demo["login_password"])
    page.locator("form[action='/login'] button").click()
    page.wait_for_url("**/app**")


def test_the_no_js_block_form_edits_a_video_and_a_row_of_logos(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL", java_script_enabled=False)
    try:
        page, _watch = open_page(context, server)
        _log_in(page, server)
        page.goto(f"{server.base_url}/app/pages/")
        page.get_by_role("link", name="Zonwering").first.click()
        video = page.locator(".block-card", has=page.locator("[name=video_url]"))
        video.locator("[name=video_url]").fill("https://dailymotion.com/video/x1")
        video.locator("button.primary").click()
        video = page.locator(".block-card", has=page.locator("[name=video_url]"))
        expect(video.locator(".error")).to_contain_text("YouTube of Vimeo")
        assert page.evaluate(UNLABELLED_INPUTS) == []
        video.locator("[name=video_url]").fill("https://vimeo.com/76979871")
        video.locator("button.primary").click()
        logos = page.locator(".block-card", has=page.locator("[name=image_ids_1]"))
        logos.locator("[name=image_ids_1]").select_option(index=0)  # the first logo taken out
        logos.locator("button.primary").click()
        shot(page, "editor-no-js-new-blocks-1280.png")
        logos = page.locator(".block-card", has=page.locator("[name=image_ids_1]"))
        expect(logos.locator("[name=image_ids_3]")).to_have_value("")  # two logos left, in order
    finally:
        context.close()


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "390"), (DESKTOP, "1280")])
def test_the_picker_chooses_and_uploads_inside_a_dashboard_page(
    browser: Browser, server: RunningLandform, viewport: ViewportSize, name: str
) -> None:
    context = browser.new_context(viewport=viewport, locale="nl-NL")  # the demo user reads Dutch
    try:
        page, watch = open_page(context, server)
        _log_in(page, server)
        page.goto(f"{server.base_url}/app/media/")
        # As the page editor includes it: fetched into a form, then processed by htmx.
        page.evaluate(
            """async () => {
                const html = await (await fetch('/app/media/picker?name=background_image_id')).text();
                const form = document.createElement('form');
                form.innerHTML = html;
                document.querySelector('main').prepend(form);
                htmx.process(form);
            }"""
        )
        picker = page.locator(".media-picker")
        expect(picker.get_by_role("radio", name="Een terras met zonwering")).to_be_visible()
        picker.get_by_role("radio", name="Een terras met zonwering").check()
        assert axe_violations(page) == []
        shot(page, f"media-picker-{name}.png")
        before = picker.get_by_role("radio").count()
        picker.get_by_label("Nieuwe afbeelding uploaden").set_input_files(
            files=[
                {
                    "name": "new.png",
                    "mimeType": "image/png",
                    "buffer": _picture(300, 200, ("#fde68a", "#92400e")),
                }
            ]
        )
        picker.get_by_role("button", name="Uploaden", exact=True).click()
        expect(page.locator(".media-picker").get_by_role("radio")).to_have_count(before + 1)
        checked = page.locator(".media-picker input[type=radio]:checked")
        expect(checked).to_have_count(1)
        assert checked.get_attribute("value") != page.locator(".media-picker input[type=radio]").nth(
            0
        ).get_attribute("value")
        assert watch.problems == []
    finally:
        context.close()
