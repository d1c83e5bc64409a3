"""The blocks marketers expect: hero over a picture, columns, image with text, customer logos and a
video that waits for the visitor's consent; each checked field by field and rendered in Dutch and English."""

from __future__ import annotations

import gzip
import itertools
import re
from typing import Any

import pytest
from sqlalchemy import select

from landform.consent.cookies import COOKIE_NAME
from landform.core.db import scope_to_tenant, sync_session
from landform.site import services
from landform.site.blocks import apply_block_edit, new_block
from landform.site.models import Page, SiteImage
from landform.site.video import parse_video
from tests.conftest import log_in, make_form, make_page, post_form
from tests.site.test_page_safety import png

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
VIMEO = "https://vimeo.com/76979871"
PAGE_BUDGET = 40 * 1024


def make_image(db, persona, width: int = 4, height: int = 3, alt: dict[str, str] | None = None) -> SiteImage:
    scope_to_tenant(db, persona.tenant_id)
    image = SiteImage(
        tenant_id=persona.tenant_id,
        content_type="image/png",
        width=width,
        height=height,
        data=png(width, height),
        alt=alt or {},
    )
    db.add(image)
    db.flush()
    return image


def _texts(block: dict[str, Any], **by_lang: dict[str, str]) -> dict[str, Any]:
    for lang, texts in by_lang.items():
        block["text"][lang].update(texts)
    return block


def every_new_block(photo: str, logos: list[str], video: str = YOUTUBE) -> list[dict[str, Any]]:
    """A hero over a photo, columns, an image with text, two logos and a video, in both languages."""
    hero = _texts(
        new_block("hero"),
        nl={
            "heading": "Zonwering op maat",
            "subheading": "Binnen twee weken geplaatst.",
            "button_text": "Offerte",
        },
        en={
            "heading": "Awnings made to measure",
            "subheading": "Fitted within two weeks.",
            "button_text": "Quote",
        },
    )
    hero["data"].update(background_image_id=photo, overlay="dark")
    columns = _texts(
        new_block("columns"),
        nl={
            "heading": "Zo werken we",
            "column_1": "### Meten\nWe komen langs.",
            "column_2": "### Maken\nIn eigen atelier.",
            "column_3": "### Plaatsen\nIn één dag.",
        },
        en={
            "heading": "How we work",
            "column_1": "### Measure\nWe visit you.",
            "column_2": "### Make\nIn our workshop.",
            "column_3": "### Fit\nIn one day.",
        },
    )
    columns["data"]["count"] = "3"
    image_text = _texts(
        new_block("image_text"),
        nl={
            "heading": "Ons atelier",
            "markdown": "Alles wordt **in Utrecht** gemaakt.",
            "alt": "Naaister aan het werk",
            "button_text": "Bekijk",
        },
        en={
            "heading": "Our workshop",
            "markdown": "Everything is made **in Utrecht**.",
            "alt": "A seamstress at work",
            "button_text": "Have a look",
        },
    )
    image_text["data"].update(image_id=photo, image_side="right", button_link="#form")
    logo_row = _texts(
        new_block("logos"),
        nl={"heading": "Zij gingen je voor", "names": "Bakkerij Jansen\nCafé De Hoek"},
        en={"heading": "They went before you", "names": "Jansen Bakery\nThe Corner Café"},
    )
    logo_row["data"]["image_ids"] = logos
    film = _texts(
        new_block("video"),
        nl={
            "heading": "Bekijk de film",
            "title": "Film: zo plaatsen we een scherm",
            "caption": "Twee minuten.",
        },
        en={"heading": "Watch the film", "title": "Film: how we fit an awning", "caption": "Two minutes."},
    )
    film["data"]["video_url"] = video
    return [hero, columns, image_text, logo_row, film]


@pytest.fixture
def images(db, owner):
    photo = make_image(db, owner, 8, 5, {"nl": "Een terras", "en": "A terrace"})
    first, second = make_image(db, owner, 6, 2), make_image(db, owner, 6, 3)
    db.commit()
    return str(photo.id), [str(first.id), str(second.id)]


