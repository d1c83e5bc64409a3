"""The export's `summary.html` as a person reads it: parts in plain words, labels, local dates, recipients.

`collect()` (export.py) gives the machine-readable sections for data.json and the CSV files, unchanged.
This module turns the same sections into parts a person understands on a phone: each with what it
means, each entry as labelled facts (no ids, no raw timestamps, no dicts, yes/no instead of True/False).
Sections other domains add through `hooks.export_sections` are shown too, with their keys in words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from landform.core.i18n import LANGUAGE_NAMES, format_date, format_datetime, ngettext
from landform.core.i18n import gettext as _
from landform.crm_sink.answers import TRACKING, shown_answers
from landform.privacy.labels import field_labels, kind_labels, status_labels
from landform.privacy.models import RequestKind, RequestStatus
from landform.privacy.registry import subprocessors

# Dates are shown in the Netherlands' time: the person has no time zone on record.
ZONE = "Europe/Amsterdam"
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
# What an empty value shows: a dash, not a blank a reader would take for missing data.
DASH = "\N{EN DASH}"
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass
class Entry:
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    # Words the person saw and agreed to, quoted as they were (a consent text).
    quote: str = ""


@dataclass
class Part:
    title: str
    meaning: str
    entries: list[Entry]


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _when(value: Any) -> str:
    if not value:
        return DASH
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return format_datetime(moment, ZONE)


def _day(value: Any) -> str:
    if not value:
        return DASH
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return format_date(moment, ZONE)


def words(value: Any) -> str:
    """Any exported value in words: yes/no, a local date, nested values as "label: value"; ids left out."""
    if isinstance(value, bool):
        return _yes_no(value)
    if value is None or value == "":
        return DASH
    if isinstance(value, Mapping):
        shown = [f"{_key(k)}: {words(v)}" for k, v in value.items() if not _is_id(str(k), v)]
        return "; ".join(shown) or DASH
    if isinstance(value, list | tuple):
        return "; ".join(words(v) for v in value) or DASH
    text = str(value)
    if ISO_TIME.match(text):
        try:
            return _when(text)
        except ValueError:
            return text
    return UUID_PATTERN.sub("…", text)


def _key(name: str) -> str:
    return field_labels().get(name) or name.replace("_", " ").strip().capitalize()


def _is_id(name: str, value: Any) -> bool:
    return (
        name == "id" or name.endswith("_id") or bool(isinstance(value, str) and UUID_PATTERN.fullmatch(value))
    )


def _facts(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(_key(k), words(v)) for k, v in row.items() if not _is_id(k, v) and v not in (None, "", {}, [])]


def _source(context: Mapping[str, Any]) -> str:
    source = context.get("source", "")
    if source == "embed":
        return _(
            "the form on %(host)s",
            host=context.get("embed_host") or urlsplit(str(context.get("page_url", ""))).hostname or "?",
        )
    if source == "api":
        return _("sent to us by the organisation's own systems")
    if source == "page":
        return _("a landing page")
    return _("the form's own web page")


def _contact(rows: list[dict[str, Any]], organisation: str) -> Part:
    labels = field_labels()
    entries = []
    for row in rows:
        facts = [(labels[name], str(row[name])) for name in labels if row.get(name)]
        if row.get("language"):
            facts.append((_("Language"), LANGUAGE_NAMES.get(row["language"], row["language"])))
        facts.append((_("In the records since"), _day(row.get("created_at"))))
        facts.append(
            (
                _("May %(organisation)s contact you?", organisation=organisation),
                _("No, you asked not to be contacted") if row.get("do_not_contact") else _("Yes"),
            )
        )
        entries.append(Entry(_("Contact details"), facts))
    return Part(
        _("Your contact details"),
        _(
            "What %(organisation)s keeps to get in touch with you. You can have it corrected or erased "
            "on its privacy page.",
            organisation=organisation,
        ),
        entries,
    )


def _submissions(rows: list[dict[str, Any]], forms: Mapping[str, str]) -> Part:
    entries = []
    for row in rows:
        context = row.get("context") or {}
        name = forms.get(str(row.get("form_id")))
        facts = [(_("Sent on"), _when(row.get("received_at"))), (_("Where"), _source(context))]
        if context.get("page_url"):
            facts.append((_("Page"), str(context["page_url"])))
        for label, value in shown_answers(row.get("answers") or {}, context):
            facts.append((label, _yes_no(value) if isinstance(value, bool) else words(value)))
        for key in sorted(TRACKING & set(context)):
            if key.startswith("utm_") and context[key]:
                facts.append((_("Campaign"), str(context[key])))
        entries.append(Entry(_("The form “%(form)s”", form=name) if name else _("A form"), facts))
    return Part(
        _("What you sent through forms"),
        _("Each form you filled in, with your answers as you gave them."),
        entries,
    )


def _history(rows: list[dict[str, Any]]) -> Part:
    titles = {
        "form_submission": _("You filled in a form"),
        "merged": _("Two records of you were joined into one"),
        "stage_changed": _("The team moved you to another stage"),
        "note": _("The team wrote a note"),
        "call": _("The team called you"),
        "task": _("The team planned a follow-up"),
    }
    entries = []
    for row in rows:
        kind = str(row.get("kind", ""))
        details = row.get("details") or {}
        facts = [(_("When"), _when(row.get("occurred_at")))]
        if kind != "form_submission":
            facts += [(_key(k), words(v)) for k, v in details.items() if not _is_id(k, v) and k != "by"]
        entries.append(Entry(titles.get(kind, _("Something the team recorded")), facts))
    return Part(_("History"), _("What happened with your details, oldest first."), entries)


def _consents(rows: list[dict[str, Any]]) -> Part:
    methods = {
        "form": _("by ticking a box on a form"),
        "page": _("by ticking a box on a landing page"),
        "embed": _("by ticking a box on a form on the organisation's website"),
        "api": _("recorded by the organisation's own systems"),
        "email": _("with the link in an e-mail"),
        "portal": _("on the privacy page"),
        "site_banner": _("in the cookie banner"),
    }
    entries = []
    for row in rows:
        facts = [
            (_("What you did"), _("Gave consent") if row.get("given") else _("Withdrew consent")),
            (_("When"), _when(row.get("occurred_at"))),
            (_("How"), methods.get(str(row.get("method")), str(row.get("method") or DASH))),
        ]
        if row.get("confirmed_by") == "parent":
            facts.append((_("Confirmed by"), _("your parent or guardian")))
        if row.get("browser") and row["browser"] != "Other":
            facts.append((_("Browser"), str(row["browser"])))
        entries.append(
            Entry(str(row.get("purpose") or _("Consent")), facts, quote=str(row.get("text_shown") or ""))
        )
    return Part(
        _("Your consents"),
        _(
            "Proof of each consent you gave or withdrew: the exact words you saw, when and how. Your "
            "internet address is never kept, only a scrambled fingerprint of it (in data.json)."
        ),
        entries,
    )


def _emails(rows: list[dict[str, Any]]) -> Part:
    entries = [
        Entry(str(row.get("subject") or _("An e-mail")), [(_("Sent on"), _when(row.get("sent_at")))])
        for row in rows
    ]
    return Part(_("E-mails sent to you"), _("The e-mails sent to your address, by subject."), entries)


def _requests(rows: list[dict[str, Any]]) -> Part:
    kinds, statuses = kind_labels(), status_labels()
    entries = []
    for row in rows:
        kind, status = row.get("kind"), row.get("status")
        facts = [
            (
                _("Status"),
                statuses.get(RequestStatus(status), str(status))
                if status in set(RequestStatus)
                else str(status),
            ),
            (_("Asked on"), _day(row.get("asked_at"))),
        ]
        if row.get("due_at"):
            facts.append((_("Answer due by"), _day(row["due_at"])))
        if row.get("details"):
            facts.append((_("What you wrote"), str(row["details"])))
        title = kinds.get(RequestKind(kind), str(kind)) if kind in set(RequestKind) else str(kind)
        entries.append(Entry(title, facts))
    return Part(
        _("Your privacy requests"), _("What you asked on the privacy page, including this request."), entries
    )


def _recipients(rows: list[dict[str, Any]], organisation: str, platform: bool) -> Part:
    """Who received the data: the organisation's own systems (by host) and the processors."""
    hosts: dict[str, list[str]] = {}
    for row in rows:
        for sent in row.get("sent_to") or []:
            host = urlsplit(str(sent.get("url", ""))).hostname or "?"
            hosts.setdefault(host, []).append(str(sent.get("delivered_at") or row.get("created_at") or ""))
    entries = [
        Entry(
            _("%(organisation)s's own system at %(host)s", organisation=organisation, host=host),
            [
                (_("What"), _times(len(times))),
                (_("Last sent"), _day(max(t for t in times if t)) if any(times) else DASH),
            ],
        )
        for host, times in hosts.items()
    ]
    for processor in subprocessors(platform):
        entries.append(
            Entry(
                str(processor.name),
                [
                    (_("What for"), str(processor.purpose)),
                    (_("Which data"), ", ".join(str(d) for d in processor.data)),
                    (_("Where"), str(processor.where)),
                ],
            )
        )
    return Part(
        _("Who received your data"),
        _(
            "Besides the people of %(organisation)s, these received your details, each only for what "
            "is written here. None of them may use it for anything else.",
            organisation=organisation,
        ),
        entries,
    )


