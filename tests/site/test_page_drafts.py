"""The page editor's autosave: the whole draft saved at once, a version check between tabs, field errors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from landform.site.models import Page
from tests.conftest import csrf_token, log_in, make_form, make_page, post_form


def _page(db: Any) -> Page:
    db.expire_all()
    return db.execute(select(Page).execution_options(all_tenants=True)).scalar_one()


def _save(client: Any, page: Page, body: Any) -> Any:
    return client.post(
        f"/app/pages/{page.id}/draft",
        json=body,
        headers={"x-csrftoken": csrf_token(client), "accept": "application/json"},
    )


def _with_heading(blocks: list[dict[str, Any]], heading: str) -> list[dict[str, Any]]:
    hero = {**blocks[0], "text": {**blocks[0]["text"], "nl": {**blocks[0]["text"]["nl"], "heading": heading}}}
    return [hero, *blocks[1:]]


def test_it_saves_the_whole_draft_and_says_when_it_differs_from_live(client, db, owner):
    page = make_page(db, owner, make_form(db, owner))
    log_in(client, owner)
    response = _save(client, page, {"revision": page.draft_revision, "blocks": page.blocks})
    assert response.status_code == 200, response.text
    assert response.json()["publishable"] is False  # the same blocks as the live version
    revision = response.json()["revision"]
    assert revision == page.draft_revision + 1
    response = _save(client, page, {"revision": revision, "blocks": _with_heading(page.blocks, "Nieuwe kop")})
    assert response.status_code == 200
    assert response.json()["publishable"] is True
    assert _page(db).blocks[0]["text"]["nl"]["heading"] == "Nieuwe kop"
    assert "Nieuwe kop" in client.get(f"/app/pages/{page.id}/canvas?lang=nl").text
    assert "Nieuwe kop" not in client.get("/p/acme/offer").text  # visitors see it after publishing


def test_it_refuses_a_save_from_an_older_revision_and_loses_nothing(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    first = _save(
        client, page, {"revision": page.draft_revision, "blocks": _with_heading(page.blocks, "Tab een")}
    )
    assert first.status_code == 200
    second = _save(
        client, page, {"revision": page.draft_revision, "blocks": _with_heading(page.blocks, "Tab twee")}
    )
    assert second.status_code == 409
    conflict = second.json()
    assert conflict["revision"] == first.json()["revision"]
    assert conflict["saved_by"]
    assert conflict["blocks"][0]["text"]["nl"]["heading"] == "Tab een"
    assert _page(db).blocks[0]["text"]["nl"]["heading"] == "Tab een"
    # The second tab chooses to keep its own: it saves again from the revision it was told.
    mine = _save(
        client, page, {"revision": conflict["revision"], "blocks": _with_heading(page.blocks, "Tab twee")}
    )
    assert mine.status_code == 200
    assert _page(db).blocks[0]["text"]["nl"]["heading"] == "Tab twee"


def test_it_flags_a_bad_field_where_it_is_and_keeps_the_rest(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    blocks = _with_heading(page.blocks, "Goede kop")
    blocks[0]["data"] = {**blocks[0]["data"], "button_link": "javascript:alert(1)"}
    response = _save(client, page, {"revision": page.draft_revision, "blocks": blocks})
    assert response.status_code == 422
    hero_id = blocks[0]["id"]
    assert "web address" in response.json()["errors"][hero_id]["button_link"]
    saved = _page(db).blocks[0]
    assert saved["text"]["nl"]["heading"] == "Goede kop"
    assert saved["data"]["button_link"] == page.blocks[0]["data"]["button_link"]


def test_it_answers_a_malformed_draft_with_what_is_wrong_and_where(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    assert "revision" in _save(client, page, {"blocks": page.blocks}).json()["errors"]
    for body, where in [
        ({"revision": page.draft_revision, "blocks": "hero"}, "blocks"),
        ({"revision": page.draft_revision, "blocks": [{"id": "x", "type": "marquee"}]}, "blocks[0].type"),
        ({"revision": page.draft_revision, "blocks": [{"id": "<b>", "type": "hero"}]}, "blocks[0].id"),
        (
            {
                "revision": page.draft_revision,
                "blocks": [{"id": "a", "type": "hero", "text": {"nl": {"heading": 3}}}],
            },
            "blocks[0].text.nl",
        ),
    ]:
        response = _save(client, page, body)
        assert response.status_code == 400, body
        assert where in response.json()["errors"]
    response = client.post(
        f"/app/pages/{page.id}/draft", content=b"{not json", headers={"x-csrftoken": csrf_token(client)}
    )
    assert response.status_code == 400
    assert _page(db).blocks == page.blocks


def test_it_keeps_other_tenants_drafts_apart(client, db, owner, stranger):
    page = make_page(db, owner, None)
    log_in(client, stranger)
    assert _save(client, page, {"revision": page.draft_revision, "blocks": []}).status_code == 404
    assert client.get(f"/app/pages/{page.id}/canvas").status_code == 404
    assert post_form(client, f"/app/pages/{page.id}/images").status_code == 404
    assert len(_page(db).blocks) == len(page.blocks)


def test_it_draws_the_canvas_with_the_hosted_template_inside_the_editor_only(client, db, owner):
    page = make_page(db, owner, None)
    log_in(client, owner)
    canvas = client.get(f"/app/pages/{page.id}/canvas?lang=en")
    assert canvas.status_code == 200
    assert "script-src 'self'" in canvas.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in canvas.headers["content-security-policy"]
    assert canvas.headers["x-frame-options"] == "SAMEORIGIN"
    assert "/static/editor/canvas-1.js" in canvas.text
    assert f'data-block="{page.blocks[0]["id"]}"' in canvas.text
    hosted = client.get("/p/acme/offer").text
    for marker in ("/static/editor/", "data-block=", "data-text=", "contenteditable"):
        assert marker not in hosted


def test_the_canvas_says_why_a_testimonial_is_not_shown_and_visitors_never_see_it(client, db, owner):
    page = make_page(db, owner, None)
    quote = {"nl": {"quote": "Snel geregeld.", "role": ""}, "en": {"quote": "Sorted quickly.", "role": ""}}
    waiting = {"id": "quote1", "type": "testimonial", "data": {"name": "", "consented": False}, "text": quote}
    # Columns without text: left out of the hosted page like the testimonial, a placeholder on the canvas.
    empty = {"id": "cols1", "type": "columns", "data": {"count": "2"}, "text": {"nl": {}, "en": {}}}
    page.blocks = [*page.blocks, waiting, empty]
    db.commit()
    log_in(client, owner)
    canvas = client.get(f"/app/pages/{page.id}/canvas?lang=en").text
    assert 'data-block="quote1"' in canvas
    assert "shown once the person has agreed to be quoted" in canvas
    assert 'data-block="cols1"' in canvas and "nothing to show yet" in canvas
    response = client.get(f"/app/pages/{page.id}/preview")
    assert response.status_code == 200
    preview = response.text
    for hidden in ("Sorted quickly", "agreed to be quoted", "b-empty"):
        assert hidden not in preview
