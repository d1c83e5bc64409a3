"""Brand and page themes: contrast warnings, a stylesheet that fits the strict CSP, and a light page."""

from __future__ import annotations

import gzip
import re

import pytest
from sqlalchemy import select

from landform.site import services, themes
from landform.site.models import Page, SiteBrand, SiteImage
from tests.conftest import log_in, make_form, make_page, post_form
from tests.site.test_page_safety import hostile_blocks, png

BRAND = {
    "primary": "#7c3aed",
    "text": "#111827",
    "background": "#ffffff",
    "font": "serif",
    "buttons": "rounded",
}
PAGE_BUDGET = 40 * 1024


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),
        ("#0f766e", "#f7f8f6", 5.14),
    ],
)
def test_it_computes_the_wcag_contrast_ratio(first, second, ratio):
    assert themes.contrast(first, second) == pytest.approx(ratio, abs=0.01)


def test_it_warns_about_colours_that_fail_wcag_aa():
    readable = themes.resolve(BRAND, {})
    assert themes.contrast_warnings(readable) == []
    faint = themes.resolve(BRAND, {"text": "#aaaaaa", "primary": "#fde047"})
    warnings = themes.contrast_warnings(faint)
    assert len(warnings) == 2 and "4.5:1" in warnings[0]
    assert themes.on_primary(faint) == "#101828"  # dark text on a yellow button


