"""Hostile tenant input on hosted pages renders inert; uploads are images or nothing."""

from __future__ import annotations

import struct
import zlib
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from landform.core.images import MAX_BYTES, inspect_image
from landform.site import services
from landform.site.blocks import new_block
from landform.site.models import Page, SiteImage
from tests.conftest import log_in, make_form, make_page, post_form

PAYLOADS = (
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=1">',
    "'><svg onload=window.__xss=1>",
    "javascript:window.__xss=1",
)
HOSTILE = " ".join(PAYLOADS)


def png(width: int = 3, height: int = 2, extra: bytes = b"") -> bytes:
    """A real PNG, built by hand so the tests need no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x0f\x76\x6e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + extra
        + chunk(b"IEND", b"")
    )


class _Elements(HTMLParser):
    """Every element and attribute as a browser's parser sees them, escaped text left as text."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def assert_inert(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.elements:
        if tag == "script" and attrs.get("src", "").startswith(
            ("/static/cookies.js?v=", "/static/theme-preview.js?v=")
        ):
            continue  # our own scripts: the hosted page's cookie banner, the editor's theme preview
        if tag == "script" and (
            attrs.get("src", "").startswith("/static/editor/")
            or (attrs.get("type") == "application/json" and attrs.get("id", "").startswith("editor-"))
        ):
            continue  # the page editor's scripts, and its data (JSON with <, > and & escaped, never run)
        if tag == "iframe" and attrs.get("id") == "canvas" and attrs.get("src") == "about:blank":
            continue  # the page editor's canvas, which its script points at /app/pages/{id}/canvas
        assert tag not in ("script", "svg", "iframe", "object", "embed"), f"a <{tag}> got through"
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"<{tag}> got event handlers {handlers}"
        for name in ("href", "src", "action", "formaction"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript:"), f"<{tag} {name}>"
        assert not (tag == "img" and attrs.get("src") == "x"), "a tenant <img> got through"


def hostile_blocks(form_id: str, image_id: str) -> list[dict[str, Any]]:
    blocks = []
    for kind in ("hero", "form", "text", "image", "testimonial", "cta", "features", "faq", "footer"):
        block = new_block(kind)
        for lang in block["text"]:
            for name in block["text"][lang]:
                block["text"][lang][name] = HOSTILE
        if kind == "text":
            block["text"]["nl"]["markdown"] = (
                f"{HOSTILE}\n\n[click](javascript:window.__xss=1) <b onclick=x>b</b>"
            )
        block["data"].update(
            {k: "javascript:window.__xss=1" for k in block["data"] if k in ("button_link", "privacy_url")}
        )
        if kind == "form":
            block["data"]["form_id"] = form_id
        if kind == "image":
            block["data"]["image_id"] = image_id
        if kind == "testimonial":
            block["data"].update(name=HOSTILE, consented=True)
        blocks.append(block)
    return blocks


def test_it_renders_hostile_text_in_every_tenant_field_inert(client, db, owner):
    form = make_form(db, owner)
    page = make_page(db, owner, form, published=False)
    image = SiteImage(tenant_id=owner.tenant_id, content_type="image/png", width=3, height=2, data=png())
    db.add(image)
    db.flush()
    page.content = {
        lang: {"title": HOSTILE, "seo_description": HOSTILE, "social_image_alt": HOSTILE}
        for lang in ("nl", "en")
    }
    page.social_image_id = image.id
    services.set_blocks(page, hostile_blocks(str(form.id), str(image.id)))
    services.publish_sync(db, page)
    db.commit()

    for language in ("nl", "en"):
        html = client.get(f"/p/acme/{page.slug}", headers={"Accept-Language": language}).text
        assert_inert(html)
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html  # shown as text, not dropped
        assert 'alt="&lt;script&gt;' in html and 'loading="lazy"' in html
        assert 'href="javascript:' not in html
        assert '<meta property="og:image:alt" content="&lt;script&gt;window.__xss=1&lt;/script&gt;' in html
    log_in(client, owner)
    for language in ("nl", "en"):
        # The editor's canvas draws the same blocks, with only its own script and data attributes added.
        canvas = client.get(f"/app/pages/{page.id}/canvas?lang={language}").text
        assert_inert(canvas)
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in canvas
        editor = client.get(f"/app/pages/{page.id}").text
        assert_inert(editor.split('<main id="main"', 1)[1])
        assert "<script>window.__xss" not in editor


def test_it_refuses_hostile_links_slugs_and_theme_values_in_the_editor(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    hero = next(b for b in page.blocks if b["type"] == "hero")
    for link in ("javascript:alert(1)", 'https://x" onmouseover="alert(1)', "data:text/html,<script>"):
        response = post_form(client, f"/app/pages/{page.id}/blocks/{hero['id']}", {"button_link": link})
        assert response.status_code == 422
        assert_inert(response.text.split('<main id="main"', 1)[1])
    for slug in ('"><script>', "a/../../b", "two words"):
        assert post_form(client, f"/app/pages/{page.id}", {"slug": slug, "nl_title": "x"}).status_code == 422
    for theme in ({"primary": "red;}body{background:url(//evil)"}, {"font": "x;}*{display:none"}):
        assert post_form(client, f"/app/pages/{page.id}/theme", theme).status_code == 422
    db.expire_all()
    assert db.get(Page, page.id).theme == {}


def _upload(client: Any, page: Page, block_id: str, name: str, data: bytes, mime: str) -> Any:
    return client.post(
        f"/app/pages/{page.id}/blocks/{block_id}",
        data={"_csrf_token": client.cookies["landform_csrf"], "nl_alt": "Een zonnig dak"},
        files={"image_id": (name, data, mime)},
        follow_redirects=False,
    )


def test_it_keeps_an_uploaded_image_and_serves_it_safely(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    post_form(client, f"/app/pages/{page.id}/blocks", {"type": "image"})
    db.expire_all()
    block = next(b for b in db.get(Page, page.id).blocks if b["type"] == "image")
    response = _upload(client, page, block["id"], "dak.png", png(640, 480), "image/png")
    assert response.status_code in (302, 303), response.text
    image = db.execute(select(SiteImage).execution_options(all_tenants=True)).scalar_one()
    assert (image.width, image.height, image.content_type) == (640, 480, "image/png")

    served = client.get(f"/p/acme/_img/{image.id}")
    assert served.status_code == 200 and served.content == image.data
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert client.get(f"/p/globex/_img/{image.id}").status_code == 404

    post_form(client, f"/app/pages/{page.id}/publish")
    html = client.get("/p/acme/offer", headers={"Accept-Language": "nl"}).text
    assert (
        f'src="/p/acme/_img/{image.id}" alt="Een zonnig dak" width="640" height="480" loading="lazy"' in html
    )


def test_it_refuses_uploads_that_are_not_plain_images(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    post_form(client, f"/app/pages/{page.id}/blocks", {"type": "image"})
    db.expire_all()
    block = next(b for b in db.get(Page, page.id).blocks if b["type"] == "image")
    refused = {
        "page.html": (b"<!doctype html><script>alert(1)</script>", "image/png", "PNG, JPEG"),
        "logo.svg": (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "image/svg+xml",
            "PNG, JPEG",
        ),
        "polyglot.gif": (
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;<script>alert(1)</script>",
            "image/gif",
            "more than",
        ),
        "polyglot.png": (png(extra=b"<html><body onload=alert(1)>"), "image/png", "more than"),
        "huge.png": (png() + b"\x00" * MAX_BYTES, "image/png", "2 MB"),
        "broken.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png", "could not be read"),
    }
    for name, (data, mime, message) in refused.items():
        response = _upload(client, page, block["id"], name, data, mime)
        assert response.status_code == 422, name
        assert message in response.text, name
    assert db.execute(select(SiteImage).execution_options(all_tenants=True)).first() is None


def test_it_reads_the_size_of_each_image_type():
    gif = b"GIF89a" + struct.pack("<HH", 17, 9) + b"\x00" * 10
    jpeg = (
        b"\xff\xd8\xff\xe0"
        + struct.pack(">H", 16)
        + b"JFIF\x00"
        + b"\x00" * 9
        + b"\xff\xc0"
        + struct.pack(">HBHH", 17, 8, 33, 44)
        + b"\x00" * 12
    )
    webp = (
        b"RIFF"
        + struct.pack("<I", 30)
        + b"WEBPVP8X"
        + b"\x00" * 8
        + (99).to_bytes(3, "little")
        + (49).to_bytes(3, "little")
    )
    assert inspect_image(png(5, 4)) == ("image/png", 5, 4)
    assert inspect_image(gif) == ("image/gif", 17, 9)
    assert inspect_image(jpeg) == ("image/jpeg", 44, 33)
    assert inspect_image(webp) == ("image/webp", 100, 50)
