"""The page draft's theme and search texts: autosaved with the blocks, one version check, field errors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from landform.site.models import Page
from tests.conftest import csrf_token, log_in, make_form, make_page

SEO = {"nl": {"title": "Aanbieding", "seo_description": ""}, "en": {"title": "Offer", "seo_description": ""}}


def _page(db: Any) -> Page:
    db.expire_all()
    return db.execute(select(Page).execution_options(all_tenants=True)).scalar_one()


def _save(client: Any, page: Page, revision: int, **parts: Any) -> Any:
    return client.post(
        f"/app/pages/{page.id}/draft",
        json={"revision": revision, "blocks": page.blocks, **parts},
        headers={"x-csrftoken": csrf_token(client), "accept": "application/json"},
    )


def test_it_saves_the_theme_and_search_texts_with_the_draft(client, db, owner):
    page = make_page(db, owner, make_form(db, owner))
    log_in(client, owner)
    same = _save(client, page, page.draft_revision, theme={"primary": ""}, seo=SEO)
    assert same.status_code == 200, same.text
    assert same.json()["publishable"] is False  # nothing differs from the live version
    themed = _save(client, page, same.json()["revision"], theme={"primary": "#AA3300", "font": "humanist"})
    assert themed.status_code == 200, themed.text
    assert themed.json()["publishable"] is True  # a theme-only change is something to publish
    seo = {"nl": {"title": "Voorjaarsactie", "seo_description": "Tien procent korting."}, "en": SEO["en"]}
    texts = _save(client, page, themed.json()["revision"], seo=seo)
    assert texts.status_code == 200, texts.text
    saved = _page(db)
    assert saved.theme == {"primary": "#aa3300", "font": "humanist"}
    assert saved.content["nl"]["title"] == "Voorjaarsactie"
    assert saved.content["nl"]["seo_description"] == "Tien procent korting."
    assert saved.content["nl"]["headline"] == "Onze aanbieding"  # what the draft does not send is kept
    assert "#aa3300" in client.get(f"/app/pages/{page.id}/theme.css").text
    assert "Voorjaarsactie" in client.get(f"/app/pages/{page.id}").text
    assert "Voorjaarsactie" not in client.get("/p/acme/offer").text  # visitors see it after publishing


def test_a_conflict_answers_with_their_theme_and_texts_and_changes_nothing(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    first = _save(client, page, page.draft_revision, theme={"primary": "#112233"})
    assert first.status_code == 200
    seo = {"nl": {"title": "Tab twee", "seo_description": ""}, "en": SEO["en"]}
    second = _save(client, page, page.draft_revision, theme={"primary": "#445566"}, seo=seo)
    assert second.status_code == 409
    assert second.json()["theme"]["primary"] == "#112233"
    assert second.json()["seo"]["nl"]["title"] == "Aanbieding"
    saved = _page(db)
    assert saved.theme["primary"] == "#112233"
    assert saved.content["nl"]["title"] == "Aanbieding"


def test_a_bad_setting_is_named_and_the_rest_is_saved(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    first = _save(client, page, page.draft_revision, theme={"primary": "#112233"})
    seo = {"nl": {"title": "x" * 121, "seo_description": "Goed"}, "en": {"title": "New"}}
    theme = {"primary": "blue", "buttons": "square", "font": "x"}
    response = _save(client, page, first.json()["revision"], theme=theme, seo=seo)
    assert response.status_code == 422
    errors = response.json()["settings_errors"]
    assert set(errors) == {"primary", "font", "nl_title"}
    assert "120" in errors["nl_title"]
    assert "#0f766e" in errors["primary"]
    saved = _page(db)
    assert saved.theme == {"primary": "#112233", "buttons": "square"}  # the bad colour keeps the saved one
    assert saved.content["nl"]["title"] == "Aanbieding"
    assert saved.content["nl"]["seo_description"] == "Goed"
    assert saved.content["en"]["title"] == "New"
    assert response.json()["revision"] == first.json()["revision"] + 1
    no_title = {lang: {"title": "", "seo_description": ""} for lang in ("nl", "en")}
    response = _save(client, page, response.json()["revision"], seo=no_title)
    assert response.status_code == 422
    assert "title" in response.json()["settings_errors"]["nl_title"]
    assert _page(db).content["en"]["title"] == "New"


def test_a_malformed_theme_or_text_is_refused_with_where(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    for parts, where in [
        ({"theme": "red"}, "theme"),
        ({"theme": {"primary": 3}}, "theme"),
        ({"seo": {"fr": {"title": "Offre"}}}, "seo"),
        ({"seo": {"nl": {"title": None}}}, "seo"),
    ]:
        response = _save(client, page, page.draft_revision, **parts)
        assert response.status_code == 400, parts
        assert where in response.json()["errors"]
    assert _page(db).draft_revision == page.draft_revision


def test_another_tenants_page_is_not_found(client, db, owner, stranger):
    page = make_page(db, owner, None)
    log_in(client, stranger)
    response = _save(client, page, page.draft_revision, theme={"primary": "#000000"}, seo=SEO)
    assert response.status_code == 404
    assert not _page(db).theme
