"""POST /f/{form_key}: accepted, validated, stored with its routing job, and routed into the CRM."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import func, select

from landform.billing.models import Subscription
from landform.core.jobs.models import OutboxJob
from landform.crm_sink.models import Activity, Contact, Submission
from tests.conftest import POSTGRES_ADMIN_URL, form_token, make_form, make_page, republish, wait_for

JSON = {"Accept": "application/json"}


def _contact(db, email_key):
    db.expire_all()
    return db.execute(
        select(Contact).where(Contact.email_key == email_key).execution_options(all_tenants=True)
    ).scalar_one_or_none()


def test_it_routes_a_json_submission_into_one_contact(client, db, owner):
    form = make_form(db, owner)
    token = form_token(client, f"/f/{form.key}")
    response = client.post(
        f"/f/{form.key}",
        json={
            "first_name": "Anna",
            "last_name": "de Boer",
            "email": "Anna.deBoer@Example.com",
            "_lf_token": token,
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "accepted"
    contact = wait_for(lambda: _contact(db, "anna.deboer@example.com"))
    assert (contact.first_name, contact.last_name, contact.tenant_id) == ("Anna", "de Boer", owner.tenant_id)
    activity = wait_for(
        lambda: db.execute(select(Activity).execution_options(all_tenants=True)).scalar_one_or_none()
    )
    assert activity.contact_id == contact.id
    job = db.execute(select(OutboxJob)).scalar_one()
    assert wait_for(lambda: (db.expire_all(), db.get(OutboxJob, job.id).done_at)[1])


def test_it_merges_a_second_submission_with_the_same_address(client, db, owner):
    form = make_form(db, owner)
    for first_name, email in (("Anna", "anna@example.com"), ("Annie", " ANNA@example.com ")):
        token = form_token(client, f"/f/{form.key}")
        response = client.post(
            f"/f/{form.key}", json={"first_name": first_name, "email": email, "_lf_token": token}
        )
        assert response.status_code == 201
    wait_for(
        lambda: db.execute(select(func.count(Activity.id)).execution_options(all_tenants=True)).scalar() == 2
    )
    contacts = db.execute(select(Contact).execution_options(all_tenants=True)).scalars().all()
    assert len(contacts) == 1
    assert contacts[0].first_name == "Annie"


def test_it_answers_422_per_field_and_stores_nothing(client, db, owner):
    form = make_form(db, owner)
    token = form_token(client, f"/f/{form.key}")
    response = client.post(
        f"/f/{form.key}", json={"first_name": "", "email": "not-an-address", "_lf_token": token}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"first_name", "email"}
    assert "e-mail" in errors["email"]
    assert db.execute(select(func.count(Submission.id)).execution_options(all_tenants=True)).scalar() == 0


def test_it_renders_errors_into_the_form_keeping_what_was_typed(client, db, owner):
    form = make_form(db, owner)
    token = form_token(client, f"/f/{form.key}")
    response = client.post(
        f"/f/{form.key}",
        data={"first_name": "Kees", "email": "kees@", "_lf_token": token},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 422
    assert 'value="Kees"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "valid e-mail address" in response.text


def test_it_shows_the_thank_you_message_in_the_visitors_language(client, db, owner):
    form = make_form(db, owner)
    page = make_page(db, owner, form)
    token = form_token(client, f"/p/acme/{page.slug}?lang=nl")
    response = client.post(
        f"/f/{form.key}",
        data={"first_name": "Kees", "email": "kees@example.nl", "_lf_token": token},
        headers={"Accept": "text/html", "Accept-Language": "nl-NL,nl;q=0.9"},
    )
    assert response.status_code == 200
    assert "Bedankt!" in response.text
    submission = db.execute(select(Submission).execution_options(all_tenants=True)).scalar_one()
    assert submission.page_id == page.id
    assert submission.context["source"] == "page"
    assert submission.context["language"] == "nl"


def test_it_redirects_to_the_thank_you_address_when_one_is_set(client, db, owner):
    form = make_form(db, owner)
    form.redirect_url = "https://acme.example.com/bedankt"
    republish(db, form)
    token = form_token(client, f"/f/{form.key}")
    response = client.post(
        f"/f/{form.key}",
        data={"first_name": "Kees", "email": "kees@example.nl", "_lf_token": token},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "https://acme.example.com/bedankt"


def test_it_keeps_utm_parameters_from_the_page_address(client, db, owner):
    form = make_form(db, owner)
    form.fields = [
        *form.fields,
        {
            "name": "utm_campaign",
            "type": "hidden",
            "source": "utm_campaign",
            "label": {"nl": "utm_campaign", "en": "utm_campaign"},
        },
    ]
    republish(db, form)
    page = make_page(db, owner, form)
    html = client.get(f"/p/acme/{page.slug}?utm_campaign=spring%3Csale").text
    assert 'name="utm_campaign" value="spring&lt;sale"' in html
    token = form_token(client, f"/p/acme/{page.slug}")
    client.post(
        f"/f/{form.key}",
        json={"first_name": "Kees", "email": "k@example.nl", "utm_campaign": "spring", "_lf_token": token},
    )
    submission = db.execute(select(Submission).execution_options(all_tenants=True)).scalar_one()
    assert submission.context["utm_campaign"] == "spring"


def test_it_quietly_drops_a_filled_honeypot(client, db, owner):
    form = make_form(db, owner)
    token = form_token(client, f"/f/{form.key}")
    response = client.post(
        f"/f/{form.key}",
        json={
            "first_name": "Bot",
            "email": "bot@example.com",
            "homepage_url": "http://spam.example",
            "_lf_token": token,
        },
    )
    assert response.status_code == 201  # the bot learns nothing
    assert db.execute(select(func.count(Submission.id)).execution_options(all_tenants=True)).scalar() == 0


def test_it_drops_submissions_without_a_genuine_token(client, db, owner):
    form = make_form(db, owner)
    other = make_form(db, owner, "Other")
    for token in ("forged.token.value", form_token(client, f"/f/{other.key}")):
        body = {"first_name": "Bot", "email": "bot@example.com", "_lf_token": token}
        assert client.post(f"/f/{form.key}", json=body).status_code == 201
    # Without any token it might be a person whose page lost it: asked for a proof of work instead.
    assert client.post(f"/f/{form.key}", json={"email": "bot@example.com"}).status_code == 403
    assert db.execute(select(func.count(Submission.id)).execution_options(all_tenants=True)).scalar() == 0


def test_it_drops_a_submission_faster_than_a_person_types(client, db, owner, monkeypatch, settings):
    from landform.core.settings import get_settings

    monkeypatch.setenv("LANDFORM_FORM_MIN_SECONDS", "1.5")
    get_settings.cache_clear()
    form = make_form(db, owner)
    token = form_token(client, f"/f/{form.key}")
    client.post(
        f"/f/{form.key}", json={"first_name": "Quick", "email": "quick@example.com", "_lf_token": token}
    )
    assert db.execute(select(func.count(Submission.id)).execution_options(all_tenants=True)).scalar() == 0
    time.sleep(1.6)
    client.post(
        f"/f/{form.key}", json={"first_name": "Human", "email": "human@example.com", "_lf_token": token}
    )
    assert db.execute(select(func.count(Submission.id)).execution_options(all_tenants=True)).scalar() == 1


def test_it_answers_404_for_an_unknown_form(client):
    response = client.post("/f/no-such-form", json={"email": "a@example.com"}, headers=JSON)
    assert response.status_code == 404


def test_it_answers_4xx_not_500_to_malformed_bodies(client, db, owner):
    form = make_form(db, owner)
    url = f"/f/{form.key}"
    cases = [
        (b"{not json", {"Content-Type": "application/json"}, 400),
        (b"[1, 2]", {"Content-Type": "application/json"}, 400),
        (b'{"email": ["a", "b"]}', {"Content-Type": "application/json"}, 422),
        (b"email=%FF%FE", {"Content-Type": "application/x-www-form-urlencoded"}, 400),
        (b"<xml/>", {"Content-Type": "application/xml"}, 415),
        (b"x" * (70 * 1024), {"Content-Type": "application/x-www-form-urlencoded"}, 413),
    ]
    for body, headers, status in cases:
        response = client.post(url, content=body, headers={**headers, **JSON})
        assert response.status_code == status, (body[:20], response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/")


def test_it_sets_no_cookie_on_hosted_pages_and_forms(client, db, owner):
    form = make_form(db, owner)
    page = make_page(db, owner, form)
    client.cookies.clear()
    for response in (client.get(f"/p/acme/{page.slug}"), client.get(f"/f/{form.key}")):
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"]
    token = form_token(client, f"/f/{form.key}")
    response = client.post(
        f"/f/{form.key}", data={"first_name": "A", "email": "a@example.com", "_lf_token": token}
    )
    assert "set-cookie" not in response.headers


def test_it_shows_errors_on_the_landing_page_itself(client, db, owner):
    form = make_form(db, owner)
    page = make_page(db, owner, form)
    token = form_token(client, f"/p/acme/{page.slug}?lang=en")
    response = client.post(
        f"/f/{form.key}",
        data={"first_name": "Kees", "email": "kees@", "_lf_token": token},
        headers={"Accept": "text/html", "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "Our offer" in response.text  # the page's own headline, not a bare form
    assert 'value="Kees"' in response.text and "valid e-mail address" in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_it_stores_a_lead_sent_after_the_database_dropped_the_apps_connections(client, db, owner):
    """A PostgreSQL restart or failover closes every pooled connection: the next lead must not be refused."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("the pool's connections to PostgreSQL")
    db.add(
        Subscription(tenant_id=owner.tenant_id, plan="business", status="active")
    )  # no lead limit to count
    db.commit()
    form = make_form(db, owner)

    def send(email: str) -> int:
        token = form_token(client, f"/f/{form.key}")
        return client.post(
            f"/f/{form.key}", json={"first_name": "Anna", "email": email, "_lf_token": token}, headers=JSON
        ).status_code

    assert send("before@example.com") == 201
    database = db.get_bind().url.database
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        dropped = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchone()
    assert dropped and dropped[0] >= 1
    time.sleep(0.2)  # the app's event loop sees its sockets close

    assert send("after@example.com") == 201
    assert wait_for(lambda: _contact(db, "after@example.com"))
