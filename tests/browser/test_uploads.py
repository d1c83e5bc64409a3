"""Every image upload in the dashboard, in Chromium with JavaScript on, so hx-boost sends each form.

The brand logo, a page's own logo, an image block, a page's social image, the profile photo and the
company logo: a real PNG or JPEG arrives and shows, a replacement replaces it, and a file that is not an
image or is too large gets an error the person can read instead of vanishing. Screenshots land in
test-artifacts/browser/ for a person to look at.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, FilePayload, Locator, Page, Request, expect

from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE
from tests.browser.test_demo_journey import horizontal_overflow, open_page
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("uploads")) as running:
        yield running


def picture(kind: str, width: int, height: int, colour: tuple[int, int, int] = (15, 118, 110)) -> FilePayload:
    data = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(data, "PNG" if kind == "png" else "JPEG")
    suffix, mime = ("png", "image/png") if kind == "png" else ("jpg", "image/jpeg")
    return {"name": f"picture-{width}.{suffix}", "mimeType": mime, "buffer": data.getvalue()}


NOT_AN_IMAGE: FilePayload = {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Call Anna on Monday."}
# A PNG's signature and then 2.5 MB: over the 2 MB a picture may have, well under what a request may carry.
TOO_LARGE: FilePayload = {
    "name": "holiday.png",
    "mimeType": "image/png",
    "buffer": b"\x89PNG\r\n\x1a\n" + bytes(2_500_000),
}
# A camera's raw file: more than any dashboard request may carry, so the server refuses it unread.
FAR_TOO_LARGE: FilePayload = {"name": "camera.png", "mimeType": "image/png", "buffer": bytes(30_000_000)}


class Posts:
    """The form posts the page sent, to prove htmx (not a plain form post) carried each upload."""

    def __init__(self, page: Page) -> None:
        self.seen: list[Request] = []
        page.on("request", lambda request: self.seen.append(request) if request.method == "POST" else None)

    def last_was_boosted_multipart(self) -> bool:
        last = self.seen[-1]
        headers = last.headers
        return headers.get("hx-request") == "true" and headers.get("content-type", "").startswith(
            "multipart/form-data"
        )

    def last_was_plain_multipart(self) -> bool:
        """The page editor's settings post as plain forms: the editor comes back whole, with its scripts."""
        headers = self.seen[-1].headers
        return "hx-request" not in headers and headers.get("content-type", "").startswith(
            "multipart/form-data"
        )


def quiet(problems: list[str]) -> list[str]:
    """The console's problems, without Chromium's note on each refused upload (422, 413) htmx then shows."""
    return [p for p in problems if not re.search(r"status of 4(22|13) ", p)]


def log_in(page: Page, server: RunningLandform) -> None:
    page.goto(f"{server.base_url}/login")
    page.fill("#f-email", server.demo["login_email"])
    page.fill("#f-password", server.demo["login_password"])
    page.locator("form[action='/login'] button").click()
    page.wait_for_url(f"{server.base_url}/app")
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load: these tests need it"


def send(form: Locator, file: FilePayload, field: str = "input[type=file]") -> None:
    """Choose a file in the form and save it; returns once the answer has replaced the form."""
    form.locator(field).set_input_files(file)
    submit(form.locator("button.primary").last)


def submit(button: Locator) -> None:
    """Press a form's button and wait until htmx has swapped the answer in (that form is gone)."""
    button.evaluate("button => { button.form.dataset.sent = 'yes' }")
    button.click()
    button.page.wait_for_selector("form[data-sent]", state="detached")


def shows(image: Locator, width: int) -> None:
    """The image is on the page and its bytes arrived: the browser decoded them at this width."""
    expect(image).to_be_visible()
    image.page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == width


