"""The page builder and hosted pages: blocks, drafts and versions, roll back, old addresses, SEO."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from landform.site.models import Page, PageVersion
from tests.conftest import log_in, make_form, make_page, post_form

NEW_PAGE = {"slug": "spring-offer", "nl_title": "Voorjaarsactie", "en_title": "Spring offer"}
NL = {"Accept-Language": "nl-NL"}
EN = {"Accept-Language": "en-GB,en;q=0.8"}


def _page(db: Any) -> Page:
    db.expire_all()
    return db.execute(select(Page).execution_options(all_tenants=True)).scalar_one()


def _block(page: Page, kind: str) -> dict[str, Any]:
    return next(b for b in page.blocks if b["type"] == kind)


def _create(client: Any, db: Any) -> Page:
    response = post_form(client, "/app/pages/", NEW_PAGE, follow_redirects=False)
    page = _page(db)
    assert response.headers["location"] == f"/app/pages/{page.id}"
    return page


def _edit_block(client: Any, page: Page, block: dict[str, Any], **values: str) -> Any:
    return post_form(client, f"/app/pages/{page.id}/blocks/{block['id']}", values, follow_redirects=False)


def test_it_builds_a_page_from_blocks_that_visitors_see_once_published(client, db, marketer):
    form = make_form(db, marketer)
    log_in(client, marketer)
    page = _create(client, db)
    assert [b["type"] for b in page.blocks] == ["hero", "form", "footer"]
    assert _block(page, "form")["data"]["form_id"] == str(form.id)

    hero = _block(page, "hero")
    _edit_block(
        client,
        page,
        hero,
        nl_heading="Tien procent korting",
        nl_subheading="Alleen deze maand.",
        en_heading="Ten percent off",
        button_link="#form",
        nl_button_text="Meld je aan",
    )
    post_form(client, f"/app/pages/{page.id}/blocks", {"type": "features"})
    features = _block(_page(db), "features")
    _edit_block(client, page, features, nl_heading="Waarom wij", nl_items="Snel: binnen een dag\nEerlijk")
    post_form(client, f"/app/pages/{page.id}/blocks/{features['id']}/move", {"direction": "up"})
    assert [b["type"] for b in _page(db).blocks] == ["hero", "features", "form", "footer"]
    editor = client.get(f"/app/pages/{page.id}")
    assert editor.status_code == 200 and "Tien procent korting" in editor.text
    assert "Tien procent korting" in client.get(f"/app/pages/{page.id}/preview?lang=nl").text
    assert client.get("/p/acme/spring-offer").status_code == 404

    post_form(client, f"/app/pages/{page.id}/publish")
    public = client.get("/p/acme/spring-offer", headers=NL)
    assert public.status_code == 200
    assert "<h1>Tien procent korting</h1>" in public.text and '<html lang="nl">' in public.text
    assert '<a class="button" href="#form">Meld je aan</a>' in public.text
    assert "<strong>Snel</strong><span>binnen een dag</span>" in public.text
    assert f'action="/f/{form.key}"' in public.text and 'id="form"' in public.text
    assert 'href="/privacy/acme"' in public.text
    english = client.get("/p/acme/spring-offer", headers=EN)
    assert "<h1>Ten percent off</h1>" in english.text and '<html lang="en">' in english.text
    assert "Waarom wij" in english.text  # a text missing in English falls back to Dutch

    post_form(client, f"/app/pages/{page.id}/unpublish")
    assert client.get("/p/acme/spring-offer").status_code == 404


def test_it_keeps_the_live_version_until_the_next_publish_and_rolls_back(client, db, owner):
    page = make_page(db, owner, make_form(db, owner))
    log_in(client, owner)
    hero = _block(page, "hero")
    _edit_block(client, page, hero, nl_heading="Nieuwe kop", button_link="#form")
    assert "Onze aanbieding" in client.get("/p/acme/offer", headers=NL).text  # the draft is private

    post_form(client, f"/app/pages/{page.id}/publish")
    assert "Nieuwe kop" in client.get("/p/acme/offer", headers=NL).text
    post_form(client, f"/app/pages/{page.id}/versions/1/restore")
    assert "Onze aanbieding" in client.get("/p/acme/offer", headers=NL).text
    numbers = db.execute(select(PageVersion.number).execution_options(all_tenants=True)).scalars().all()
    assert sorted(numbers) == [1, 2, 3]
    assert _page(db).published_version == 3
    assert _block(_page(db), "hero")["text"]["nl"]["heading"] == "Onze aanbieding"  # the draft too
    editor = client.get(f"/app/pages/{page.id}").text
    assert editor.count("/restore") == 2  # every version but the live one can be brought back


def test_it_sends_visitors_of_an_old_address_to_the_new_one(client, db, owner):
    page = make_page(db, owner, None, slug="old-offer")
    log_in(client, owner)
    response = post_form(
        client,
        f"/app/pages/{page.id}",
        {"slug": "new-offer", "nl_title": "Aanbieding"},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303)
    moved = client.get("/p/acme/old-offer?utm_source=mail", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == "/p/acme/new-offer?utm_source=mail"
    assert client.get("/p/acme/new-offer").status_code == 200
    assert client.get("/p/globex/old-offer", follow_redirects=False).status_code == 404


def test_it_refuses_a_bad_or_taken_address(client, db, owner):
    make_page(db, owner, None, slug="taken")
    log_in(client, owner)
    for slug, message in (
        ("Not A Slug!", "lower-case"),
        ("taken", "already uses"),
        ("../x", "lower-case"),
        ("privacy", "your privacy portal"),
    ):
        response = post_form(client, "/app/pages/", {**NEW_PAGE, "slug": slug})
        assert response.status_code == 422
        assert message in response.text
        assert "Voorjaarsactie" in response.text  # what was typed is kept
    assert len(db.execute(select(Page).execution_options(all_tenants=True)).scalars().all()) == 1


def test_it_publishes_a_testimonial_only_when_the_person_consented(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    post_form(client, f"/app/pages/{page.id}/blocks", {"type": "testimonial"})
    quote = _block(_page(db), "testimonial")
    _edit_block(client, page, quote, name="Anna de Boer", nl_quote="Heel tevreden!")
    refused = post_form(client, f"/app/pages/{page.id}/publish")
    assert refused.status_code == 422 and "consented to be quoted" in refused.text
    assert _page(db).published_version == 1
    assert "Heel tevreden" not in client.get("/p/acme/offer", headers=NL).text

    _edit_block(client, page, quote, name="Anna de Boer", nl_quote="Heel tevreden!", consented="on")
    post_form(client, f"/app/pages/{page.id}/publish")
    shown = client.get("/p/acme/offer", headers=NL).text
    assert "Heel tevreden!" in shown and "Anna de Boer" in shown


def test_it_checks_block_input(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    hero = _block(page, "hero")
    response = _edit_block(client, page, hero, nl_heading="Kop", button_link="javascript:alert(1)")
    assert response.status_code == 422 and "https://" in response.text
    assert 'value="Kop"' in response.text  # what was typed is kept
    post_form(client, f"/app/pages/{page.id}/blocks", {"type": "image"})
    image = _block(_page(db), "image")
    response = _edit_block(client, page, image, nl_alt="Een dak")
    assert response.status_code == 422 and "Upload an image" in response.text
    post_form(client, f"/app/pages/{page.id}/blocks", {"type": "form"})
    assert post_form(client, f"/app/pages/{page.id}/blocks", {"type": "nonsense"}).status_code == 200
    assert len(_page(db).blocks) == 5


def test_it_serves_search_texts_and_honours_noindex(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    settings = {
        "slug": "offer",
        "nl_title": "Aanbieding | Acme",
        "nl_seo_description": "De beste zonwering van Utrecht.",
        "noindex": "on",
    }
    post_form(client, f"/app/pages/{page.id}", settings)
    post_form(client, f"/app/pages/{page.id}/publish")
    response = client.get("/p/acme/offer", headers=NL)
    assert "<title>Aanbieding | Acme</title>" in response.text
    assert '<meta name="description" content="De beste zonwering van Utrecht.">' in response.text
    assert '<meta name="robots" content="noindex">' in response.text
    assert response.headers["x-robots-tag"] == "noindex"


def test_it_keeps_other_tenants_pages_apart(client, db, owner, stranger):
    page = make_page(db, owner, None, slug="shared-slug")
    assert client.get("/p/acme/shared-slug").status_code == 200
    assert client.get("/p/globex/shared-slug").status_code == 404
    assert client.get("/p/nobody/shared-slug").status_code == 404
    version = db.execute(select(PageVersion).execution_options(all_tenants=True)).scalar_one()
    assert client.get(f"/p/acme/_theme/{version.id}").status_code == 200
    assert client.get(f"/p/globex/_theme/{version.id}").status_code == 404
    log_in(client, stranger)
    assert client.get(f"/app/pages/{page.id}").status_code == 404
    response = post_form(client, f"/app/pages/{page.id}/publish")
    assert response.status_code == 404


def test_it_answers_unknown_pages_with_a_friendly_404_in_the_visitors_language(client):
    response = client.get("/p/acme/nothing-here", headers={"Accept-Language": "nl", "Accept": "text/html"})
    assert response.status_code == 404
    assert '<html lang="nl">' in response.text
    assert re.search(r"<title>[^<]+</title>", response.text)


def test_it_offers_share_links_that_load_nothing_from_other_sites(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    post_form(client, f"/app/pages/{page.id}/blocks", {"type": "share"})
    post_form(client, f"/app/pages/{page.id}/publish")
    html = client.get("/p/acme/offer", headers=NL).text
    url = "http%3A//testserver.local/p/acme/offer"
    assert '<link rel="canonical" href="http://testserver.local/p/acme/offer">' in html
    assert f'href="https://www.linkedin.com/sharing/share-offsite/?url={url}"' in html
    assert f'href="mailto:?subject=Aanbieding&amp;body={url}"' in html
    # Plain links: no widget script, no image or frame from a social network until someone clicks.
    assert not re.search(r"<(script|iframe|img)[^>]+(linkedin|facebook|x\.com)", html)
