"""The "Made with Landform" link: on hosted pages, the form's own page and the embedded form, unless the plan
removes it."""

from __future__ import annotations

import gzip

from landform.billing.models import Subscription
from tests.conftest import make_form, make_page
from tests.site.test_themes import PAGE_BUDGET


def _on_pro(db, persona) -> None:
    db.add(Subscription(tenant_id=persona.tenant_id, plan="pro", status="active"))
    db.commit()


def _surfaces(client, form, language: str = "en") -> tuple[str, str, dict]:
    headers = {"Accept-Language": language}
    page = client.get("/p/acme/offer", headers=headers)
    assert page.status_code == 200
    hosted_form = client.get(f"/f/{form.key}", headers=headers)
    assert hosted_form.status_code == 200
    embed = client.get(f"/f/{form.key}/embed", headers=headers)
    assert embed.status_code == 200
    return page.text, hosted_form.text, embed.json()


def test_free_pages_and_forms_say_made_with_landform_in_the_visitors_language(client, db, owner):
    form = make_form(db, owner)
    make_page(db, owner, form)
    page, hosted_form, embed = _surfaces(client, form)
    for html in (page, hosted_form):
        assert '<p class="made-with"><a href="/">Made with Landform</a></p>' in html
    assert embed["badge"] == {"text": "Made with Landform", "url": "http://testserver.local/"}
    page, hosted_form, embed = _surfaces(client, form, "nl")
    assert "Gemaakt met Landform" in page and "Gemaakt met Landform" in hosted_form
    assert embed["badge"]["text"] == "Gemaakt met Landform"
    # Still within the page weight budget, under the same strict CSP (a plain link needs nothing more).
    response = client.get("/p/acme/offer")
    assert len(gzip.compress(response.content)) < PAGE_BUDGET
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_pro_leaves_the_link_out(client, db, owner):
    form = make_form(db, owner)
    make_page(db, owner, form)
    _on_pro(db, owner)
    page, hosted_form, embed = _surfaces(client, form)
    assert "Made with Landform" not in page and "Made with Landform" not in hosted_form
    assert "badge" not in embed
