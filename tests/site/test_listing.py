"""The list of pages: duplicate, archive (a live page goes offline), restore and delete drafts."""

from __future__ import annotations

from sqlalchemy import select

from landform.site.models import Page
from tests.conftest import log_in, make_form, make_page, post_form


def _pages(db) -> dict[str, Page]:
    db.expire_all()
    return {p.slug: p for p in db.execute(select(Page).execution_options(all_tenants=True)).scalars()}


def test_duplicate_makes_a_draft_copy_at_a_free_address(client, db, marketer):
    form = make_form(db, marketer)
    page = make_page(db, marketer, form, slug="offer")
    log_in(client, marketer)
    response = post_form(client, f"/app/pages/{page.id}/duplicate", follow_redirects=False)
    copy = _pages(db)["offer-copy"]
    assert response.headers["location"] == f"/app/pages/{copy.id}"
    assert (
        copy.content["en"]["title"] == "Offer (copy)" and copy.content["nl"]["title"] == "Aanbieding (kopie)"
    )
    assert copy.blocks == page.blocks and copy.form_id == form.id
    assert copy.published_at is None and copy.published_version is None
    post_form(client, f"/app/pages/{page.id}/duplicate")
    assert set(_pages(db)) == {"offer", "offer-copy", "offer-copy-2"}


def test_archiving_a_live_page_asks_first_takes_it_offline_and_restore_brings_a_draft(client, db, owner):
    page = make_page(db, owner, make_form(db, owner), slug="zomer")
    log_in(client, owner)
    hosted = f"/p/{owner.tenant_slug}/zomer"
    assert client.get(hosted).status_code == 200
    listing = client.get("/app/pages/").text
    assert f'href="/app/pages/{page.id}/archive"' in listing  # a link to the question, not a button
    question = client.get(f"/app/pages/{page.id}/archive", headers={"Accept-Language": "en"}).text
    assert "It is live now. Archiving takes it offline" in question
    post_form(client, f"/app/pages/{page.id}/archive")
    archived = _pages(db)["zomer"]
    assert archived.archived_at is not None and archived.published_at is None
    assert client.get(hosted).status_code == 404
    assert "/zomer" not in client.get("/app/pages/").text
    assert "/zomer" in client.get("/app/pages/?archived=true").text
    post_form(client, f"/app/pages/{page.id}/restore")
    restored = _pages(db)["zomer"]
    assert restored.archived_at is None and restored.published_at is None
    assert client.get(hosted).status_code == 404  # publishing again is the marketer's choice


def test_only_a_never_published_page_is_deleted(client, db, owner):
    live = make_page(db, owner, None, slug="live")
    draft = make_page(db, owner, None, slug="draft", published=False)
    log_in(client, owner)
    assert "Archive it instead" in client.get(f"/app/pages/{live.id}/delete").text
    post_form(client, f"/app/pages/{live.id}/delete")
    assert "live" in _pages(db)
    assert (
        "Delete this page?"
        in client.get(f"/app/pages/{draft.id}/delete", headers={"Accept-Language": "en"}).text
    )
    response = post_form(client, f"/app/pages/{draft.id}/delete", follow_redirects=False)
    assert response.headers["location"] == "/app/pages/"
    assert set(_pages(db)) == {"live"}


def test_a_sales_rep_cannot_and_another_tenant_gets_404(client, db, owner, sales_rep, stranger):
    page = make_page(db, owner, None, slug="eigen")
    log_in(client, sales_rep)
    for action in ("duplicate", "archive", "restore", "delete"):
        assert post_form(client, f"/app/pages/{page.id}/{action}").status_code == 403
    log_in(client, stranger)
    for action in ("duplicate", "archive", "restore", "delete"):
        assert post_form(client, f"/app/pages/{page.id}/{action}").status_code == 404
    assert client.get(f"/app/pages/{page.id}/archive").status_code == 404
    assert set(_pages(db)) == {"eigen"} and _pages(db)["eigen"].published_at is not None


def test_publishing_an_archived_page_brings_it_back_on_the_list(client, db, owner):
    page = make_page(db, owner, make_form(db, owner), slug="terug")
    log_in(client, owner)
    post_form(client, f"/app/pages/{page.id}/archive")
    assert _pages(db)["terug"].archived_at is not None
    post_form(client, f"/app/pages/{page.id}/publish")
    back = _pages(db)["terug"]
    assert back.archived_at is None and back.published_at is not None
    assert "/terug" in client.get("/app/pages/").text
