"""The team channel: each new lead posted to a chat's incoming webhook in that chat's documented shape."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from landform.accounts.models import Tenant
from landform.core.db import scope_to_tenant
from landform.core.jobs.models import OutboxJob
from landform.core.settings import get_settings
from landform.crm_sink.assignment.models import RoutingSettings
from landform.crm_sink.models import Contact
from tests.conftest import log_in, make_form, post_form, republish, wait_for
from tests.consent.helpers import contact_by_email, submit


def _form(db, owner):
    form = make_form(db, owner)
    form.fields = [
        *form.fields,
        {
            "name": "size",
            "type": "select",
            "required": False,
            "label": {"nl": "Bedrijfsgrootte", "en": "Company size"},
            "options": [{"value": "f_11_50", "label": {"nl": "11 tot 50", "en": "11 to 50"}}],
        },
    ]
    republish(db, form)
    return form


def _channel(client, owner, kind, url):
    log_in(client, owner)
    return post_form(client, "/app/routing/chat", {"chat_kind": kind, "chat_webhook_url": url})


@pytest.mark.parametrize("kind", ["slack", "teams", "mattermost", "google_chat"])
def test_it_posts_a_new_lead_in_the_chats_documented_shape(client, db, owner, receiver, kind):
    assert _channel(client, owner, kind, receiver.url).status_code < 400
    submit(client, _form(db, owner), {"first_name": "Anna", "email": "anna@example.com", "size": "f_11_50"})
    [posted] = wait_for(lambda: list(receiver.requests))
    assert posted.headers["content-type"] == "application/json"
    body = posted.json
    contact = contact_by_email(db, "anna@example.com")
    link = f"http://testserver.local/app/contacts/{contact.id}"
    if kind == "teams":
        assert body["type"] == "message"
        [attachment] = body["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        card = attachment["content"]
        assert card["type"] == "AdaptiveCard" and card["version"]
        assert "Anna" in card["body"][0]["text"]
        facts = {fact["title"]: fact["value"] for fact in card["body"][1]["facts"]}
        assert facts["Company size"] == "11 to 50"  # the label the visitor saw (in English)
        assert card["actions"][0] == {"type": "Action.OpenUrl", "title": "Open het contact", "url": link}
        return
    assert set(body) <= {"text", "blocks"} and "Anna" in body["text"]
    if kind == "slack":
        [block] = body["blocks"]
        assert block["type"] == "section" and block["text"]["type"] == "mrkdwn"
        assert f"<{link}|Open het contact>" in block["text"]["text"]
        assert "*Company size*: 11 to 50" in block["text"]["text"]
    elif kind == "mattermost":
        assert f"[Open het contact]({link})" in body["text"] and "**Company size**: 11 to 50" in body["text"]
    else:
        assert set(body) == {"text"} and f"<{link}|Open het contact>" in body["text"]
        assert "*Company size*: 11 to 50" in body["text"] and body["text"].count("anna@example.com") == 1


def test_a_do_not_contact_persons_lead_is_not_posted(client, db, owner, receiver):
    _channel(client, owner, "slack", receiver.url)
    form = _form(db, owner)
    submit(client, form, {"first_name": "Anna", "email": "anna@example.com"})
    wait_for(lambda: receiver.requests)
    contact = contact_by_email(db, "anna@example.com")
    scope_to_tenant(db, owner.tenant_id)
    db.get_one(Contact, contact.id).do_not_contact = True
    db.commit()
    submit(client, form, {"first_name": "Anna", "email": "anna@example.com"})
    wait_for(lambda: len(db.execute(select(Contact.id)).all()) == 1 and _all_done(db))
    assert len(receiver.requests) == 1


def _all_done(db) -> bool:
    db.expire_all()
    return not db.execute(
        select(OutboxJob).where(OutboxJob.done_at.is_(None), OutboxJob.failed_at.is_(None))
    ).all()


def test_it_retries_while_the_chat_is_away(client, db, owner, receiver):
    receiver.statuses = [503]
    _channel(client, owner, "mattermost", receiver.url)
    submit(client, _form(db, owner), {"first_name": "Anna", "email": "anna@example.com"})
    wait_for(lambda: len(receiver.requests) == 2, timeout=30)
    assert receiver.requests[0].body == receiver.requests[1].body


def test_a_channel_must_be_a_public_address(client, db, owner, monkeypatch):
    monkeypatch.setenv("LANDFORM_WEBHOOK_ALLOW_PRIVATE", "false")
    get_settings.cache_clear()
    refused = _channel(client, owner, "slack", "https://127.0.0.1/hooks")
    assert refused.status_code == 422 and "private network" in refused.text
    plain = _channel(client, owner, "slack", "http://hooks.example.com/x")
    assert plain.status_code == 422 and "https://" in plain.text
    unknown = _channel(client, owner, "icq", "https://hooks.example.com/x")
    assert unknown.status_code == 422
    scope_to_tenant(db, owner.tenant_id)
    assert db.execute(select(RoutingSettings)).scalar_one_or_none() is None
    assert db.get_one(Tenant, owner.tenant_id)


@pytest.mark.parametrize("kind", ["slack", "teams", "mattermost", "google_chat"])
def test_a_batch_of_leads_is_one_post_listing_them(kind):
    from landform.crm_sink.notify.chat import LISTED, batch_message
    from landform.crm_sink.notify.summary import LeadSummary

    def lead(n: int) -> LeadSummary:
        return LeadSummary(
            tenant_name="Acme", name=f"Lead {n}", email=f"lead{n}@example.com", phone="", company="",
            form_name="Offerte", source="page", where="", answers=[], contact_url=f"https://x.test/app/contacts/{n}",
            owner_id=None, do_not_contact=False,
        )  # fmt: skip

    body = json.dumps(batch_message(kind, [lead(n) for n in range(LISTED + 2)]))
    assert "12 new leads" in body and "and 2 more in the CRM" in body
    assert "lead0@example.com" in body and "https://x.test/app/contacts/9" in body
    assert "lead11@example.com" not in body