def _published(db, owner, blocks) -> Page:
    page = make_page(db, owner, None, published=False)
    services.set_blocks(page, [*blocks, new_block("footer")])
    services.publish_sync(db, page)
    db.commit()
    return page


# --- the video address ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "player"),
    [
        (YOUTUBE, "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ?t=30", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (VIMEO, "https://player.vimeo.com/video/76979871?dnt=1"),
        (
            "https://vimeo.com/76979871/8274ab0e1f",
            "https://player.vimeo.com/video/76979871?dnt=1&h=8274ab0e1f",
        ),
    ],
)
def test_it_plays_youtube_and_vimeo_addresses_in_their_privacy_friendly_players(address, player):
    video = parse_video(address)
    assert video is not None and video.player_url == player


@pytest.mark.parametrize(
    "address",
    [
        "https://www.dailymotion.com/video/x7tgad0",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)//youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=<script>",
        "https://user:pw@vimeo.com/76979871",
    ],
)
def test_it_refuses_a_video_address_that_is_not_youtube_or_vimeo(address):
    assert parse_video(address) is None
    with pytest.raises(Exception) as refused:
        apply_block_edit(new_block("video"), {"video_url": address}, set(), set())
    assert "YouTube or Vimeo" in refused.value.errors["video_url"]


# --- validation over HTTP, where the field is ----------------------------------------------------


def _add_block(client, page: Page, kind: str) -> str:
    response = post_form(client, f"/app/pages/{page.id}/blocks", {"type": kind}, follow_redirects=False)
    assert response.status_code in (302, 303), response.text
    return response.headers["location"].split("#block-")[1]


@pytest.mark.parametrize(
    ("kind", "data", "field", "dutch", "english"),
    [
        (
            "video",
            {"video_url": "https://www.dailymotion.com/video/x7tgad0"},
            "video_url",
            "YouTube of Vimeo",
            "YouTube or Vimeo",
        ),
        ("hero", {"overlay": "purple"}, "overlay", "Kies een van deze", "Choose one of these"),
        ("columns", {"count": "4"}, "count", "Kies een van deze", "Choose one of these"),
        (
            "image_text",
            {"image_side": "left", "image_id": "STRANGER"},
            "image_id",
            "Kies een van je afbeeldingen",
            "Choose one of your images",
        ),
        (
            "hero",
            {"overlay": "dark", "background_image_id": "STRANGER"},
            "background_image_id",
            "Kies een van je afbeeldingen",
            "Choose one of your images",
        ),
        ("logos", {"image_ids_1": "STRANGER"}, "image_ids", "mediabibliotheek", "media library"),
    ],
)
def test_it_refuses_a_wrong_value_by_field_in_the_marketers_language(
    client, db, settings, owner, stranger, kind, data, field, dutch, english
):
    page = make_page(db, owner, None, published=False)
    with sync_session(settings.database.sync_url, tenant_id=stranger.tenant_id) as theirs_db:
        theirs = str(make_image(theirs_db, stranger).id)
        theirs_db.commit()
    log_in(client, owner)
    block_id = _add_block(client, page, kind)
    posted = {k: theirs if v == "STRANGER" else v for k, v in data.items()}
    for lang, message in (("nl", dutch), ("en", english)):
        response = post_form(client, f"/app/pages/{page.id}/blocks/{block_id}?lang={lang}", posted)
        assert response.status_code == 422
        error = re.search(
            r'<p class="error"[^>]*>([^<]*)</p>', response.text[response.text.index(f"block-{block_id}") :]
        )
        assert error and message in error.group(1), (lang, error and error.group(1))
    db.expire_all()
    stored = next(b for b in db.get_one(Page, page.id).blocks if b["id"] == block_id)
    assert stored["data"] == new_block(kind)["data"]  # nothing half-saved