def _times(count: int) -> str:
    return ngettext(
        "Your details and answers, sent once", "Your details and answers, sent %(num)d times", count
    )


def _accounts(rows: list[dict[str, Any]]) -> Part:
    labels = {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "email": _("E-mail address"),
        "gender": _("Gender"),
        "timezone": _("Time zone"),
        "role": _("Role"),
    }
    entries = []
    for row in rows:
        facts = [(label, str(row[k])) for k, label in labels.items() if row.get(k)]
        if row.get("language"):
            facts.append((_("Language"), LANGUAGE_NAMES.get(row["language"], row["language"])))
        facts += [
            (_("Account since"), _day(row.get("created_at"))),
            (_("Last log-in"), _when(row.get("last_login_at"))),
        ]
        entries.append(Entry(str(row.get("organisation") or _("Account")), facts))
    return Part(_("Your Landform accounts"), _("The accounts you use to work in Landform."), entries)


def _billing(rows: list[dict[str, Any]]) -> Part:
    entries = []
    for row in rows:
        sent = row.get("sent_to_stripe") or {}
        facts = [
            (_("Plan"), str(row.get("plan") or DASH)),
            (_("Customer number at Stripe"), str(row.get("stripe_customer") or DASH)),
        ]
        facts += [(_key(k), words(v)) for k, v in sent.items() if v]
        entries.append(Entry(str(row.get("organisation") or _("Subscription")), facts))
    return Part(
        _("Billing"),
        _("What Stripe, our payment provider, received to bill your organisation's subscription."),
        entries,
    )


def summary_parts(
    sections: Mapping[str, list[dict[str, Any]]], organisation: str, forms: Mapping[str, str], platform: bool
) -> list[Part]:
    """The summary's parts in reading order; a section without rows is left out (said once at the end)."""
    known = {
        "contact": lambda rows: _contact(rows, organisation),
        "submissions": lambda rows: _submissions(rows, forms),
        "activities": _history,
        "consent_records": _consents,
        "emails": _emails,
        "privacy_requests": _requests,
        "accounts": _accounts,
        "billing": _billing,
    }
    parts = [known[name](rows) for name, rows in sections.items() if name in known and rows]
    for name, rows in sections.items():
        if name not in known and name != "company" and name != "webhook_deliveries" and rows:
            parts.append(
                Part(
                    _key(name),
                    _("More data held about you."),
                    [Entry(_key(name), _facts(row)) for row in rows],
                )
            )
    parts.append(_recipients(sections.get("webhook_deliveries") or [], organisation, platform))
    return parts
