"""The page editor and hosted pages: drafts stay private, published pages are public, content is safe."""

from __future__ import annotations

import re

from sqlalchemy import select

from landform.site.models import Page
from tests.conftest import log_in, make_form, make_page, post_form

PAGE = {
    "slug": "spring-offer",
    "nl_title": "Voorjaarsactie",
    "nl_headline": "Tien procent korting",
    "nl_body": "Alleen **deze maand**.",
    "en_title": "Spring offer",
    "en_headline": "Ten percent off",
    "en_body": "This **month** only.",
}


def _page(db) -> Page:
    db.expire_all()
    return db.execute(select(Page).execution_options(all_tenants=True)).scalar_one()


def test_it_saves_a_draft_that_visitors_cannot_see_until_published(client, db, marketer):
    form = make_form(db, marketer)
    log_in(client, marketer)
    response = post_form(
        client, "/app/pages/", {**PAGE, "form_id": str(form.id), "action": "save"}, follow_redirects=False
    )
    page = _page(db)
    assert response.headers["location"] == f"/app/pages/{page.id}"
    assert page.published_at is None
    assert client.get("/p/acme/spring-offer").status_code == 404
    assert "Voorjaarsactie" in client.get(f"/app/pages/{page.id}/preview?lang=nl").text

    post_form(client, f"/app/pages/{page.id}", {**PAGE, "form_id": str(form.id), "action": "publish"})
    public = client.get("/p/acme/spring-offer", headers={"Accept-Language": "nl-NL"})
    assert public.status_code == 200
    assert "Tien procent korting" in public.text and '<html lang="nl">' in public.text
    assert f'action="/f/{form.key}"' in public.text
    english = client.get("/p/acme/spring-offer", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "Ten percent off" in english.text and '<html lang="en">' in english.text

    post_form(client, f"/app/pages/{page.id}/unpublish")
    assert client.get("/p/acme/spring-offer").status_code == 404


def test_it_refuses_a_bad_or_taken_address(client, db, owner):
    make_page(db, owner, None, slug="taken")
    log_in(client, owner)
    for slug, message in (("Not A Slug!", "lower-case"), ("taken", "already uses")):
        response = post_form(client, "/app/pages/", {**PAGE, "slug": slug})
        assert response.status_code == 422
        assert message in response.text
        assert "Voorjaarsactie" in response.text  # what was typed is kept
    assert db.execute(select(Page).execution_options(all_tenants=True)).scalars().all().__len__() == 1


def test_it_renders_tenant_markdown_and_titles_inert(client, db, owner):
    page = make_page(db, owner, make_form(db, owner))
    page.content = {
        "en": {
            "title": "<script>alert(1)</script>",
            "headline": '"><img src=x onerror=alert(1)>',
            "body": "<script>alert(2)</script>\n\n[click](javascript:alert(3)) <b onclick=x>b</b>",
        }
    }
    db.commit()
    html = client.get(f"/p/acme/{page.slug}").text
    assert "<script" not in html
    assert not re.search(r"<[a-z][^>]*\son\w+=", html), "an event-handler attribute got through"
    assert 'href="javascript:' not in html
    assert "<b " not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_keeps_other_tenants_pages_apart(client, db, owner, stranger):
    make_page(db, owner, None, slug="shared-slug")
    assert client.get("/p/acme/shared-slug").status_code == 200
    assert client.get("/p/globex/shared-slug").status_code == 404
    assert client.get("/p/nobody/shared-slug").status_code == 404


def test_it_answers_unknown_pages_with_a_friendly_404_in_the_visitors_language(client):
    response = client.get("/p/acme/nothing-here", headers={"Accept-Language": "nl", "Accept": "text/html"})
    assert response.status_code == 404
    assert '<html lang="nl">' in response.text
