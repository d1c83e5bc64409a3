"""A new lead in the team's chat: Slack, Microsoft Teams, Mattermost or Google Chat, by incoming webhook.

Each chat has its documented message shape: Slack `{"text", "blocks"}` (mrkdwn, links `<url|text>`),
Mattermost `{"text"}` (Markdown), Google Chat `{"text"}` (its own markup, links `<url|text>`), Teams an
Adaptive Card in a `message` (what a Teams Workflows webhook posts). The post is an outbox job with
retries, to a URL checked as webhook endpoints are (`core.egress`: public addresses only). A
do-not-contact person's lead is not posted: the channel is outside the CRM.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.core import egress, i18n
from landform.core.i18n import gettext as _
from landform.core.jobs.models import PermanentJobError
from landform.core.jobs.registry import job
from landform.core.settings import get_settings
from landform.crm_sink.assignment.channel import CHATS
from landform.crm_sink.assignment.models import RoutingSettings
from landform.crm_sink.notify.models import batch_submissions
from landform.crm_sink.notify.summary import LeadSummary, summarize


def _lines(lead: LeadSummary) -> tuple[str, list[tuple[str, str]]]:
    """The headline and the facts (label, text) of a lead, in the current language."""
    who = lead.name or lead.email
    if lead.company:
        who = f"{who} ({lead.company})"
    headline = _("New lead: %(who)s filled in “%(form)s”", who=who, form=lead.form_name)
    facts = [(_("E-mail address"), lead.email)]
    if lead.phone:
        facts.append((_("Phone"), lead.phone))
    if lead.where:
        facts.append((_("Where"), lead.where))
    for label, value in lead.answers:
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        facts.append((label, str(value)))
    return headline, facts


def chat_message(kind: str, lead: LeadSummary) -> dict[str, Any]:
    """The JSON body a chat's incoming webhook takes, in the current language."""
    headline, facts = _lines(lead)
    open_label = _("Open the contact")
    if kind == "teams":
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {"type": "TextBlock", "text": headline, "weight": "Bolder", "wrap": True},
                {"type": "FactSet", "facts": [{"title": label, "value": text} for label, text in facts]},
            ],
            "actions": [{"type": "Action.OpenUrl", "title": open_label, "url": lead.contact_url}],
        }
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": card,
                }
            ],
        }
    if kind == "mattermost":
        body = "\n".join(f"- **{label}**: {text}" for label, text in facts)
        return {"text": f"#### {headline}\n{body}\n[{open_label}]({lead.contact_url})"}
    body = "\n".join(f"*{label}*: {text}" for label, text in facts)
    text = f"*{headline}*\n{body}\n<{lead.contact_url}|{open_label}>"
    if kind == "slack":
        return {"text": headline, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
    return {"text": text}  # Google Chat


# A batch's post lists at most this many leads with their answers; the rest are named and counted.
LISTED = 10


def batch_message(kind: str, leads: list[LeadSummary]) -> dict[str, Any]:
    """One post for a batch's leads: a lone lead as `chat_message`, several as one list of them."""
    if len(leads) == 1:
        return chat_message(kind, leads[0])
    headline = _("%(count)s new leads", count=len(leads))
    items = []
    for lead in leads[:LISTED]:
        who = lead.name or lead.email
        if lead.company:
            who = f"{who} ({lead.company})"
        items.append((f"{who}: {lead.form_name}", lead.email, lead.contact_url))
    more = len(leads) - LISTED
    rest = _("and %(count)s more in the CRM", count=more) if more > 0 else ""
    if kind == "teams":
        body: list[dict[str, Any]] = [
            {"type": "TextBlock", "text": headline, "weight": "Bolder", "wrap": True}
        ]
        body += [
            {"type": "TextBlock", "text": f"[{who}]({url}) {email}", "wrap": True}
            for who, email, url in items
        ]
        if rest:
            body.append({"type": "TextBlock", "text": rest, "wrap": True})
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": body,
        }
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": card,
                }
            ],
        }
    if kind == "mattermost":
        lines = [f"- [{who}]({url}) {email}" for who, email, url in items]
        return {"text": "\n".join([f"#### {headline}", *lines, rest]).strip()}
    lines = [f"<{url}|{who}> {email}" for who, email, url in items]
    text = "\n".join([f"*{headline}*", *lines, rest]).strip()
    if kind == "slack":
        return {"text": headline, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
    return {"text": text}  # Google Chat


def _post(session: Session, submission_ids: list[UUID]) -> None:
    channel = session.execute(select(RoutingSettings)).scalar_one_or_none()
    if channel is None or not channel.chat_webhook_url or channel.chat_kind not in CHATS:
        return
    leads = []
    for submission_id in submission_ids:
        try:
            lead = summarize(session, submission_id)
        except PermanentJobError:
            continue  # erased since it was routed
        if not lead.do_not_contact:
            leads.append(lead)
    if not leads:
        return
    tenant = session.execute(select(Tenant).where(Tenant.id == channel.tenant_id)).scalar_one()
    previous = i18n.get_language()
    i18n.set_language(tenant.default_language)
    try:
        body = json.dumps(batch_message(channel.chat_kind, leads)).encode()
    finally:
        i18n.set_language(previous)
    try:
        response = egress.request(
            "POST",
            channel.chat_webhook_url,
            timeout=10,
            allow_private=get_settings().webhooks.allow_private_targets,
            headers={"content-type": "application/json"},
            content=body,
        )
    except egress.TargetRefused as refused:
        raise PermanentJobError(f"chat channel refused: {refused}") from refused
    if response.status_code >= 500 or response.status_code == 429:
        raise RuntimeError(f"chat channel answered {response.status_code}; tried again later")
    if response.status_code >= 400:
        raise PermanentJobError(f"chat channel answered {response.status_code}: {response.text[:200]}")


@job(max_retries=8, min_backoff=10_000, max_backoff=30 * 60_000, time_limit=60_000, max_age=24 * 3_600_000)
def post_leads_to_chat(session: Session, batch_id: UUID) -> None:
    """Post a routed batch's leads to the tenant's chat channel in one message; retried while it is away."""
    _post(session, batch_submissions(session, batch_id))


# Jobs queued one per lead before routed batches existed still run, after an upgrade, as before.
@job(max_retries=8, min_backoff=10_000, max_backoff=30 * 60_000, time_limit=60_000, max_age=24 * 3_600_000)
def post_lead_to_chat(session: Session, submission_id: UUID) -> None:
    """Post one routed lead to the tenant's chat channel; retried while the chat is away."""
    _post(session, [submission_id])
