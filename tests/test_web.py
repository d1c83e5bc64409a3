"""Every answer carries the security headers and a request id (also those no route handler wrote), static
files are cached as long as their URL allows, and public pages are described for search engines."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from litestar.testing import TestClient

from landform.app import create_app
from landform.core.settings import get_settings
from landform.static_files import static_url
from tests.conftest import form_token, make_form, make_page


def _protected(response: Any) -> None:
    """What keeps a page from being framed, sniffed or leaking its address, and ties it to its log line."""
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert len(headers["x-request-id"]) == 32


def test_it_protects_the_csrf_refusal_of_the_login_page(client):
    refused = client.post("/login", data={"email": "a@example.com", "password": "x"})
    assert refused.status_code == 403
    _protected(refused)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no-such-page", 404), ("GET", "/app/no-such-page", 404), ("DELETE", "/login", 405)],
)
def test_it_protects_answers_no_route_gave(client, method, path, status):
    response = client.request(method, path)
    assert response.status_code == status
    _protected(response)


def test_it_protects_the_api_schema(client):
    for path in ("/api/v1/schema", "/api/v1/schema/openapi.json"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("application/")  # no HTML viewer loading scripts
        _protected(response)


def test_it_protects_the_intakes_429_with_its_hosted_policy(db, owner, monkeypatch, settings):
    monkeypatch.setenv("LANDFORM_INTAKE_LIMIT_PER_IP", "1")
    get_settings.cache_clear()
    form = make_form(db, owner)
    with TestClient(create_app(get_settings()), base_url="http://testserver.local") as client:
        statuses = []
        for n in range(2):
            token = form_token(client, f"/f/{form.key}")
            response = client.post(
                f"/f/{form.key}", json={"first_name": "F", "email": f"f{n}@example.com", "_lf_token": token}
            )
            statuses.append(response.status_code)
    assert statuses == [201, 429]
    headers = response.headers
    assert "frame-ancestors 'self'" in headers["content-security-policy"]  # a form may sit in its own page
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert len(headers["x-request-id"]) == 32


def test_it_caches_a_static_file_for_a_year_only_at_its_current_version(client):
    versioned = static_url("css/app.css")
    fresh = client.get(versioned)
    assert fresh.status_code == 200
    assert fresh.headers["cache-control"] == "max-age=31536000, public, immutable"
    for url in ("/static/css/app.css", "/static/css/app.css?v=0123456789", "/static/css/app.css?v="):
        revalidated = client.get(url)
        assert revalidated.status_code == 200
        assert "immutable" not in revalidated.headers["cache-control"], url
        assert "no-cache" in revalidated.headers["cache-control"], url
    # Another file's version does not make this one immutable.
    other = static_url("css/page.css").rpartition("?v=")[2]
    assert "immutable" not in client.get(f"/static/css/app.css?v={other}").headers["cache-control"]


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.descriptions: list[str] = []
        self.robots: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and found.get("name") == "description":
            self.descriptions.append(found.get("content") or "")
        if tag == "meta" and found.get("name") == "robots":
            self.robots.append(found.get("content") or "")


def _meta(html: str) -> _Meta:
    parser = _Meta()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("language", ["en", "nl"])
def test_it_describes_every_public_page_search_engines_may_show(client, db, owner, language):
    form = make_form(db, owner)
    make_page(db, owner, form, slug="offer")
    public = ["/", "/login", "/signup", "/password/forgot", "/privacy", "/privacy/acme", "/p/acme/offer"]
    descriptions = {}
    for path in public:
        response = client.get(path, headers={"Accept-Language": language})
        assert response.status_code == 200, path
        meta = _meta(response.text)
        assert not any("noindex" in robots for robots in meta.robots), path
        (descriptions[path],) = meta.descriptions
        assert descriptions[path].strip(), path
    # A page without an SEO description is described by its own text, not by ours.
    assert descriptions["/p/acme/offer"] == {"en": "Offer", "nl": "Aanbieding"}[language]
    assert "Acme Zonwering" in descriptions["/privacy/acme"]
    if language == "nl":
        assert "landingspagina" in descriptions["/"]
    # The form on its own is not for search engines.
    hosted_form = _meta(client.get(f"/f/{form.key}").text)
    assert any("noindex" in robots for robots in hosted_form.robots)


def test_it_tells_crawlers_to_keep_out_of_the_dashboard_only(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "Disallow: /app/" in response.text.splitlines()
    assert "Disallow: /p/" not in response.text and "Disallow: /\n" not in response.text
    assert not response.cookies  # no session or CSRF cookie for a crawler