def test_the_no_js_form_saves_every_new_kind(client, db, owner, images):
    photo, logos = images
    page = make_page(db, owner, None, published=False)
    log_in(client, owner)
    edits = {
        "hero": {
            "overlay": "light",
            "background_image_id": photo,
            "button_link": "#form",
            "nl_heading": "Kop",
        },
        "columns": {"count": "2", "nl_column_1": "Een", "en_column_2": "Two"},
        "image_text": {
            "image_id": photo,
            "image_side": "right",
            "nl_alt": "Terras",
            "button_link": "/contact",
        },
        "logos": {"image_ids_1": logos[1], "image_ids_2": "", "image_ids_3": logos[0], "nl_names": "B\nA"},
        "video": {"video_url": VIMEO, "en_title": "Our film"},
    }
    for kind, data in edits.items():
        block_id = _add_block(client, page, kind)
        editor = client.get(f"/app/pages/{page.id}").text
        assert f'id="block-{block_id}"' in editor
        response = post_form(client, f"/app/pages/{page.id}/blocks/{block_id}", data, follow_redirects=False)
        assert response.status_code in (302, 303), (kind, response.text[-2000:])
    db.expire_all()
    saved = {b["type"]: b["data"] for b in db.get_one(Page, page.id).blocks}
    assert saved["hero"]["overlay"] == "light" and saved["hero"]["background_image_id"] == photo
    assert saved["columns"]["count"] == "2"
    assert saved["logos"]["image_ids"] == [logos[1], logos[0]]  # in the order chosen
    assert saved["video"]["video_url"] == VIMEO
    editor = client.get(f"/app/pages/{page.id}").text
    assert re.search(rf'<option value="{logos[1]}" selected>', editor)  # the form shows what was saved


# --- what visitors see ---------------------------------------------------------------------------


