"""Files sent with a form in Chromium: the hosted form without JavaScript, the embed on a strict-CSP site."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from landform.core.db import scope_to_tenant, sync_session
from landform.core.settings import DatabaseSettings
from landform.forms.builder.services import publish
from landform.forms.models import Form
from tests.browser.chromium import ARTIFACTS, DESKTOP, PHONE
from tests.browser.customer_site import CustomerSite, customer_site
from tests.browser.test_embed import (
    HUMAN_PAUSE,
    allow_origins,
    embedded,
    fill,
    open_page,
    spied,
    wait_for_contact,
)
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("uploads")) as running:
        with_file_field(running)
        yield running


@pytest.fixture(scope="module")
def site(server: RunningLandform) -> Iterator[CustomerSite]:
    with customer_site(server.base_url) as running:
        allow_origins(server, [running.origin])
        yield running


def with_file_field(server: RunningLandform) -> None:
    """The demo form asks for a photo or a PDF too (published as its next version)."""
    url = DatabaseSettings(url=server.env["LANDFORM_DATABASE_URL"]).sync_url
    with sync_session(url) as db:
        query = select(Form).where(Form.key == server.demo["form_key"]).execution_options(all_tenants=True)
        form = db.execute(query).scalar_one()
        scope_to_tenant(db, form.tenant_id)
        form.fields = [
            *form.fields,
            {
                "name": "photo",
                "type": "file",
                "required": False,
                "label": {"nl": "Foto van je dak", "en": "Photo of your roof"},
                "accept": ["image", "pdf"],
                "max_mb": 5,
                "max_files": 2,
            },
        ]
        publish(db, form)
        db.commit()


def roof(tmp: Path) -> Path:
    path = tmp / "dak.png"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 60, 20)).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def stored(server: RunningLandform) -> list[Path]:
    root = Path(server.env["LANDFORM_DATA_DIR"]) / "files"
    return [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_it_sends_a_file_from_the_hosted_form_without_javascript(
    browser: Browser, server: RunningLandform, tmp_path: Path
) -> None:
    email = f"hosted-{uuid4().hex[:8]}@example.com"
    before = len(stored(server))
    for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = browser.new_context(viewport=viewport, locale="nl-NL", java_script_enabled=False)  # type: ignore[arg-type]
        page = context.new_page()
        page.goto(f"{server.base_url}/f/{server.demo['form_key']}")
        photo = page.locator("input[type=file][name=photo]")
        expect(photo).to_be_visible()
        expect(page.locator("form.lf-form")).to_have_attribute("enctype", "multipart/form-data")
        shot(page, f"uploads-hosted-form-{size}.png")
        context.close()
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL", java_script_enabled=False)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{server.base_url}/f/{server.demo['form_key']}")
    page.fill("input[name=first_name]", "Daan")
    page.fill("input[name=last_name]", "Visser")
    page.fill("input[name=email]", email)
    page.locator("input[type=file][name=photo]").set_input_files(str(roof(tmp_path)))
    time.sleep(HUMAN_PAUSE)
    page.locator("button.lf-submit").click()
    expect(page.locator("body")).to_contain_text("Bedankt")
    context.close()
    wait_for_contact(server, email)
    assert len(stored(server)) == before + 1


def test_it_sends_a_file_from_the_embed_on_a_strict_csp_site(
    browser: Browser, server: RunningLandform, site: CustomerSite, tmp_path: Path
) -> None:
    email = f"embed-{uuid4().hex[:8]}@example.com"
    before = len(stored(server))
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")  # type: ignore[arg-type]
    page, watch = open_page(context, site.origin, server.base_url)
    page.goto(site.url("/site", server.demo["form_key"]))
    form = embedded(page)
    photo = form.locator("input[type=file][name=photo]")
    expect(photo).to_be_visible()
    assert photo.get_attribute("accept", timeout=5_000).startswith("image/png")
    assert photo.get_attribute("multiple") is not None
    fill(form, first_name="Sanne", last_name="Bakker", email=email)
    photo.set_input_files(str(roof(tmp_path)))
    time.sleep(HUMAN_PAUSE)
    form.locator("button").click()
    expect(form.locator("[role=status]")).to_contain_text("Bedankt")
    wait_for_contact(server, email)
    assert len(stored(server)) == before + 1
    assert spied(page)["csp"] == [], "the host's CSP refused something"
    assert watch.problems == []
    context.close()


def test_the_team_sees_the_files_on_the_contact(
    browser: Browser, server: RunningLandform, tmp_path: Path
) -> None:
    email = f"team-{uuid4().hex[:8]}@example.com"
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL", java_script_enabled=False)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{server.base_url}/f/{server.demo['form_key']}")
    page.fill("input[name=first_name]", "Joris")
    page.fill("input[name=last_name]", "Smit")
    page.fill("input[name=email]", email)
    page.locator("input[type=file][name=photo]").set_input_files(str(roof(tmp_path)))
    time.sleep(HUMAN_PAUSE)
    page.locator("button.lf-submit").click()
    context.close()
    contact = wait_for_contact(server, email)
    for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = browser.new_context(viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()
        page.goto(f"{server.base_url}/login")
        page.fill("#f-email", server.demo["login_email"])
        page.fill("#f-password", server.demo["login_password"])
        page.locator("form[action='/login'] button").click()
        page.wait_for_url(f"{server.base_url}/app")
        page.goto(f"{server.base_url}/app/contacts/{contact['id']}")
        link = page.locator(".contact-files a", has_text="dak.png")
        expect(link).to_be_visible()
        link.scroll_into_view_if_needed()
        shot(page, f"uploads-contact-files-{size}.png")
        if size == "desktop":
            with page.expect_download() as download:
                link.click()
            assert download.value.suggested_filename == "dak.png"
        context.close()


def test_the_builder_names_a_new_purpose_and_sets_a_file_field(
    browser: Browser, server: RunningLandform
) -> None:
    for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = browser.new_context(viewport=viewport, locale="nl-NL")  # type: ignore[arg-type]
        page = context.new_page()
        page.on("pageerror", lambda error: pytest.fail(f"page error: {error}"))
        page.goto(f"{server.base_url}/login")
        page.fill("#f-email", server.demo["login_email"])
        page.fill("#f-password", server.demo["login_password"])
        page.locator("form[action='/login'] button").click()
        page.wait_for_url(f"{server.base_url}/app")
        page.goto(f"{server.base_url}/app/forms/")
        page.fill("#f-name", f"Offerte {size}")
        page.locator("form[action='/app/forms/'] button").click()
        page.wait_for_url("**/app/forms/*-*")
        state = page.locator("[data-save-state]")
        expect(page.locator("[data-builder-panel]")).to_be_visible()
        # A consent box: its purpose is created on the spot, named in the panel.
        page.select_option("#fe-add-end", "consent")
        page.locator("[data-add-end] button").click()
        page.locator("#fe-label").fill("Ja, bel mij terug over mijn offerte")
        page.select_option("#fe-purpose", "new")
        page.locator("#fe-new-purpose").fill(f"Terugbellen {size}")
        page.locator("#fe-new-purpose").press("Tab")
        expect(page.locator("#fe-purpose option", has_text=f"Terugbellen {size}")).to_have_count(
            1, timeout=10_000
        )
        expect(state).to_have_attribute("data-state", "saved", timeout=10_000)
        # A file field: PDFs only, two files.
        page.select_option("#fe-add-end", "file")
        page.locator("[data-add-end] button").click()
        page.locator("#fe-accept-image").uncheck()
        page.locator("#fe-max_files").fill("2")
        page.locator("#fe-max_files").press("Tab")
        expect(state).to_have_attribute("data-state", "saved", timeout=10_000)
        page.locator("#field-editor").scroll_into_view_if_needed()
        shot(page, f"uploads-builder-file-field-{size}.png")
        canvas = page.frame_locator("[data-canvas]")
        expect(canvas.locator("input[type=file]")).to_have_attribute("accept", "application/pdf,.pdf")
        context.close()
