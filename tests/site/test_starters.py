"""Page templates: the gallery, a page (with its form and illustration) from each, quotas, tenants."""

from __future__ import annotations

import gzip
import re
from dataclasses import replace
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from landform.billing import plans, quotas
from landform.consent.models import Purpose
from landform.forms.models import Form
from landform.site.models import Page, SiteImage
from landform.site.starters import catalog
from tests.conftest import log_in, post_form

PAGE_BUDGET = 40 * 1024
NL = {"Accept-Language": "nl-NL"}
EN = {"Accept-Language": "en-GB,en;q=0.8"}


@pytest.fixture
def roomy_plan(monkeypatch):
    """Free without page and form limits, so one test can start every template."""
    roomy = replace(plans.FREE, pages=None, forms=None)
    monkeypatch.setattr(quotas, "FREE", roomy)
    monkeypatch.setitem(plans.PLANS, "free", roomy)


def _count(db: Any, model: Any) -> int:
    db.expire_all()
    return int(db.execute(select(func.count(model.id)).execution_options(all_tenants=True)).scalar_one())


def _page(db: Any, slug: str) -> Page:
    db.expire_all()
    return db.execute(select(Page).where(Page.slug == slug).execution_options(all_tenants=True)).scalar_one()


def _row(db: Any, model: Any, row_id: Any) -> Any:
    query = select(model).where(model.id == UUID(str(row_id))).execution_options(all_tenants=True)
    return db.execute(query).scalar_one()


def _weight(client: Any, response: Any) -> int:
    """HTML, stylesheets and scripts of a hosted page, gzipped."""
    total = len(gzip.compress(response.content))
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', response.text)
    assets += re.findall(r'<script src="([^"]+)" defer></script>', response.text)
    for href in assets:
        total += len(gzip.compress(client.get(href.replace("&amp;", "&")).content))
    return total


def test_it_shows_the_gallery_with_a_preview_per_template(client, marketer):
    log_in(client, marketer)
    screen = client.get("/app/pages/new", headers=EN)
    assert screen.status_code == 200
    assert len(catalog.gallery()) >= 8
    for starter in catalog.gallery():
        assert f'href="/app/pages/new?template={starter.key}"' in screen.text
        thumbnail = re.search(rf'src="(/static/starters/{starter.key}.webp[^"]*)"', screen.text)
        assert thumbnail, starter.key
        picture = client.get(thumbnail[1])
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/webp"
    assert "Event or webinar registration" in screen.text and "Blank page" in screen.text
    chosen = client.get("/app/pages/new?template=event").text
    assert '<input type="hidden" name="starter" value="event">' in chosen
    assert 'placeholder="webinar-registration"' not in chosen and 'placeholder="aanmelden-webinar"' in chosen
    assert "Evenement of webinar" in client.get("/app/pages/new?lang=nl").text


def test_it_builds_a_valid_page_with_its_form_from_every_template(client, db, marketer, roomy_plan):
    log_in(client, marketer)
    for starter in catalog.gallery():
        response = post_form(client, "/app/pages/start", {"starter": starter.key}, follow_redirects=False)
        assert response.status_code in (302, 303), (starter.key, response.text[:2000])
        page = _page(db, starter.slug("nl"))  # the tenant speaks Dutch first: the Dutch address
        assert response.headers["location"] == f"/app/pages/{page.id}"
        kinds = [block["type"] for block in page.blocks]
        assert [b["type"] for b in starter.spec["blocks"]] == kinds
        assert kinds[0] == "hero" and kinds[-1] == "footer" and kinds.count("form") == 1
        form = _row(db, Form, page.form_id)
        assert form.published_version == 1 and form.tenant_id == marketer.tenant_id
        assert any(f["type"] == "consent" and f.get("purpose_id") for f in form.fields)
        assert form.requires_age_check == starter.age_check
        image_block = next(b for b in page.blocks if b["type"] == "image")
        image = _row(db, SiteImage, image_block["data"]["image_id"])
        assert image.content_type == "image/webp" and image.width == 1200  # re-encoded like an upload
        assert page.social_image_id == image.id
        assert client.get(f"/app/pages/{page.id}").status_code == 200  # it opens in the editor

        post_form(client, f"/app/pages/{page.id}/publish")
        for headers, lang in ((NL, "nl"), (EN, "en")):
            hosted = client.get(f"/p/acme/{page.slug}", headers=headers)
            assert hosted.status_code == 200, (starter.key, lang)
            heading = starter.spec["blocks"][0][lang]["heading"]
            assert f"<h1>{heading}</h1>" in hosted.text
            assert f'action="/f/{form.key}"' in hosted.text
            assert f'src="/p/acme/_img/{image.id}"' in hosted.text
            assert f'lang="{lang}"' in hosted.text
            assert _weight(client, hosted) <= PAGE_BUDGET, starter.key
    # Purposes are the tenant's own, made once and reused by later templates.
    assert _count(db, Purpose) == 5