def test_it_saves_the_brand_with_a_logo_and_pages_show_it_from_their_next_publish(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    response = client.post(
        "/app/pages/brand",
        data={"_csrf_token": client.cookies["landform_csrf"], **BRAND, "text": "#bbbbbb"},
        files={"logo_id": ("logo.png", png(120, 40), "image/png")},
    )
    assert response.status_code == 200 and "WCAG AA" in response.text  # the marketer is warned
    brand = db.execute(select(SiteBrand).execution_options(all_tenants=True)).scalar_one()
    assert brand.theme["primary"] == "#7c3aed" and brand.theme["logo_id"]
    assert "#7c3aed" not in _theme_css(client, "offer")  # the live version keeps its theme

    post_form(client, f"/app/pages/{page.id}/publish")
    html = client.get("/p/acme/offer").text
    css = _theme_css(client, "offer")
    assert "--accent:#7c3aed;" in css and "Charter" in css and "--radius:999px;" in css
    assert f'src="/p/acme/_img/{brand.theme["logo_id"]}" alt="Acme Zonwering" width="120" height="40"' in html
    assert ' style="' not in html and "<style" not in html  # the CSP allows no inline styles

    post_form(client, f"/app/pages/{page.id}/theme", {"primary": "#b91c1c", "buttons": "square"})
    editor = client.get(f"/app/pages/{page.id}").text
    assert 'value="#b91c1c"' in editor and 'placeholder="#7c3aed"' in editor
    post_form(client, f"/app/pages/{page.id}/publish")
    css = _theme_css(client, "offer")
    assert "--accent:#b91c1c;" in css and "--radius:2px;" in css and "Charter" in css


def _theme_css(client, slug: str) -> str:
    html = client.get(f"/p/acme/{slug}").text
    href = re.search(r'<link rel="stylesheet" href="(/p/acme/_theme/[^"]+)">', html)
    assert href, "the page links no theme"
    response = client.get(href.group(1).replace("&amp;", "&"))
    assert response.headers["content-type"].startswith("text/css")
    assert "immutable" in response.headers["cache-control"]
    return response.text


def test_it_keeps_a_hosted_page_with_every_block_under_40_kb_gzipped(client, db, owner):
    form = make_form(db, owner)
    page = make_page(db, owner, form, published=False)
    image = SiteImage(tenant_id=owner.tenant_id, content_type="image/png", width=3, height=2, data=png())
    db.add(image)
    db.flush()
    blocks = hostile_blocks(str(form.id), str(image.id))
    for block in blocks:
        for lang in block["text"]:
            block["text"][lang] = {name: "Zonnepanelen op jouw dak " * 8 for name in block["text"][lang]}
    services.set_blocks(page, blocks)
    services.publish_sync(db, page)
    db.commit()

    response = client.get("/p/acme/offer")
    assert response.status_code == 200
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', response.text)
    scripts = re.findall(r'<script src="([^"]+)" defer></script>', response.text)
    assert len(stylesheets) == 2 and len(scripts) == response.text.count("<script") == 1  # cookies.js
    total = len(gzip.compress(response.content))
    for href in stylesheets + scripts:
        total += len(gzip.compress(client.get(href.replace("&amp;", "&")).content))
    assert total <= PAGE_BUDGET, f"the page weighs {total} bytes gzipped"
    db.expire_all()
    assert db.get(Page, page.id).published_version == 1


def test_a_page_can_show_its_own_logo_over_the_brands(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    client.post(
        "/app/pages/brand",
        data={"_csrf_token": client.cookies["landform_csrf"], **BRAND},
        files={"logo_id": ("brand.png", png(120, 40), "image/png")},
    )
    brand_logo = (
        db.execute(select(SiteBrand).execution_options(all_tenants=True)).scalar_one().theme["logo_id"]
    )
    response = client.post(
        f"/app/pages/{page.id}/theme",
        data={"_csrf_token": client.cookies["landform_csrf"]},
        files={"logo_id": ("actie.png", png(90, 30), "image/png")},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    db.expire_all()
    own_logo = db.get(Page, page.id).theme["logo_id"]
    assert own_logo and own_logo != brand_logo
    post_form(client, f"/app/pages/{page.id}/publish")
    html = client.get("/p/acme/offer").text
    assert f'src="/p/acme/_img/{own_logo}" alt="Acme Zonwering" width="90" height="30"' in html

    # Back to the brand's logo.
    post_form(client, f"/app/pages/{page.id}/theme", {"logo_id": own_logo, "remove_logo": "on"})
    post_form(client, f"/app/pages/{page.id}/publish")
    assert f'src="/p/acme/_img/{brand_logo}"' in client.get("/p/acme/offer").text

    refused = client.post(
        f"/app/pages/{page.id}/theme",
        data={"_csrf_token": client.cookies["landform_csrf"]},
        files={"logo_id": ("logo.svg", b"<svg onload=alert(1)>", "image/svg+xml")},
    )
    assert refused.status_code == 422 and "PNG, JPEG, WebP or GIF" in refused.text


def test_the_editor_draws_the_saved_colours_and_their_contrast_without_javascript(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    post_form(client, f"/app/pages/{page.id}/theme", {"text": "#c0c4cc", "background": "#ffffff"})
    editor = client.get(f"/app/pages/{page.id}").text
    href = re.search(r'<link rel="stylesheet" href="(/app/pages/theme-preview.css\?[^"]+)">', editor)
    assert href, "no preview stylesheet"
    css = client.get(href.group(1).replace("&amp;", "&"))
    assert css.headers["content-type"].startswith("text/css")
    assert (
        css.text.startswith(".theme-preview{")
        and "--ink:#c0c4cc;" in css.text
        and "--bg:#ffffff;" in css.text
    )
    warning = re.search(
        r'<p class="alert alert-error contrast-warning" data-check="text"[^>]*>([^<]+)</p>', editor
    )
    assert warning and "1.7:1" in warning.group(1) and " hidden" not in warning.group(0)
    assert re.search(r'data-check="ok" hidden', editor)
    assert ' style="' not in editor  # the dashboard's CSP allows no inline styles
    # Whatever is put in the address, the stylesheet holds only safe values.
    hostile = client.get("/app/pages/theme-preview.css?text=red;}body{display:none&font=</style>")
    assert "display:none" not in hostile.text and "</style>" not in hostile.text
