"""The intake remembers published forms per process: changes here apply at once, elsewhere within seconds."""

from __future__ import annotations

from sqlalchemy import update

from landform.forms.intake import live
from landform.forms.models import Form
from tests.conftest import make_form, republish
from tests.consent.helpers import submit

SITE = "https://www.example.com"


def test_it_takes_a_newly_published_version_at_once(client, db, owner):
    form = make_form(db, owner)
    assert submit(client, form, {"first_name": "Anna", "email": "anna@example.com"}).status_code == 201
    city = {"name": "city", "type": "text", "required": True, "label": {"nl": "Plaats", "en": "City"}}
    form.fields = [*form.fields, city]
    republish(db, form)
    response = submit(client, form, {"first_name": "Bram", "email": "bram@example.com"})
    assert response.status_code == 422
    assert "city" in response.json()["errors"]


def test_it_sees_a_change_made_by_another_process_within_seconds(client, db, owner, monkeypatch):
    form = make_form(db, owner)
    now = [1000.0]
    monkeypatch.setattr(live.forms, "clock", lambda: now[0])
    answers = {"first_name": "Anna", "email": "anna@example.com"}
    assert submit(client, form, answers, Origin=SITE).status_code == 403
    # Another app server saves the form's settings: a plain connection, which no session event sees.
    db.connection().execute(
        update(Form.__table__).where(Form.__table__.c.id == form.id).values(allowed_origins=[SITE])
    )
    db.commit()
    assert submit(client, form, answers, Origin=SITE).status_code == 403
    now[0] += live.SECONDS + 1
    assert submit(client, form, answers, Origin=SITE).status_code == 201