def test_a_template_keeps_what_the_marketer_typed_and_refuses_a_taken_address(
    client, db, marketer, roomy_plan
):
    log_in(client, marketer)
    post_form(client, "/app/pages/start", {"starter": "newsletter", "slug": "news", "en_title": "Our letter"})
    page = _page(db, "news")
    assert page.content["en"]["title"] == "Our letter"
    assert page.content["nl"]["title"] == "Schrijf je in voor de nieuwsbrief"
    again = post_form(client, "/app/pages/start", {"starter": "newsletter", "slug": "news"}, headers=EN)
    assert again.status_code == 422 and "Another page already uses this address." in again.text
    assert '<input type="hidden" name="starter" value="newsletter">' in again.text
    post_form(client, "/app/pages/start", {"starter": "newsletter"})  # no address: the template's, free
    assert _page(db, "nieuwsbrief").id != page.id
    post_form(client, "/app/pages/start", {"starter": "newsletter"})
    assert _page(db, "nieuwsbrief-2")
    odd = post_form(client, "/app/pages/start", {"starter": "nope"}, headers=EN)
    assert odd.status_code == 422 and "Choose a template, or a blank page." in odd.text


def test_a_blank_page_starts_as_before(client, db, marketer):
    log_in(client, marketer)
    missing = post_form(client, "/app/pages/start", {"starter": "blank", "slug": "plain"}, headers=EN)
    assert missing.status_code == 422 and "Give the page a title" in missing.text
    post_form(client, "/app/pages/start", {"starter": "blank", "slug": "plain", "nl_title": "Gewoon"})
    assert [b["type"] for b in _page(db, "plain").blocks] == ["hero", "footer"]
    assert _count(db, Form) == 0


def test_the_plan_limits_pages_and_forms_with_a_clear_refusal(client, db, marketer, monkeypatch):
    no_forms = replace(plans.FREE, forms=0)
    monkeypatch.setattr(quotas, "FREE", no_forms)
    monkeypatch.setitem(plans.PLANS, "free", no_forms)
    log_in(client, marketer)
    refused = post_form(client, "/app/pages/start", {"starter": "quote"}, headers=EN)
    assert refused.status_code == 403
    assert "Your Free plan allows 0 of these (forms)" in refused.text
    assert (_count(db, Page), _count(db, Form), _count(db, SiteImage)) == (0, 0, 0)

    no_pages = replace(plans.FREE, pages=0)
    monkeypatch.setattr(quotas, "FREE", no_pages)
    monkeypatch.setitem(plans.PLANS, "free", no_pages)
    refused = post_form(client, "/app/pages/start", {"starter": "quote"}, headers=EN)
    assert refused.status_code == 403 and "(landing pages)" in refused.text


def test_another_tenant_sees_nothing_of_a_page_made_from_a_template(client, db, marketer, stranger):
    log_in(client, marketer)
    post_form(client, "/app/pages/start", {"starter": "event"})
    page = _page(db, "aanmelden-webinar")
    log_in(client, stranger)
    assert client.get(f"/app/pages/{page.id}").status_code == 404
    assert client.get(f"/app/forms/{page.form_id}").status_code == 404
    assert "aanmelden-webinar" not in client.get("/app/pages/").text
    post_form(client, "/app/pages/start", {"starter": "event"})  # the same address, in its own tenant
    assert _count(db, Page) == 2 and _count(db, Purpose) == 2


def test_a_sales_rep_cannot_start_a_page(client, sales_rep):
    log_in(client, sales_rep)
    assert post_form(client, "/app/pages/start", {"starter": "event"}).status_code == 403


def test_every_template_is_complete_in_both_languages_and_ships_its_pictures():
    from landform.core.images import clean_image
    from landform.site import blocks, services

    for starter in catalog.gallery():
        assert services.SLUG.match(starter.slug("nl")) and services.SLUG.match(starter.slug("en"))
        for name in ("name", "summary", "title", "seo_description", "image_alt"):
            assert starter.spec[name]["nl"] and starter.spec[name]["en"], (starter.key, name)
            assert starter.spec[name]["nl"] != starter.spec[name]["en"], (starter.key, name)
        for spec in starter.spec["blocks"]:
            assert set(spec["nl"]) == set(spec["en"]) == set(blocks.BLOCKS[spec["type"]].texts), spec
            for text, value in spec["nl"].items():
                assert bool(value) == bool(spec["en"][text]), (starter.key, spec["type"], text)
        picture = clean_image(catalog.illustration(starter))
        assert (picture.width, picture.height) == (1200, 750)
        assert starter.form.key == starter.form_key
