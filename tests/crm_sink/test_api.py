"""The JSON API: API keys, finding contacts, server-side submissions, the OpenAPI schema."""

from __future__ import annotations

import re

from sqlalchemy import select

from landform.crm_sink.models import Submission
from tests.conftest import log_in, make_form, post_form, wait_for


def _api_key(client, persona) -> str:
    log_in(client, persona)
    html = post_form(client, "/app/settings/api-keys/", {"name": "CRM sync"}).text
    client.cookies.clear()
    match = re.search(r"(lf_[\w-]{20,})", html)
    assert match, "the new key is shown once"
    return match.group(1)


def test_it_shows_a_new_key_once_and_keeps_only_its_hash(client, db, owner):
    key = _api_key(client, owner)
    log_in(client, owner)
    listing = client.get("/app/settings/api-keys/").text
    assert key not in listing
    assert key[:10] in listing
    from landform.accounts.models import ApiKey

    stored = db.execute(select(ApiKey).execution_options(all_tenants=True)).scalar_one()
    assert key not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64


def test_it_submits_server_side_and_finds_the_contact_by_email(client, db, owner):
    key = _api_key(client, owner)
    form = make_form(db, owner)
    auth = {"Authorization": f"Bearer {key}"}
    response = client.post(
        f"/api/v1/forms/{form.key}/submissions",
        headers=auth,
        json={"first_name": "Ruud", "email": "Ruud@Example.com"},
    )
    assert response.status_code == 201, response.text
    submission_id = response.json()["id"]
    found = wait_for(
        lambda: client.get("/api/v1/contacts", params={"email": "ruud@EXAMPLE.com"}, headers=auth).json()[
            "data"
        ]
    )
    assert found[0]["first_name"] == "Ruud"
    submission = db.execute(select(Submission).execution_options(all_tenants=True)).scalar_one()
    assert str(submission.id) == submission_id
    assert submission.context["source"] == "api"
    one = client.get(f"/api/v1/contacts/{found[0]['id']}", headers=auth)
    assert one.status_code == 200 and one.json()["email"] == "Ruud@example.com"


def test_it_answers_422_per_field_to_a_bad_server_side_submission(client, db, owner):
    key = _api_key(client, owner)
    form = make_form(db, owner)
    response = client.post(
        f"/api/v1/forms/{form.key}/submissions",
        headers={"Authorization": f"Bearer {key}"},
        json={"email": "broken"},
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"first_name", "email"}


def test_it_refuses_missing_wrong_and_revoked_keys(client, db, owner):
    assert client.get("/api/v1/contacts").status_code == 401
    assert client.get("/api/v1/contacts", headers={"Authorization": "Bearer lf_nope"}).status_code == 401
    key = _api_key(client, owner)
    assert client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    log_in(client, owner)
    from landform.accounts.models import ApiKey

    stored = db.execute(select(ApiKey).execution_options(all_tenants=True)).scalar_one()
    post_form(client, f"/app/settings/api-keys/{stored.id}/revoke")
    client.cookies.clear()
    response = client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_it_never_crosses_tenants_through_the_api(client, db, owner, stranger):
    form = make_form(db, owner)
    owner_key = _api_key(client, owner)
    client.post(
        f"/api/v1/forms/{form.key}/submissions",
        headers={"Authorization": f"Bearer {owner_key}"},
        json={"first_name": "Ada", "email": "ada@example.com"},
    )
    contact = wait_for(
        lambda: client.get(
            "/api/v1/contacts",
            params={"email": "ada@example.com"},
            headers={"Authorization": f"Bearer {owner_key}"},
        ).json()["data"]
    )[0]
    stranger_key = _api_key(client, stranger)
    auth = {"Authorization": f"Bearer {stranger_key}"}
    assert (
        client.get("/api/v1/contacts", params={"email": "ada@example.com"}, headers=auth).json()["data"] == []
    )
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=auth).status_code == 404
    response = client.post(
        f"/api/v1/forms/{form.key}/submissions", headers=auth, json={"email": "x@example.com"}
    )
    assert response.status_code == 404


def test_it_validates_query_parameters_with_a_4xx(client, db, owner):
    key = _api_key(client, owner)
    auth = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/contacts", params={"limit": "0"}, headers=auth).status_code == 400
    assert client.get("/api/v1/contacts", params={"limit": "lots"}, headers=auth).status_code == 400
    assert client.get("/api/v1/contacts/not-a-uuid", headers=auth).status_code in (400, 404)


def test_it_serves_the_openapi_schema_of_the_api(client):
    schema = client.get("/api/v1/schema/openapi.json").json()
    assert "/api/v1/contacts" in schema["paths"]
    assert "/api/v1/forms/{form_key}/submissions" in schema["paths"]
    assert not any(path.startswith("/app") for path in schema["paths"])


def test_it_reports_health(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
