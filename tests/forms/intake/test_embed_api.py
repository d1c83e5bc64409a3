"""What the embed script relies on: the definition, CORS for allowed websites only, and the script itself."""

from __future__ import annotations

import hashlib
from base64 import b64encode

from sqlalchemy import func, select

from landform.crm_sink.models import Submission
from tests.conftest import log_in, make_form

SITE = "https://www.acme-zonwering.example"


def _allow(db, form, *origins):
    form.allowed_origins = list(origins)
    db.commit()


def test_it_serves_the_definition_to_allowed_websites_only(client, db, owner):
    form = make_form(db, owner)
    _allow(db, form, SITE)
    response = client.get(f"/f/{form.key}/embed", headers={"Origin": SITE, "Accept-Language": "nl"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SITE
    body = response.json()
    assert body["action"].endswith(f"/f/{form.key}")
    assert [f["label"] for f in body["fields"]][:3] == ["Voornaam", "Achternaam", "E-mailadres"]
    assert body["token"] and body["honeypot"] and "set-cookie" not in response.headers
    refused = client.get(f"/f/{form.key}/embed", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    # The refused website may read why (for its console), and nothing of the form.
    assert refused.headers["access-control-allow-origin"] == "https://evil.example"
    assert set(refused.json()) == {"refused", "hosted_url"}
    assert "https://evil.example" in refused.json()["refused"]


def test_it_accepts_submissions_from_allowed_websites_only(client, db, owner):
    form = make_form(db, owner)
    _allow(db, form, SITE)
    token = client.get(f"/f/{form.key}/embed", headers={"Origin": SITE}).json()["token"]
    accepted = client.post(
        f"/f/{form.key}",
        data={"first_name": "Em", "email": "em@example.com", "_lf_token": token},
        headers={"Origin": SITE, "Accept": "application/json"},
    )
    assert accepted.status_code == 201
    assert accepted.headers["access-control-allow-origin"] == SITE
    refused = client.post(
        f"/f/{form.key}",
        data={"first_name": "Ev", "email": "ev@example.com", "_lf_token": token},
        headers={"Origin": "https://evil.example", "Accept": "application/json"},
    )
    assert refused.status_code == 403
    submissions = db.execute(select(Submission).execution_options(all_tenants=True)).scalars().all()
    assert [(s.context["source"], s.context["embed_host"]) for s in submissions] == [("embed", SITE)]


def test_it_needs_no_preflight_for_the_embed_scripts_simple_requests(client, db, owner):
    # The embed posts form data with Accept: application/json, a CORS "simple request": no OPTIONS round trip.
    form = make_form(db, owner)
    _allow(db, form, SITE)
    token = client.get(f"/f/{form.key}/embed", headers={"Origin": SITE}).json()["token"]
    response = client.post(
        f"/f/{form.key}",
        content=f"first_name=S&email=s%40example.com&_lf_token={token}",
        headers={"Origin": SITE, "Accept": "application/json", "Content-Type": "text/plain"},
    )
    assert response.status_code == 201


def test_it_serves_the_embed_script_cacheable_with_integrity(client, db, owner):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "max-age" in response.headers["cache-control"]
    assert response.headers["access-control-allow-origin"] == "*"
    again = client.get("/embed.js", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    integrity = "sha384-" + b64encode(hashlib.sha384(response.content).digest()).decode()
    form = make_form(db, owner)
    log_in(client, owner)
    assert integrity in client.get(f"/app/forms/{form.id}").text


def test_it_hides_unpublished_forms_and_changes_until_published(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    client.post(
        f"/app/forms/{form.id}/fields",
        data={
            "_csrf_token": client.cookies["landform_csrf"],
            "type": "company_name",
            "label_nl": "Bedrijf",
            "label_en": "Company",
        },
    )
    assert "Company" not in client.get(f"/f/{form.key}").text  # the draft is not live
    assert "Company" in client.get(f"/app/forms/{form.id}/preview").text
    client.post(f"/app/forms/{form.id}/publish", data={"_csrf_token": client.cookies["landform_csrf"]})
    assert "Company" in client.get(f"/f/{form.key}").text
    token = client.get(f"/f/{form.key}/embed").json()["token"]
    client.post(
        f"/f/{form.key}",
        json={"first_name": "V", "email": "v@example.com", "company": "Acme", "_lf_token": token},
    )
    submission = db.execute(select(Submission).execution_options(all_tenants=True)).scalar_one()
    assert submission.form_version == 2
    assert submission.contact_fields["company_name"] == "Acme"
    assert db.execute(select(func.count(Submission.id)).execution_options(all_tenants=True)).scalar() == 1


def test_it_refuses_special_category_fields_in_the_builder(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    response = client.post(
        f"/app/forms/{form.id}/fields",
        data={
            "_csrf_token": client.cookies["landform_csrf"],
            "type": "select",
            "label_nl": "Geloof",
            "label_en": "Faith",
            "options": "Christelijk | Christian\nIslamitisch | Muslim",
        },
    )
    assert response.status_code == 422
    assert "special categories" in response.text
    assert 'value="Geloof"' in response.text  # what was typed stays to be rephrased
