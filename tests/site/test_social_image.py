"""A page's social image: chosen or uploaded in the SEO settings, sent as og:image by the live version."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from landform.core.db import scope_to_tenant, sync_session
from landform.core.settings import get_settings
from landform.site.models import Page, SiteImage
from tests.conftest import log_in, make_page, post_form
from tests.site.test_page_safety import png

SETTINGS = {"slug": "offer", "nl_title": "Aanbieding", "en_title": "Offer"}


def _meta(html: str, name: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)
    return found.group(1) if found else None


def _save_settings(client: Any, page: Page, data: dict[str, str], upload: bytes | None = None) -> Any:
    files = {"social_image_upload": ("share.png", upload, "image/png")} if upload is not None else None
    return client.post(
        f"/app/pages/{page.id}",
        data={"_csrf_token": client.cookies["landform_csrf"], **SETTINGS, **data},
        files=files,
        follow_redirects=False,
    )


def _page(db, page_id) -> Page:
    db.expire_all()
    return db.get_one(Page, page_id)


def _publish(client: Any, page: Page) -> None:
    assert post_form(client, f"/app/pages/{page.id}/publish", follow_redirects=False).status_code == 302


def test_it_uploads_a_social_image_and_the_live_page_shares_it(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    editor = client.get(f"/app/pages/{page.id}")
    assert "1200 \u00d7 630" in editor.text and 'name="social_image_upload"' in editor.text

    alts = {"nl_social_image_alt": "Zonwering op een terras", "en_social_image_alt": "Awnings on a terrace"}
    response = _save_settings(client, page, alts, upload=png(1200, 630))
    assert response.status_code == 302, response.text
    image_id = _page(db, page.id).social_image_id
    assert image_id is not None
    editor = client.get(f"/app/pages/{page.id}").text
    assert re.search(rf'value="{image_id}" checked', editor)
    # Saved is not live: visitors see the image from the next publish.
    assert _meta(client.get("/p/acme/offer").text, "og:image") is None

    _publish(client, page)
    html = client.get("/p/acme/offer", headers={"Accept-Language": "nl"}).text
    url = f"{get_settings().server.base_url}/p/acme/_img/{image_id}"
    assert _meta(html, "og:image") == url
    assert (_meta(html, "og:image:width"), _meta(html, "og:image:height")) == ("1200", "630")
    assert _meta(html, "og:image:alt") == "Zonwering op een terras"
    assert _meta(html, "twitter:card") == "summary_large_image"
    english = client.get("/p/acme/offer", headers={"Accept-Language": "en"}).text
    assert _meta(english, "og:image:alt") == "Awnings on a terrace"
    served = client.get(url.removeprefix(get_settings().server.base_url))
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"


def test_a_rollback_brings_back_the_image_of_that_version(client, db, owner):
    page = make_page(db, owner, None, published=False)
    log_in(client, owner)
    assert (
        _save_settings(client, page, {"nl_social_image_alt": "Eerste"}, upload=png(1200, 630)).status_code
        == 302
    )
    first = _page(db, page.id).social_image_id
    _publish(client, page)  # version 1
    assert (
        _save_settings(client, page, {"nl_social_image_alt": "Tweede"}, upload=png(1300, 700)).status_code
        == 302
    )
    second = _page(db, page.id).social_image_id
    _publish(client, page)  # version 2
    assert second != first and f"/_img/{second}" in (
        _meta(client.get("/p/acme/offer").text, "og:image") or ""
    )

    # Choosing an image of the library (no upload) works too: back to none, as version 3.
    assert _save_settings(client, page, {"social_image_id": ""}).status_code == 302
    _publish(client, page)
    html = client.get("/p/acme/offer").text
    assert _meta(html, "og:image") is None and _meta(html, "twitter:card") is None

    post_form(client, f"/app/pages/{page.id}/versions/1/restore")
    html = client.get("/p/acme/offer").text
    assert (_meta(html, "og:image") or "").endswith(f"/_img/{first}")
    assert _meta(html, "og:image:alt") == "Eerste" and _meta(html, "og:image:width") == "1200"
    assert _page(db, page.id).social_image_id == first  # the draft follows, so the next edit starts there


def test_a_page_without_a_social_image_sends_no_image_tags(client, db, owner):
    make_page(db, owner, None)
    html = client.get("/p/acme/offer").text
    assert "og:image" not in html and "twitter:card" not in html
    assert _meta(html, "og:title") == "Offer"


def test_it_warns_about_a_small_image_and_picks_from_the_library(client, db, owner):
    page = make_page(db, owner, None)
    scope_to_tenant(db, owner.tenant_id)
    small = SiteImage(
        tenant_id=owner.tenant_id, content_type="image/png", width=300, height=200, data=png(300, 200)
    )
    db.add(small)
    db.commit()
    log_in(client, owner)
    response = _save_settings(
        client, page, {"social_image_id": str(small.id), "en_social_image_alt": "A roof"}
    )
    assert response.status_code == 302
    assert _page(db, page.id).social_image_id == small.id
    assert "This image is 300 \u00d7 200 pixels" in client.get(f"/app/pages/{page.id}").text


def test_it_refuses_an_image_of_another_tenant_no_alt_text_or_a_file_that_is_no_image(
    client, db, owner, stranger
):
    page = make_page(db, owner, None)
    with sync_session(get_settings().database.sync_url, stranger.tenant_id) as other:
        theirs = SiteImage(
            tenant_id=stranger.tenant_id, content_type="image/png", width=3, height=2, data=png()
        )
        other.add(theirs)
        other.commit()
    log_in(client, owner)

    response = _save_settings(client, page, {"social_image_id": str(theirs.id), "nl_social_image_alt": "x"})
    assert response.status_code == 422 and "Choose one of your images" in response.text
    response = _save_settings(client, page, {"social_image_id": "not-an-id", "nl_social_image_alt": "x"})
    assert response.status_code == 422

    response = _save_settings(client, page, {}, upload=png(1200, 630))
    assert response.status_code == 422 and "Describe what the image shows" in response.text
    # The upload is kept in the library, so fixing the alt text does not mean uploading again.
    scope_to_tenant(db, owner.tenant_id)
    kept = db.execute(select(SiteImage.id).where(SiteImage.tenant_id == owner.tenant_id)).scalars().all()
    assert len(kept) == 1 and str(kept[0]) in response.text

    response = _save_settings(client, page, {"nl_social_image_alt": "x"}, upload=b"<svg onload=alert(1)>")
    assert response.status_code == 422 and 'id="e-social-image"' in response.text
    assert _page(db, page.id).social_image_id is None
