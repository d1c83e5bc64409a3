"""Form rules: building forms, bot checks, and accepting a submission into the outbox."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from landform import security
from landform.crm_sink.models import Submission
from landform.forms.fields import (
    FIELD_TYPES,
    HIDDEN_SOURCES,
    TEXT_TARGETS,
    SubmissionInvalid,
    clean_answers,
    field_slug,
)
from landform.forms.models import Form
from landform.i18n import LANGUAGES, pick
from landform.i18n import gettext as _
from landform.outbox import add_job
from landform.settings import get_settings
from landform.text import normalize_text

log = logging.getLogger(__name__)

# A field no person sees or reaches; anything in it was typed by a bot.
HONEYPOT = "homepage_url"
TOKEN_FIELD = "_lf_token"  # noqa: S105  (a field name, not a secret)
PAGE_FIELD = "_lf_page"
RESERVED_NAMES = {HONEYPOT, TOKEN_FIELD, PAGE_FIELD, "_csrf_token", "lang"}
MAX_FIELDS = 40
AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "company_name": "organization",
    "job_title": "organization-title",
    "email": "email",
    "phone": "tel",
}


class FormInvalid(Exception):
    """A builder change that is not allowed, with the reason to show."""


class Spam(Exception):
    """A submission a bot sent; answered like a success so the bot learns nothing."""


@dataclass
class SubmissionContext:
    """Where a submission came from (stored with it, shown on the contact's timeline)."""

    source: str  # page, embed or api
    language: str
    page_id: UUID | None = None
    extra: dict[str, str] = field(default_factory=dict)


def default_fields() -> list[dict[str, Any]]:
    return [
        {
            "name": "first_name",
            "type": "text",
            "maps_to": "first_name",
            "required": True,
            "label": {"nl": "Voornaam", "en": "First name"},
        },
        {
            "name": "last_name",
            "type": "text",
            "maps_to": "last_name",
            "required": False,
            "label": {"nl": "Achternaam", "en": "Last name"},
        },
        {
            "name": "email",
            "type": "email",
            "required": True,
            "label": {"nl": "E-mailadres", "en": "E-mail address"},
        },
    ]


def new_form(name: str) -> Form:
    name = normalize_text(name)[:200]
    if not name:
        raise FormInvalid(_("Give the form a name."))
    return Form(
        key=secrets.token_urlsafe(12),
        name=name,
        fields=default_fields(),
        submit_label={"nl": "Versturen", "en": "Send"},
        thank_you={
            "nl": "Bedankt! We nemen snel contact met je op.",
            "en": "Thank you! We will be in touch soon.",
        },
    )


def add_field(
    form: Form,
    *,
    kind: str,
    label_nl: str,
    label_en: str,
    required: bool,
    maps_to: str = "",
    source: str = "",
) -> dict[str, Any]:
    if kind not in FIELD_TYPES:
        raise FormInvalid(_("Choose one of the field types offered."))
    if len(form.fields) >= MAX_FIELDS:
        raise FormInvalid(_("A form can have at most %(n)d fields.", n=MAX_FIELDS))
    labels = {"nl": normalize_text(label_nl)[:200], "en": normalize_text(label_en)[:200]}
    new: dict[str, Any] = {"type": kind, "required": bool(required) and kind != "hidden"}
    taken = {f["name"] for f in form.fields} | RESERVED_NAMES
    if kind == "hidden":
        if source not in HIDDEN_SOURCES:
            raise FormInvalid(_("Choose what the hidden field carries."))
        if source in taken:
            raise FormInvalid(_("This form already carries that value."))
        new.update(name=source, source=source, label={"nl": source, "en": source})
    else:
        if not labels["nl"] and not labels["en"]:
            raise FormInvalid(_("Give the field a label in at least one language."))
        labels = {lang: labels[lang] or labels["en" if lang == "nl" else "nl"] for lang in LANGUAGES}
        if kind == "text" and maps_to:
            if maps_to not in TEXT_TARGETS:
                raise FormInvalid(_("Choose one of the CRM fields offered."))
            new["maps_to"] = maps_to
        new.update(name=field_slug(labels["en"] or labels["nl"], taken), label=labels)
    form.fields = [*form.fields, new]
    return new


def remove_field(form: Form, name: str) -> None:
    remaining = [f for f in form.fields if f["name"] != name]
    if len(remaining) == len(form.fields):
        raise FormInvalid(_("That field is not on this form."))
    if not any(f["type"] == "email" for f in remaining):
        raise FormInvalid(_("A form needs an e-mail field: the CRM knows people by their address."))
    form.fields = remaining


def move_field(form: Form, name: str, offset: int) -> None:
    fields = list(form.fields)
    index = next((i for i, f in enumerate(fields) if f["name"] == name), None)
    if index is None:
        raise FormInvalid(_("That field is not on this form."))
    target = max(0, min(len(fields) - 1, index + offset))
    fields.insert(target, fields.pop(index))
    form.fields = fields


def update_settings(
    form: Form,
    *,
    name: str,
    thank_you_nl: str,
    thank_you_en: str,
    submit_nl: str,
    submit_en: str,
    redirect_url: str,
) -> None:
    name = normalize_text(name)[:200]
    if not name:
        raise FormInvalid(_("Give the form a name."))
    redirect_url = normalize_text(redirect_url)[:2000]
    if redirect_url:
        parts = urlsplit(redirect_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise FormInvalid(_("The thank-you address must start with https:// or http://."))
    form.name = name
    form.thank_you = {"nl": normalize_text(thank_you_nl)[:1000], "en": normalize_text(thank_you_en)[:1000]}
    form.submit_label = {"nl": normalize_text(submit_nl)[:60], "en": normalize_text(submit_en)[:60]}
    form.redirect_url = redirect_url or None


def issue_token(form_key: str, page_id: UUID | None = None) -> str:
    """The time-trap token a page or embed hands out with the form; it also vouches for the page."""
    return security.sign("form", [form_key, str(page_id) if page_id else None])


def check_bot_signals(form: Form, raw: dict[str, Any]) -> UUID | None:
    """Refuse what a person could not have sent; returns the page the form was shown on.

    Raises Spam, or SubmissionInvalid when the form was merely open too long.
    """
    if normalize_text(raw.get(HONEYPOT)):
        raise Spam("honeypot filled")
    token = raw.get(TOKEN_FIELD)
    if not isinstance(token, str) or not token:
        raise Spam("no form token")
    settings = get_settings().security
    try:
        (key, page_id), age = security.unsign_with_age("form", token, max_age=settings.form_max_age_seconds)
    except security.TokenExpired as error:
        raise SubmissionInvalid(
            {"_form": _("This form was open for a long time. Please check your answers and send it again.")}
        ) from error
    except (security.TokenInvalid, ValueError, TypeError) as error:
        raise Spam("forged form token") from error
    if key != form.key:
        raise Spam("token of another form")
    if age < settings.form_min_seconds:
        raise Spam("sent faster than a person types")
    return UUID(page_id) if page_id else None


def form_view(
    form: Form,
    *,
    language: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    page_id: UUID | None = None,
    tracking: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What a template needs to render the form for a visitor, with their answers and errors."""
    values, errors, tracking = values or {}, errors or {}, tracking or {}
    fields = []
    for spec in form.fields:
        name = spec["name"]
        fields.append(
            {
                "name": name,
                "type": spec["type"],
                "label": pick(spec.get("label"), language),
                "required": bool(spec.get("required")),
                "value": tracking.get(spec.get("source", ""), "")
                if spec["type"] == "hidden"
                else values.get(name, ""),
                "error": errors.get(name, ""),
                "autocomplete": AUTOCOMPLETE.get(spec.get("maps_to") or spec["type"], "off"),
            }
        )
    return {
        "key": form.key,
        "action": f"/f/{form.key}",
        "fields": fields,
        "form_error": errors.get("_form", ""),
        "submit_label": pick(form.submit_label, language) or _("Send"),
        "token": issue_token(form.key, page_id),
        "honeypot": HONEYPOT,
        "token_field": TOKEN_FIELD,
        "has_errors": bool(errors),
    }


async def find_form(db: AsyncSession, key: str) -> Form | None:
    """A form by its public key, from any tenant (the caller then scopes to the form's tenant)."""
    if not key or len(key) > 32:
        return None
    return (
        await db.execute(select(Form).where(Form.key == key).execution_options(all_tenants=True))
    ).scalar_one_or_none()


async def accept_submission(
    db: AsyncSession, form: Form, raw: dict[str, Any], context: SubmissionContext, country: str
) -> Submission:
    """Validate answers and store the submission with its routing job, in the caller's transaction."""
    values, contact_fields = clean_answers(form.fields, raw, country)
    if "email" not in contact_fields:
        raise SubmissionInvalid({"_form": _("This form cannot be sent: it has no e-mail field.")})
    tracked = {
        name: value
        for name, value in values.items()
        if name in HIDDEN_SOURCES and isinstance(value, str) and value
    }
    submission = Submission(
        id=uuid7(),
        tenant_id=form.tenant_id,
        form_id=form.id,
        page_id=context.page_id,
        data=values,
        contact_fields=contact_fields,
        context={
            "source": context.source,
            "language": context.language,
            "form_name": form.name,
            "labels": {
                f["name"]: pick(f.get("label"), context.language)
                for f in form.fields
                if f["type"] != "hidden"
            },
            **tracked,
            **context.extra,
        },
    )
    db.add(submission)
    add_job(db, "route_submission", submission.id, form.tenant_id)
    return submission
