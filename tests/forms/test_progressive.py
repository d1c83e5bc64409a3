"""Progressive forms: returning visitors who allowed functional cookies are not asked the same again."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from landform.consent import cookies
from landform.crm_sink.models import Contact
from landform.forms import progressive
from tests.conftest import form_token, log_in, make_form, make_page, post_form, republish, wait_for

FUNCTIONAL = cookies.choose("some", ["functional"], 1, gpc=False).cookie_value()


def _progressive_form(db: Any, owner: Any) -> Any:
    form = make_form(db, owner)
    form.fields = [
        *form.fields,
        {"name": "phone", "type": "phone", "required": True, "label": {"nl": "Telefoon", "en": "Phone"}},
        {
            "name": "job",
            "type": "text",
            "maps_to": "job_title",
            "required": True,
            "progressive": True,
            "label": {"nl": "Functie", "en": "Job title"},
        },
        {
            "name": "company",
            "type": "company_name",
            "required": False,
            "progressive": True,
            "label": {"nl": "Bedrijf", "en": "Company"},
        },
    ]
    republish(db, form)
    return form


def _asked(html: str) -> set[str]:
    start = html.index('action="/f/')
    form = html[start : html.index("</form>", start)]
    return set(re.findall(r'<(?:input|select|textarea)[^>]*name="([a-z_]+)"', form)) - {
        "_lf_token",
        "lf_website",
        "website",
    }


def _send(client: Any, form: Any, page_url: str, answers: dict[str, str]) -> Any:
    token = form_token(client, page_url)
    return client.post(
        f"/f/{form.key}", data={**answers, "_lf_token": token}, headers={"Accept": "text/html"}
    )


def test_a_returning_visitor_gets_the_queued_questions_instead_of_known_ones(client, db, owner):
    form = _progressive_form(db, owner)
    page = make_page(db, owner, form)
    url = f"/p/acme/{page.slug}"
    client.cookies.set(cookies.COOKIE_NAME, FUNCTIONAL, domain="testserver.local", path="/p/acme")

    first = client.get(url).text
    assert {"first_name", "last_name", "email", "phone"} <= _asked(first)
    assert not {"job", "company"} & _asked(first)
    response = _send(
        client,
        form,
        url,
        {"first_name": "Kees", "last_name": "Jansen", "email": "kees@example.nl", "phone": "0612345678"},
    )
    assert response.status_code == 200
    remembered = response.cookies.get(progressive.cookie_name(owner.tenant_id))
    assert remembered and "Kees" not in remembered and "0612345678" not in remembered

    again = client.get(url).text
    assert _asked(again) >= {"email", "job", "company"}
    assert not {"first_name", "last_name", "phone"} & _asked(again)
    response = _send(client, form, url, {"email": "kees@example.nl", "job": "Inkoper", "company": "Zon BV"})
    assert response.status_code == 200, response.text

    def contact() -> Contact | None:
        db.expire_all()
        found = db.execute(select(Contact).execution_options(all_tenants=True)).scalar_one_or_none()
        return found if found is not None and found.job_title else None

    kees = wait_for(contact)
    assert (kees.first_name, kees.phone, kees.job_title) == ("Kees", "+31612345678", "Inkoper")


def test_without_functional_consent_nothing_is_remembered(client, db, owner):
    form = _progressive_form(db, owner)
    page = make_page(db, owner, form)
    url = f"/p/acme/{page.slug}"
    response = _send(
        client, form, url, {"first_name": "Kees", "email": "kees@example.nl", "phone": "0612345678"}
    )
    assert response.status_code == 200
    assert not any(name.startswith(progressive.COOKIE_PREFIX) for name in response.cookies)
    assert {"first_name", "phone"} <= _asked(client.get(url).text)


def test_a_token_cannot_be_used_to_skip_required_questions(client, db, owner):
    form = _progressive_form(db, owner)
    # The hosted form (no page, no cookies) asks everything but the queued questions.
    token = form_token(client, f"/f/{form.key}")
    response = client.post(
        f"/f/{form.key}", json={"email": "kees@example.nl", "first_name": "Kees", "_lf_token": token}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"phone"}


def test_a_known_cookie_of_another_tenant_or_forged_is_ignored(db, owner, stranger):
    value = progressive.known_cookie_value(stranger.tenant_id, frozenset({"first_name"}))
    assert progressive.read_known(value, owner.tenant_id) == frozenset()
    assert progressive.read_known(value + "x", stranger.tenant_id) == frozenset()
    assert progressive.read_known(value, stranger.tenant_id) == {"first_name"}


def test_the_builder_queues_questions_but_never_the_email_field(client, db, owner):
    form = make_form(db, owner)
    log_in(client, owner)
    refused = post_form(
        client,
        f"/app/forms/{form.id}/fields",
        {"type": "email", "label_nl": "Werk-e-mail", "label_en": "Work e-mail", "progressive": "on"},
    )
    assert refused.status_code == 422 and "asked every time" in refused.text
    added = post_form(
        client,
        f"/app/forms/{form.id}/fields",
        {"type": "text", "label_nl": "Functie", "label_en": "Job title", "progressive": "on"},
        follow_redirects=False,
    )
    assert added.status_code in (200, 302, 303)
    db.expire_all()
    assert db.get(type(form), form.id).fields[-1]["progressive"] is True
