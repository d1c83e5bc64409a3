"""The dashboard's overview for a new account: templates first, and a checklist that ticks itself off."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from landform.accounts.models import Tenant
from landform.forms.models import Form
from landform.site.models import Page
from tests.conftest import log_in, post_form

EN = {"Accept-Language": "en-GB,en;q=0.8"}


def _overview(client: Any) -> str:
    response = client.get("/app", headers=EN)
    assert response.status_code == 200
    return str(response.text)


def _done(text: str) -> list[str]:
    """The titles of the ticked steps."""
    return re.findall(
        r'<li class="done">\s*<span class="check-mark"[^>]*>✓</span>\s*<span class="check-text">\s*'
        r'(?:<a href="[^"]*"[^>]*>|<strong>)([^<]+)<',
        text,
    )


def test_a_new_account_is_offered_templates_and_a_checklist_that_ticks_itself_off(client, db, owner):
    log_in(client, owner)
    text = _overview(client)
    assert "Start with a template" in text
    assert (
        text.index("Start with a template")
        < text.index("Getting started")
        < text.index("Submissions, last 7 days")
    )
    assert 'href="/app/pages/new?template=event"' in text
    assert "0 of 6 done" in text and _done(text) == []
    for link in ("/app/forms/new", "/app/pages/new", "/app/team/", "/app/routing/#fallback"):
        assert f'href="{link}"' in text
    assert "Hide this list" not in text

    post_form(client, "/app/forms/new", {"starter": "blank", "name": "Contact"})
    text = _overview(client)
    assert _done(text) == ["Create a form"]
    form = db.execute(select(Form).execution_options(all_tenants=True)).scalar_one()
    assert f'href="/app/forms/{form.id}#embed"' in text  # the embed step opens the snippet, not the builder

    post_form(client, "/app/pages/new", {})  # nothing happens on a wrong route: the step reads real state
    post_form(client, "/app/pages/start", {"starter": "event"})
    text = _overview(client)
    assert _done(text) == ["Create a form", "Create a page"]
    assert "Start with a template" not in text  # offered until the first page exists
    page = db.execute(select(Page).execution_options(all_tenants=True)).scalar_one()
    assert f'href="/app/pages/{page.id}"' in text  # where it is published

    post_form(client, f"/app/pages/{page.id}/publish")
    assert "Publish a page" in _done(_overview(client))

    post_form(
        client,
        f"/app/forms/{page.form_id}/settings",
        {"name": "Webinar", "allowed_origins": "https://www.acme.example.com"},
    )
    assert "Embed a form on your website" in _done(_overview(client))

    post_form(client, "/app/team/invite", {"email": "colleague@acme.example.com", "role": "marketer"})
    assert "Invite your team" in _done(_overview(client))

    post_form(client, "/app/routing/fallback", {"user_id": str(owner.user_id)})
    text = _overview(client)
    assert "6 of 6 done" in text and len(_done(text)) == 6
    assert "All set" in text and "Hide this list" in text

    post_form(client, "/app/getting-started/hide")
    text = _overview(client)
    assert "Getting started" not in text and "Submissions, last 7 days" in text
    db.expire_all()
    tenant = db.execute(select(Tenant).where(Tenant.id == owner.tenant_id)).scalar_one()
    assert tenant.getting_started_hidden_at is not None


def test_the_checklist_stays_until_every_step_is_done(client, db, owner):
    log_in(client, owner)
    refused = post_form(client, "/app/getting-started/hide", headers=EN)
    assert "The checklist can be hidden once every step is done." in refused.text
    assert "Getting started" in _overview(client)


def test_a_marketer_is_told_who_does_the_owners_steps_and_a_sales_rep_sees_no_checklist(
    client, owner, marketer, sales_rep
):
    log_in(client, marketer)
    text = _overview(client)
    assert "Getting started" in text and text.count("An owner or admin does this.") == 2
    assert 'href="/app/team/"' not in text
    log_in(client, sales_rep)
    text = _overview(client)
    assert "Getting started" not in text and "Start with a template" not in text


def test_a_lead_that_came_through_the_embed_ticks_the_embed_step(client, db, owner):
    from landform.core.db import scope_to_tenant
    from landform.crm_sink.models import Contact

    scope_to_tenant(db, owner.tenant_id)
    db.add(Contact(email="lead@example.com", email_key="lead@example.com", source="embed"))
    db.commit()
    log_in(client, owner)
    assert _done(_overview(client)) == ["Embed a form on your website"]