def shot(page: Page, target: Page | Locator, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(viewport)
        assert horizontal_overflow(page) <= 0, f"{name} scrolls sideways on a {size}"
        if isinstance(target, Page):
            target.screenshot(path=str(ARTIFACTS / f"{name}-{size}.png"), full_page=True)
        else:
            target.screenshot(path=str(ARTIFACTS / f"{name}-{size}.png"))
    page.set_viewport_size(DESKTOP)


def test_a_marketer_uploads_the_brand_logo_a_page_logo_a_block_image_and_a_social_image(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        page, watch = open_page(context, server)
        posts = Posts(page)
        log_in(page, server)

        page.goto(f"{server.base_url}/app/pages/brand")
        brand = page.locator("form[action='/app/pages/brand']")
        send(brand, picture("png", 240, 80))
        assert posts.last_was_boosted_multipart()
        expect(page.locator(".alert-success").first).to_be_visible()
        shows(brand.locator("img.thumb"), 240)
        # A new logo over the old one replaces it (the form also carries the old one's id).
        send(brand, picture("jpeg", 300, 100, (200, 80, 20)))
        shows(brand.locator("img.thumb"), 300)
        send(brand, NOT_AN_IMAGE)
        expect(brand.locator(".field.has-error .error")).to_contain_text("PNG")
        shows(brand.locator("img.thumb"), 300)
        send(brand, TOO_LARGE)
        expect(brand.locator(".field.has-error .error")).to_contain_text("2 MB")
        page.goto(f"{server.base_url}/app/pages/brand")
        shows(page.locator("form[action='/app/pages/brand'] img.thumb"), 300)
        shot(page, page, "upload-brand-logo")

        page.goto(f"{server.base_url}/app/pages/new?template=blank")
        page.fill("#f-slug", "beelden")
        page.fill("#f-nl_title", "Beelden")
        page.locator("form[action='/app/pages/start'] button.primary").click()
        page.wait_for_selector("#page-editor:not([hidden])")
        editor_url = page.url.split("#", 1)[0]
        page.locator("#page-settings summary").click()  # folded under the page editor

        theme = page.locator("form[action$='/theme']")
        send(theme, picture("png", 160, 60))
        assert posts.last_was_plain_multipart()
        shows(theme.locator("img.thumb"), 160)
        send(theme, picture("jpeg", 180, 60, (40, 40, 160)))
        shows(theme.locator("img.thumb"), 180)

        # The page editor's image block: uploaded from its side panel, shown at once on the page.
        page.locator("#outline .add-toggle").last.click()
        page.select_option("#outline select", "image")
        page.locator("#outline .add-form button.primary").click()
        panel = page.locator(".panel")
        page.fill("#pf-alt", "Een groen vlak")
        chosen = panel.locator(".image-choice:has(input:checked) img")
        panel.locator("#pf-image_id-upload").set_input_files(picture("png", 640, 320))
        expect(chosen).to_have_attribute("width", "640")
        shows(chosen, 640)
        panel.locator("#pf-image_id-upload").set_input_files(picture("jpeg", 800, 400, (120, 20, 20)))
        expect(chosen).to_have_attribute("width", "800")
        shows(chosen, 800)
        panel.locator("#pf-image_id-upload").set_input_files(TOO_LARGE)
        expect(panel.locator("[role=status]")).to_contain_text("2 MB")
        shows(chosen, 800)
        expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
        frame = page.locator("#canvas").element_handle().content_frame()
        expect(frame.locator(".b-image img")).to_have_attribute("width", "800")
        shows(frame.locator(".b-image img"), 800)
        shot(page, panel, "upload-image-block-refused")

        settings = page.locator("#settings form")
        settings.locator("[name=nl_social_image_alt]").fill("Een groen vlak")
        send(settings, picture("png", 1200, 630), "[name=social_image_upload]")
        assert posts.last_was_plain_multipart()
        chosen = page.locator("#settings .image-choice:has(input:checked) img")
        shows(chosen, 1200)
        send(page.locator("#settings form"), NOT_AN_IMAGE, "[name=social_image_upload]")
        expect(page.locator("#e-social-image")).to_contain_text("PNG")

        page.goto(editor_url + "?open=theme")
        page.locator("#outline .pick").nth(-2).click()
        shows(page.locator(".panel .image-choice:has(input:checked) img"), 800)
        shot(page, page.locator(".panel"), "upload-image-block")
        shot(page, page.locator("#theme"), "upload-page-logo")
        assert quiet(watch.problems) == []
    finally:
        context.close()


def test_an_owner_uploads_a_profile_photo_and_a_company_logo(
    browser: Browser, server: RunningLandform
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    try:
        page, watch = open_page(context, server)
        posts = Posts(page)
        log_in(page, server)

        page.goto(f"{server.base_url}/app/me/")
        profile = page.locator("form[action='/app/me/']")
        send(profile, picture("jpeg", 96, 96, (200, 150, 120)))
        assert posts.last_was_boosted_multipart()
        expect(page.locator(".alert-success").first).to_be_visible()
        shows(profile.locator("img.avatar"), 96)
        send(profile, NOT_AN_IMAGE)
        expect(page.locator("#e-photo")).to_contain_text("PNG")
        page.goto(f"{server.base_url}/app/me/")
        send(page.locator("form[action='/app/me/']"), TOO_LARGE)
        expect(page.locator("#e-photo")).to_contain_text("2 MB")
        page.goto(f"{server.base_url}/app/me/")
        send(page.locator("form[action='/app/me/']"), picture("png", 120, 120, (20, 90, 160)))
        shows(page.locator("form[action='/app/me/'] img.avatar"), 120)
        shot(page, page, "upload-profile-photo")

        page.goto(f"{server.base_url}/app/settings/company")
        company = page.locator("form[action='/app/settings/company']")
        send(company, picture("png", 320, 96))
        assert posts.last_was_boosted_multipart()
        expect(page.locator(".alert-success").first).to_be_visible()
        shows(company.locator("img.logo-preview"), 320)
        send(company, TOO_LARGE)
        expect(page.locator("#e-logo")).to_contain_text("2 MB")
        # Far beyond what a request may carry: the server refuses it unread, and says so.
        page.goto(f"{server.base_url}/app/settings/company")
        send(page.locator("form[action='/app/settings/company']"), FAR_TOO_LARGE)
        expect(page.locator("h1")).to_contain_text("te groot")
        expect(page.locator("main")).to_contain_text("2 MB")
        shot(page, page, "upload-too-large")
        page.goto(f"{server.base_url}/app/settings/company")
        shows(page.locator("form[action='/app/settings/company'] img.logo-preview"), 320)
        shot(page, page, "upload-company-logo")
        assert quiet(watch.problems) == []
    finally:
        context.close()