def test_it_renders_every_new_block_in_dutch_and_english(client, db, owner, images):
    photo, logos = images
    _published(db, owner, every_new_block(photo, logos))
    seen = {}
    for lang in ("nl", "en"):
        response = client.get("/p/acme/offer", headers={"Accept-Language": lang})
        assert response.status_code == 200
        seen[lang] = html = response.text
        assert html.count("<h1>") == 1
        assert 'class="b-hero has-image overlay-dark"' in html
        assert re.search(
            rf'<img class="hero-bg" src="/p/acme/_img/{photo}" alt="" width="8" height="5"', html
        )
        assert 'class="columns cols-3"' in html and html.count("<h3>") == 3
        assert 'class="wrap media-row image-right"' in html
        assert html.count('loading="lazy"') >= 3  # below the fold: fetched when reached
        for image in logos:
            assert re.search(rf'src="/p/acme/_img/{image}" alt="[^"]+" width="6" height="\d"', html)
        assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in html
    nl, en = seen["nl"], seen["en"]
    assert "Zonwering op maat" in nl and "Awnings made to measure" in en
    assert 'alt="Bakkerij Jansen"' in nl and 'alt="Jansen Bakery"' in en
    assert 'alt="Naaister aan het werk"' in nl and 'alt="A seamstress at work"' in en
    assert "Video op YouTube" in nl and "Video on YouTube" in en
    assert "Toestaan en de YouTube-video laden" in nl and "Allow and load the YouTube video" in en
    # The heading order a screen reader walks: h1, then h2 per section, h3 inside columns.
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", en.split("<main", 1)[1].split("</main>")[0])]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_the_video_waits_for_marketing_consent_and_the_csp_names_only_its_player(client, db, owner, images):
    photo, logos = images
    _published(db, owner, every_new_block(photo, logos))
    response = client.get("/p/acme/offer", headers={"Accept-Language": "nl"})
    html = response.text
    # Before consent the player sits inert in a <template>; nothing outside it names the provider's player.
    outside = re.sub(r"<template data-category=\"marketing\">.*?</template>", "", html, flags=re.S)
    assert "youtube-nocookie" not in outside and "<iframe" not in outside
    assert 'data-placeholder-for="marketing"' in html and 'name="category" value="marketing"' in html
    csp = response.headers["content-security-policy"]
    assert "frame-src https://www.youtube-nocookie.com;" in csp and "vimeo" not in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp

    # The placeholder's button records marketing consent like the banner does, keeping what was allowed.
    form = html[html.index("data-cookie-allow") :]
    assert 'name="category" value="marketing"' in form.split("</form>")[0]
    answer = client.post(
        "/p/acme/_cookies",
        data={"choice": "custom", "category": ["analytics", "marketing"], "next": "/p/acme/offer"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and client.cookies.get(COOKIE_NAME).endswith("analytics-marketing")
    html = client.get("/p/acme/offer", headers={"Accept-Language": "nl"}).text
    iframe = re.search(r'<iframe src="([^"]+)" title="([^"]+)"', html)
    assert iframe and iframe.groups() == (
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "Film: zo plaatsen we een scherm",
    )
    assert 'data-placeholder-for="marketing"' not in html


def test_a_visitor_who_asks_not_to_be_tracked_is_not_offered_the_button(client, db, owner, images):
    photo, logos = images
    _published(db, owner, every_new_block(photo, logos, video=VIMEO))
    response = client.get("/p/acme/offer", headers={"Sec-GPC": "1", "Accept-Language": "en"})
    assert "Global Privacy Control" in response.text and "data-cookie-allow" not in response.text
    assert 'href="https://vimeo.com/76979871"' in response.text  # watching it there stays possible
    assert "frame-src https://player.vimeo.com;" in response.headers["content-security-policy"]


def test_a_page_without_a_video_keeps_todays_csp(client, db, owner):
    make_page(db, owner, None)
    csp = client.get("/p/acme/offer").headers["content-security-policy"]
    assert "frame-src" not in csp and csp.startswith("default-src 'none';")


def test_only_a_page_with_a_new_block_loads_their_stylesheet(client, db, owner, images):
    photo, logos = images
    make_page(db, owner, None, slug="plain")
    assert "page-blocks.css" not in client.get("/p/acme/plain").text
    page = _published(db, owner, [every_new_block(photo, logos)[-1]])
    text = client.get(f"/p/acme/{page.slug}").text
    assert "page-blocks.css" in text and text.index("page.css") < text.index("page-blocks.css")


def test_a_page_with_every_block_stays_under_40_kb_gzipped(client, db, owner, images):
    from tests.site.test_page_safety import hostile_blocks

    photo, logos = images
    form = make_form(db, owner)
    old = hostile_blocks(str(form.id), photo)
    blocks = [*old[:-1], *every_new_block(photo, logos * 6)]
    for block in blocks:
        for lang in block["text"]:
            block["text"][lang] = {name: "Zonnepanelen op jouw dak " * 8 for name in block["text"][lang]}
            if block["type"] == "logos":
                block["text"][lang]["names"] = "\n".join(f"Klant nummer {n}" for n in range(12))
    page = make_page(db, owner, form, published=False)
    services.set_blocks(page, [*blocks, old[-1]])
    services.publish_sync(db, page)
    db.commit()
    response = client.get("/p/acme/offer")
    assert response.status_code == 200
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', response.text)
    links += re.findall(r'<script src="([^"]+)" defer></script>', response.text)
    total = len(gzip.compress(response.content))
    for href in links:
        total += len(gzip.compress(client.get(href.replace("&amp;", "&")).content))
    assert total <= PAGE_BUDGET, f"the page weighs {total} bytes gzipped"


def test_publishing_asks_for_what_the_new_blocks_need(client, db, owner, images):
    _photo, logos = images
    page = make_page(db, owner, None, published=False)
    unnamed = new_block("logos")
    unnamed["data"]["image_ids"] = logos
    services.set_blocks(page, [new_block("video"), new_block("image_text"), unnamed])
    db.commit()
    log_in(client, owner)
    response = post_form(client, f"/app/pages/{page.id}/publish")
    assert "YouTube or Vimeo" in response.text and "Name every logo" in response.text
    assert (
        db.execute(select(Page).where(Page.id == page.id).execution_options(all_tenants=True))
        .scalar_one()
        .published_at
        is None
    )
