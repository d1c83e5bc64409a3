"""The media library: upload once, describe in both languages, see where an image is used, reuse it on any
page; an image a page still shows cannot be deleted, and another tenant's images are never reachable."""

from __future__ import annotations

import re

from sqlalchemy import select

from landform.core.db import sync_session
from landform.site import services
from landform.site.blocks import new_block
from landform.site.models import SiteImage
from tests.conftest import log_in, make_page, post_form
from tests.site.test_marketer_blocks import make_image
from tests.site.test_page_safety import png


def _upload(client, data: dict[str, str] | None = None, image: bytes | None = None, **kwargs):
    files = {"image": ("terras.png", image if image is not None else png(40, 30), "image/png")}
    return post_form(client, "/app/media/", data or {}, files=files, **kwargs)


def _images(db) -> list[SiteImage]:
    db.expire_all()
    return list(db.execute(select(SiteImage).execution_options(all_tenants=True)).scalars())


def test_it_uploads_an_image_with_alt_texts_and_lists_it(client, db, owner):
    log_in(client, owner)
    assert "No images yet" in client.get("/app/media/").text
    response = _upload(
        client,
        {"nl_alt": "Een terras met zonwering", "en_alt": "A terrace with awnings"},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    (image,) = _images(db)
    assert image.alt == {"nl": "Een terras met zonwering", "en": "A terrace with awnings"}
    assert image.width == 40 and image.tenant_id == owner.tenant_id
    page = client.get("/app/media/").text
    assert 'aria-current="page">Media</a>' in page  # the navigation knows where we are
    thumb = rf'<img class="media-thumb" src="/p/acme/_img/{image.id}" alt="A terrace with awnings"'
    assert re.search(thumb + ' width="40" height="30"', page)
    assert "40 \u00d7 30 px" in page and "Not used on any page yet." in page


def test_it_refuses_a_file_that_is_not_an_image_and_keeps_the_alt_texts_typed(client, db, owner):
    log_in(client, owner)
    response = _upload(client, {"nl_alt": "Iets", "en_alt": "Something"}, image=b"<html><script>x</script>")
    assert response.status_code == 422
    assert "PNG, JPEG, WebP or GIF" in response.text and 'value="Something"' in response.text
    nothing = post_form(client, "/app/media/?lang=nl", {"nl_alt": "Iets"})
    assert nothing.status_code == 422 and "Kies een afbeelding om te uploaden" in nothing.text
    too_long = _upload(client, {"en_alt": "x" * 251})
    assert too_long.status_code == 422 and "at most 250 characters" in too_long.text
    assert _images(db) == []


def test_it_saves_alt_texts_and_a_page_uses_them_when_its_block_has_none(client, db, owner):
    image = make_image(db, owner, 6, 4)
    db.commit()
    log_in(client, owner)
    response = post_form(
        client,
        f"/app/media/{image.id}",
        {"nl_alt": "Werkplaats", "en_alt": "Workshop"},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303)
    assert _images(db)[0].alt == {"nl": "Werkplaats", "en": "Workshop"}
    page = make_page(db, owner, None, published=False)
    block = new_block("image_text")
    block["data"]["image_id"] = str(image.id)
    block["text"]["nl"]["heading"] = "Ons atelier"
    services.set_blocks(page, [block])
    services.publish_sync(db, page)
    db.commit()
    html = client.get("/p/acme/offer", headers={"Accept-Language": "nl"}).text
    assert f'src="/p/acme/_img/{image.id}" alt="Werkplaats"' in html


def test_it_shows_where_an_image_is_used_and_refuses_to_delete_it_until_unused(client, db, owner):
    used, unused = make_image(db, owner), make_image(db, owner)
    db.commit()
    page = make_page(db, owner, None, published=False)
    logos = new_block("logos")
    logos["data"]["image_ids"] = [str(used.id)]
    logos["text"]["nl"]["names"] = "Bakkerij Jansen"
    services.set_blocks(page, [logos])
    services.publish_sync(db, page)
    db.commit()
    log_in(client, owner)
    listing = client.get("/app/media/").text
    card = listing[listing.index(f'id="image-{used.id}"') :]
    assert (
        f'<a href="/app/pages/{page.id}">Offer (/offer)</a> <span class="badge ok">Live</span>'
        in card.split("</li>\n  \n")[0]
    )

    refused = post_form(client, f"/app/media/{used.id}/delete", follow_redirects=False)
    assert refused.status_code == 422
    assert "cannot be deleted while it is used. Remove it from these first: Offer (/offer)." in refused.text
    assert len(_images(db)) == 2

    # Gone from the draft but still live: still refused; the marketer must publish (or unpublish) first.
    services.set_blocks(db.merge(page), [])
    db.commit()
    assert post_form(client, f"/app/media/{used.id}/delete?lang=nl").status_code == 422

    deleted = post_form(client, f"/app/media/{unused.id}/delete", follow_redirects=False)
    assert deleted.status_code in (302, 303)
    assert [i.id for i in _images(db)] == [used.id]


def test_the_picker_offers_the_tenants_images_as_radios_with_an_upload(client, db, owner):
    image = make_image(db, owner, 6, 4, {"en": "Terrace"})
    db.commit()
    log_in(client, owner)
    fragment = client.get(f"/app/media/picker?name=background_image_id&selected={image.id}").text
    assert "<html" not in fragment and 'class="media-picker"' in fragment
    assert f'type="radio" name="background_image_id" value="{image.id}" checked' in fragment
    assert (
        'name="upload" type="file"' in fragment
        and 'hx-post="/app/media/picker?name=background_image_id"' in fragment
    )
    several = client.get("/app/media/picker?name=image_ids&multiple=true").text
    assert f'type="checkbox" name="image_ids" value="{image.id}"' in several
    odd = client.get('/app/media/picker?name="><script>').text
    assert "<script>" not in odd and 'name="script"' in odd

    uploaded = post_form(
        client, "/app/media/picker?name=image_id", files={"upload": ("n.png", png(9, 9), "image/png")}
    )
    assert uploaded.status_code == 200
    new = next(i for i in _images(db) if i.id != image.id)
    assert f'type="radio" name="image_id" value="{new.id}" checked' in uploaded.text
    bad = post_form(
        client, "/app/media/picker?name=image_id", files={"upload": ("n.png", b"GIF89a<svg>", "image/png")}
    )
    assert bad.status_code == 422 and 'role="alert"' in bad.text


def test_another_tenants_image_is_never_reachable(client, db, settings, owner, stranger):
    with sync_session(settings.database.sync_url, tenant_id=stranger.tenant_id) as theirs:
        image = make_image(theirs, stranger, alt={"en": "Globex secret"})
        theirs.commit()
        image_id = image.id
    log_in(client, owner)
    assert "Globex secret" not in client.get("/app/media/").text
    assert image_id.hex not in client.get("/app/media/picker").text.replace("-", "")
    assert post_form(client, f"/app/media/{image_id}", {"en_alt": "Mine now"}).status_code == 404
    assert post_form(client, f"/app/media/{image_id}/delete").status_code == 404
    assert _images(db)[0].alt == {"en": "Globex secret"}


def test_a_sales_rep_has_no_media_library(client, sales_rep):
    log_in(client, sales_rep)
    assert client.get("/app/media/").status_code == 403
