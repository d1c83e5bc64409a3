"""The JSON API for contacts, companies, submissions and activities: cursors, filters, rate limits."""

from __future__ import annotations

from litestar.testing import TestClient

from landform.core.settings import get_settings
from tests.conftest import form_token, make_form, wait_for
from tests.crm_sink.helpers import make_company, make_contact, make_many
from tests.crm_sink.test_api import _api_key


def _walk(client, url: str, auth: dict[str, str], **params) -> list[dict]:
    seen: list[dict] = []
    cursor = ""
    for _ in range(50):
        page = client.get(url, headers=auth, params={**params, "cursor": cursor}).json()
        seen += page["data"]
        cursor = page["next_cursor"]
        if not cursor:
            return seen
    raise AssertionError("the cursor never ended")


def test_it_pages_contacts_by_cursor_and_filters_them(client, db, owner):
    make_many(db, owner, 120)
    make_contact(db, owner, "tagged@example.com", tags=("fair",), do_not_contact=True)
    auth = {"Authorization": f"Bearer {_api_key(client, owner)}"}
    everyone = _walk(client, "/api/v1/contacts", auth, limit=50)
    assert len(everyone) == 121 and len({c["id"] for c in everyone}) == 121
    tagged = client.get("/api/v1/contacts", headers=auth, params={"tag": "fair"}).json()
    assert [c["email"] for c in tagged["data"]] == ["tagged@example.com"] and tagged["data"][0]["tags"] == [
        "fair"
    ]
    assert client.get("/api/v1/contacts", headers=auth, params={"consent": "dnc"}).json()["total"] == 1
    by_offset = [
        contact
        for offset in range(0, 150, 40)
        for contact in client.get(
            "/api/v1/contacts", headers=auth, params={"offset": offset, "limit": 40}
        ).json()["data"]
    ]
    assert [c["id"] for c in by_offset] == [c["id"] for c in everyone]  # the same order as the cursor's
    bad = client.get("/api/v1/contacts", headers=auth, params={"cursor": "%%%"})
    assert bad.status_code == 400 and bad.json()["detail"]


def test_it_serves_companies_submissions_and_activities(client, db, owner, stranger):
    form = make_form(db, owner)
    make_company(db, owner, "Zonnig BV", kvk_number="12345678")
    theirs = make_company(db, stranger, "Globex BV")
    token = form_token(client, f"/f/{form.key}")
    client.post(f"/f/{form.key}", json={"first_name": "Ada", "email": "ada@example.com", "_lf_token": token})
    auth = {"Authorization": f"Bearer {_api_key(client, owner)}"}
    companies = client.get("/api/v1/companies", headers=auth, params={"kvk_number": "12345678"}).json()
    assert [c["name"] for c in companies["data"]] == ["Zonnig BV"]
    assert client.get(f"/api/v1/companies/{theirs.id}", headers=auth).status_code == 404
    submissions = wait_for(lambda: client.get("/api/v1/submissions", headers=auth).json()["data"])
    assert submissions[0]["data"]["first_name"] == "Ada"
    one = client.get(f"/api/v1/submissions/{submissions[0]['id']}", headers=auth).json()
    assert one["form_id"] == str(form.id)
    activities = wait_for(lambda: client.get("/api/v1/activities", headers=auth).json()["data"])
    contact_id = activities[0]["contact_id"]
    timeline = client.get(f"/api/v1/contacts/{contact_id}/activities", headers=auth).json()
    assert timeline["data"][0]["submission_id"] == submissions[0]["id"]


def test_it_describes_every_endpoint_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/contacts",
        "/api/v1/contacts/{contact_id}/activities",
        "/api/v1/companies",
        "/api/v1/companies/{company_id}",
        "/api/v1/submissions",
        "/api/v1/activities",
    ):
        assert path in paths, path


def test_it_limits_requests_per_key_with_headers_and_a_json_429(settings, db, owner, stranger, monkeypatch):
    monkeypatch.setenv("LANDFORM_API_LIMIT_PER_KEY", "3")
    get_settings.cache_clear()
    from landform.app import create_app

    with TestClient(create_app(get_settings()), base_url="http://testserver.local") as client:
        auth = {"Authorization": f"Bearer {_api_key(client, owner)}"}
        other = {"Authorization": f"Bearer {_api_key(client, stranger)}"}
        first = client.get("/api/v1/contacts", headers=auth)
        assert first.status_code == 200
        assert first.headers["ratelimit-limit"] and first.headers["ratelimit-remaining"] == "2"
        client.get("/api/v1/contacts", headers=auth)
        client.get("/api/v1/contacts", headers=auth)
        limited = client.get("/api/v1/contacts", headers=auth)
        assert limited.status_code == 429
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert limited.json()["status"] == 429 and int(limited.headers["retry-after"]) >= 0
        assert client.get("/api/v1/contacts", headers=other).status_code == 200  # another key has its own


def test_it_counts_contacts_up_to_a_cap_and_says_when_there_are_more(client, db, owner, monkeypatch):
    from landform.crm_sink.contacts import search

    fields = client.get("/api/v1/schema/openapi.json").json()["components"]["schemas"]["ContactPage"]
    assert "10,000" in fields["properties"]["total"]["description"]
    make_many(db, owner, 30)
    auth = {"Authorization": f"Bearer {_api_key(client, owner)}"}
    monkeypatch.setattr(search, "COUNT_CAP", 25)
    page = client.get("/api/v1/contacts", headers=auth, params={"limit": 10}).json()
    assert (page["total"], page["total_capped"]) == (25, True)
    monkeypatch.setattr(search, "COUNT_CAP", 30)
    page = client.get("/api/v1/contacts", headers=auth, params={"limit": 10}).json()
    assert (page["total"], page["total_capped"]) == (30, False)
    too_deep = client.get("/api/v1/contacts", headers=auth, params={"offset": 10_001})
    assert too_deep.status_code == 400 and "offset" in too_deep.text


def test_it_searches_names_addresses_and_companies_by_any_part(client, db, owner, stranger):
    make_contact(db, owner, "ada@analytical.example", first_name="Ada", last_name="Lovelace")
    make_contact(db, owner, "grace@navy.example", first_name="Grace", company_name="Harvard Mark")
    make_contact(db, stranger, "ada@elsewhere.example", first_name="Ada", last_name="Lovelace")
    auth = {"Authorization": f"Bearer {_api_key(client, owner)}"}

    def found(q: str) -> list[str]:
        page = client.get("/api/v1/contacts", headers=auth, params={"q": q}).json()
        assert page["total"] == len(page["data"])  # the other tenant's Ada is not counted either
        return [contact["email"] for contact in page["data"]]

    assert found("ada lovel") == ["ada@analytical.example"]
    assert found("LYTICAL") == ["ada@analytical.example"]
    assert found("vard ma") == ["grace@navy.example"]
    assert found("100%_") == []
