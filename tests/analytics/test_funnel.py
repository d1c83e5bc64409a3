"""The drop-off funnel: per form and step, cookieless counts of views, starts, steps and submissions."""

from __future__ import annotations

import re

from tests.analytics.test_analytics import PERSON, flush
from tests.conftest import form_token, log_in, make_form, republish


def _stepped(db, owner):
    form = make_form(db, owner, "Quote")
    first, last, email = form.fields
    form.fields = [
        first,
        {"name": "contact", "type": "step", "label": {"nl": "Contact", "en": "Contact"}},
        last,
        email,
    ]
    republish(db, form)
    return form


def test_it_shows_where_visitors_drop_off(client, db, owner):
    form = _stepped(db, owner)
    for name in ("Ada", "Bo", ""):
        token = form_token(client, f"/f/{form.key}")
        assert client.post(f"/f/{form.key}/start", headers=PERSON).status_code == 204
        step = {"_step": "", "first_name": name, "_lf_token": token}
        client.post(f"/f/{form.key}", json=step, headers={**PERSON, "Accept": "application/json"})
    final = {**step, "first_name": "Ada", "_step": "contact", "email": "ada@example.com"}
    assert client.post(f"/f/{form.key}", json=final, headers=PERSON).status_code == 201
    flush(client)

    log_in(client, owner)
    page = client.get(f"/app/analytics/?days=7&form={form.id}").text
    funnel = re.search(r'<ol class="funnel">(.*?)</ol>', page, re.S)
    assert funnel, "no funnel on the form's report"
    stages = re.findall(r'funnel-label">([^<]+)<.*?<strong>(\d+)</strong>', funnel.group(1), re.S)
    assert stages == [("Views", "3"), ("Started", "3"), ("Step 1 done", "2"), ("Submitted", "1")]


def test_it_shows_no_funnel_for_all_forms_together(client, db, owner):
    _stepped(db, owner)
    log_in(client, owner)
    assert 'class="funnel"' not in client.get("/app/analytics/?days=7").text
