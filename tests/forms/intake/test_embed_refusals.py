"""Websites refused an embed: recorded for the dashboard (capped, throttled), allowed or dismissed there."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from landform.forms import embed_refusals
from landform.forms.models import EmbedRefusal, Form
from tests.conftest import log_in, make_form, post_form

SITE = "https://www.example.nl"


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed_refusals, "_written", {})


def _refusals(db) -> list[EmbedRefusal]:
    db.expire_all()
    query = select(EmbedRefusal).order_by(EmbedRefusal.created_at).execution_options(all_tenants=True)
    return list(db.execute(query).scalars())


def test_a_refused_website_is_told_which_setting_allows_it_and_the_dashboard_offers_to(client, db, owner):
    form = make_form(db, owner)
    response = client.get(f"/f/{form.key}/embed", headers={"Origin": SITE, "Accept-Language": "en"})
    assert response.status_code == 403
    assert response.json()["refused"] == (
        f"this form does not allow embedding on {SITE}; add the address under "
        "“Websites that may embed this form” in the form's settings"
    )
    assert response.json()["hosted_url"].endswith(f"/f/{form.key}")
    nl = client.get(f"/f/{form.key}/embed", headers={"Origin": SITE, "Accept-Language": "nl"})
    assert "Websites die dit formulier mogen insluiten" in nl.json()["refused"]
    embed_refusals._written.clear()  # a minute later
    client.get(f"/f/{form.key}/embed", headers={"Origin": SITE})
    [refusal] = _refusals(db)
    assert (refusal.origin, refusal.attempts, refusal.form_id) == (SITE, 2, form.id)
    assert refusal.last_seen_at >= refusal.created_at

    log_in(client, owner)
    for screen in (f"/app/forms/{form.id}", "/app/forms/"):
        assert f"Refused on {SITE}: allow it?" in client.get(screen, headers={"Accept-Language": "en"}).text


def test_the_same_website_is_counted_once_a_minute_per_process(client, db, owner, monkeypatch):
    form = make_form(db, owner)
    for _ in range(5):
        client.get(f"/f/{form.key}/embed", headers={"Origin": SITE})
    assert [r.attempts for r in _refusals(db)] == [1]


def test_it_keeps_at_most_a_cap_of_websites_per_form_and_ignores_made_up_origins(
    client, db, owner, monkeypatch
):
    monkeypatch.setattr(embed_refusals, "CAP", 3)
    form = make_form(db, owner)
    for n in range(6):
        assert (
            client.get(f"/f/{form.key}/embed", headers={"Origin": f"https://s{n}.example"}).status_code == 403
        )
    for junk in ("https://x.example/path", "javascript:alert(1)", "https://" + "a" * 300 + ".example"):
        client.get(f"/f/{form.key}/embed", headers={"Origin": junk})
    assert [r.origin for r in _refusals(db)] == [
        "https://s0.example",
        "https://s1.example",
        "https://s2.example",
    ]


def test_allow_adds_the_website_and_dismiss_stops_offering_it(client, db, owner, marketer, sales_rep):
    form = make_form(db, owner)
    for origin in (SITE, "https://spam.example"):
        client.get(f"/f/{form.key}/embed", headers={"Origin": origin})
    allowed, dismissed = _refusals(db)

    log_in(client, sales_rep)
    assert post_form(client, f"/app/forms/{form.id}/refusals/{allowed.id}/allow").status_code == 403

    log_in(client, marketer)
    # Without the CSRF token nothing happens.
    assert client.post(f"/app/forms/{form.id}/refusals/{allowed.id}/allow").status_code == 403
    response = post_form(
        client, f"/app/forms/{form.id}/refusals/{allowed.id}/allow", {"back": "form"}, follow_redirects=False
    )
    assert response.headers["location"] == f"/app/forms/{form.id}#embed"
    response = post_form(
        client, f"/app/forms/{form.id}/refusals/{dismissed.id}/dismiss", follow_redirects=False
    )
    assert response.headers["location"] == "/app/forms/"
    db.expire_all()
    assert db.get(Form, form.id).allowed_origins == [SITE]
    assert [(r.origin, r.dismissed_at is not None) for r in _refusals(db)] == [("https://spam.example", True)]
    assert client.get(f"/f/{form.key}/embed", headers={"Origin": SITE}).status_code == 200
    client.get("/app/forms/")  # the flash message is shown once
    text = client.get("/app/forms/").text
    assert "spam.example" not in text and "allow it?" not in text
    # Answered twice: said so, no error.
    again = post_form(client, f"/app/forms/{form.id}/refusals/{dismissed.id}/allow")
    assert again.status_code == 200 and db.get(Form, form.id).allowed_origins == [SITE]


def test_a_website_allowed_in_the_settings_is_no_longer_shown_as_refused(client, db, owner):
    form = make_form(db, owner)
    client.get(f"/f/{form.key}/embed", headers={"Origin": SITE})
    log_in(client, owner)
    assert f"Refused on {SITE}: allow it?" in client.get(f"/app/forms/{form.id}").text

    post_form(client, f"/app/forms/{form.id}/settings", {"name": form.name, "allowed_origins": SITE})
    assert client.get(f"/f/{form.key}/embed", headers={"Origin": SITE}).status_code == 200
    assert "allow it?" not in client.get(f"/app/forms/{form.id}").text
    assert "allow it?" not in client.get("/app/forms/").text


def test_another_tenant_cannot_answer_a_refusal(client, db, owner, stranger):
    form = make_form(db, owner)
    client.get(f"/f/{form.key}/embed", headers={"Origin": SITE})
    [refusal] = _refusals(db)
    log_in(client, stranger)
    assert post_form(client, f"/app/forms/{form.id}/refusals/{refusal.id}/allow").status_code == 404
    assert "example.nl" not in client.get("/app/forms/").text
    db.expire_all()
    assert db.get(Form, form.id).allowed_origins == []
