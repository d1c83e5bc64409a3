"""The cookie banner of hosted pages: no cookie before a choice, the choice remembered and recorded."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from landform.accounts.models import Tenant
from landform.consent import cookies
from landform.consent.models import ConsentRecord
from landform.core.db import scope_to_tenant
from landform.site import blocks as page_blocks
from landform.site import services as site_services
from landform.site.models import Page
from tests.conftest import Persona, log_in, make_form, make_page, post_form

EN = {"Accept-Language": "en-GB"}
NL = {"Accept-Language": "nl-NL"}


def _page_with_share(db: Any, persona: Persona) -> Page:
    page = make_page(db, persona, make_form(db, persona))
    scope_to_tenant(db, persona.tenant_id)
    site_services.set_blocks(page, page_blocks.insert(page.blocks, page_blocks.new_block("share")))
    site_services.publish_sync(db, page)
    db.commit()
    return page


def _records(db: Any) -> list[ConsentRecord]:
    db.expire_all()
    return list(
        db.execute(select(ConsentRecord).execution_options(all_tenants=True).order_by(ConsentRecord.id))
        .scalars()
        .all()
    )


def test_it_sets_no_cookie_and_keeps_marketing_inert_before_a_choice(client, db, owner):
    _page_with_share(db, owner)
    response = client.get("/p/acme/offer", headers=EN)
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    html = response.text
    assert 'id="lf-cookie-banner"' in html
    assert '<template data-category="marketing">' in html
    assert 'data-consent="granted"' not in html.split("<template", 1)[0]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert re.search(r"<script src=\"/static/cookies\.js\?v=\w+\" defer>", html)
    # Accept all and Reject all are the same kind of button.
    buttons = re.findall(r'<button type="submit" name="choice" value="(all|none)" class="([^"]+)"', html)
    assert [c for _v, c in buttons] == ["lf-cookie-btn", "lf-cookie-btn"]


def test_it_remembers_accept_all_and_records_each_category(client, db, owner):
    page = _page_with_share(db, owner)
    response = client.post(
        "/p/acme/_cookies",
        data={"choice": "all", "next": "/p/acme/offer", "page": str(page.id)},
        headers={**EN, "User-Agent": "Mozilla/5.0 Chrome/120.0 Safari/537.36"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/p/acme/offer"
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith("lf_consent=1.functional-analytics-marketing;")
    assert "Path=/p/acme" in set_cookie and "SameSite=lax" in set_cookie and "HttpOnly" not in set_cookie
    records = _records(db)
    assert sorted((r.evidence["cookie_category"], r.given) for r in records) == [
        ("analytics", True),
        ("functional", True),
        ("marketing", True),
    ]
    assert {r.method for r in records} == {"cookie_banner"}
    assert all(r.contact_id is None and r.page_id == page.id for r in records)
    assert all(r.ip_hash and r.user_agent_family == "Chrome" for r in records)

    again = client.get("/p/acme/offer", headers=EN)
    assert 'id="lf-cookie-banner"' not in again.text
    assert '<div data-category="marketing" data-consent="granted">' in again.text
    assert "linkedin.com/sharing" in again.text
    # The only cookie a page sets after "accept all" is the consented analytics visitor id.
    assert [c.split("=")[0] for c in again.headers.get_list("set-cookie")] == ["lf_vid"]


def test_it_keeps_marketing_inert_after_reject_all(client, db, owner):
    _page_with_share(db, owner)
    response = client.post("/p/acme/_cookies", data={"choice": "none", "next": "/p/acme/offer"})
    assert response.status_code == 200  # followed back to the page
    assert client.cookies["lf_consent"] == "1.none"
    assert 'id="lf-cookie-banner"' not in response.text
    assert '<template data-category="marketing">' in response.text
    assert [r.given for r in _records(db)] == [False, False, False]


def test_it_asks_again_when_the_tenant_raises_its_cookie_policy_version(client, db, owner, marketer):
    _page_with_share(db, owner)
    client.post("/p/acme/_cookies", data={"choice": "all", "next": "/p/acme/offer"})
    assert 'id="lf-cookie-banner"' not in client.get("/p/acme/offer").text
    # The owner asks every visitor again from the dashboard (a marketer may not).
    visitor_choice = client.cookies["lf_consent"]
    log_in(client, marketer)
    assert post_form(client, "/app/consent/cookie-policy/").status_code == 403
    client.cookies.clear()
    log_in(client, owner)
    answer = post_form(client, "/app/consent/cookie-policy/", follow_redirects=False)
    assert answer.status_code in (302, 303)
    db.expire_all()
    assert db.get_one(Tenant, owner.tenant_id).cookie_policy_version == 2
    client.cookies.clear()
    client.cookies.set("lf_consent", visitor_choice, domain="testserver.local", path="/p/acme")
    html = client.get("/p/acme/offer").text
    assert 'id="lf-cookie-banner"' in html and '<template data-category="marketing">' in html
    client.post(
        "/p/acme/_cookies", data={"choice": "custom", "category": "functional", "next": "/p/acme/offer"}
    )
    assert client.cookies["lf_consent"] == "2.functional"


def test_it_honours_global_privacy_control(client, db, owner):
    _page_with_share(db, owner)
    gpc = {**EN, "Sec-GPC": "1"}
    html = client.get("/p/acme/offer", headers=gpc).text
    assert 'id="lf-cookie-banner"' in html  # functional cookies are still the visitor's to choose
    assert re.search(r'id="lf-dialog-marketing" name="category" value="marketing" disabled', html)
    client.post("/p/acme/_cookies", data={"choice": "all", "next": "/p/acme/offer"}, headers=gpc)
    assert client.cookies["lf_consent"] == "1.functional"
    given = {r.evidence["cookie_category"]: r.given for r in _records(db)}
    assert given == {"functional": True, "analytics": False, "marketing": False}
    assert all(r.evidence["gpc"] for r in _records(db))


def test_it_answers_scripts_with_json_and_never_redirects_elsewhere(client, db, owner):
    _page_with_share(db, owner)
    response = client.post(
        "/p/acme/_cookies",
        data={"choice": "custom", "category": ["marketing", "bogus"], "next": "https://evil.example/"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"version": 1, "allowed": ["marketing", "necessary"]}
    away = client.post(
        "/p/acme/_cookies", data={"choice": "none", "next": "//evil.example/"}, follow_redirects=False
    )
    assert away.headers["location"] == "/p/acme/_cookies"
    assert client.post("/p/acme/_cookies", data={"choice": "maybe"}).status_code == 400
    assert client.post("/p/nobody/_cookies", data={"choice": "all"}).status_code == 404


def test_it_lists_every_cookie_on_the_policy_page_in_the_visitors_language(client, db, owner):
    english = client.get("/p/acme/_cookies", headers=EN)
    assert english.status_code == 200 and "set-cookie" not in english.headers
    for spec in cookies.REGISTRY:
        assert spec.name in english.text and spec.purpose["en"] in english.text
        assert spec.lifetime["en"] in english.text
    dutch = client.get("/p/acme/_cookies?lang=nl", headers=EN).text
    assert cookies.REGISTRY[0].purpose["nl"] in dutch and "Cookiebeleid" in dutch
    functional = dutch.split('value="functional"')[1]
    assert 'name="category" value="marketing"' in dutch and "checked" not in functional[:20]


def test_it_reads_only_choices_made_under_the_current_version() -> None:
    assert cookies.read_choice("1.functional-marketing", 1) == cookies.CookieChoice(
        1, frozenset({"functional", "marketing"})
    )
    assert cookies.read_choice("1.none", 1) == cookies.CookieChoice(1, frozenset())
    assert cookies.read_choice("1.all", 2) is None
    assert cookies.read_choice("1.evil", 1) is None
    assert cookies.read_choice("", 1) is None


def test_a_manager_switches_google_consent_mode_on_and_the_snippet_follows(client, db, owner, marketer):
    log_in(client, marketer)
    assert post_form(client, "/app/consent/cookie-policy/google-consent-mode").status_code == 403
    log_in(client, owner)
    before = client.get("/app/consent/purposes?lang=en").text
    assert "data-landform-consent-mode" not in before and "async&gt;&lt;/script&gt;" in before
    page = post_form(
        client, "/app/consent/cookie-policy/google-consent-mode?lang=en", {"google_consent_mode": "on"}
    )
    assert "Google Consent Mode is on" in page.text
    assert "data-landform-consent-mode" in page.text and "above any Google tag" in page.text
    assert "async&gt;&lt;/script&gt;" not in page.text  # it must run before the Google tags that follow
    off = post_form(client, "/app/consent/cookie-policy/google-consent-mode?lang=en", {})
    assert "Google Consent Mode is off" in off.text and "data-landform-consent-mode" not in off.text
