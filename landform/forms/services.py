"""Form rules: building and publishing forms, bot checks, and accepting a submission into the outbox."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field, replace
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, Protocol, cast
from urllib.parse import urlsplit
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from landform.accounts.models import Tenant
from landform.billing import quotas
from landform.consent import double_opt_in
from landform.consent import minors as consent_minors
from landform.consent import services as consent
from landform.core import security
from landform.core.db import sync_session, utcnow
from landform.core.i18n import LANGUAGES, pick
from landform.core.i18n import gettext as _
from landform.core.mail_limits import MailLimiter
from landform.core.settings import Settings, get_settings
from landform.core.text import normalize_text
from landform.crm_sink import routing_job
from landform.crm_sink.models import Submission
from landform.forms import progressive
from landform.forms.fields import (
    BOOLEAN,
    FIELD_TYPES,
    HIDDEN_SOURCES,
    TEXT_TARGETS,
    TYPE_TARGETS,
    WITH_OPTIONS,
    SubmissionInvalid,
    asks_special_category,
    clean_answers,
    consent_proof,
    field_slug,
)
from landform.forms.models import Form, FormVersion, SpamSubmission
from landform.hooks import FormSummary

log = logging.getLogger(__name__)

# A field no person sees or reaches; anything in it was typed by a bot.
HONEYPOT = "homepage_url"
TOKEN_FIELD = "_lf_token"  # noqa: S105  (a field name, not a secret)
RESERVED_NAMES = {HONEYPOT, TOKEN_FIELD, "_csrf_token", "lang"}
MAX_FIELDS = 40
MAX_OPTIONS = 50
SPAM_KEPT_DAYS = 30
AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "company_name": "organization",
    "job_title": "organization-title",
    "email": "email",
    "phone": "tel",
    "website": "url",
    "date_of_birth": "bday",
    "postcode": "postal-code",
}


class FormInvalid(Exception):
    """A builder change that is not allowed, with the reason to show."""


class Spam(Exception):
    """A submission a bot sent; answered like a success so the bot learns nothing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Duplicate(Exception):
    """The same filled-in form arrived again (a double click, a replayed request): it is one lead."""


class FormSpec(Protocol):
    """What a visitor sees of a form: the draft (`Form`) in a preview, a `FormVersion` when live."""

    fields: list[dict[str, Any]]
    submit_label: dict[str, str]
    thank_you: dict[str, str]
    redirect_url: str | None


@dataclass
class SubmissionContext:
    """Where a submission came from (stored with it, shown on the contact's timeline)."""

    source: str  # page, form, embed, api or released
    language: str
    page_id: UUID | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # For the consent ledger, which keeps only a keyed hash of the address and the browser family.
    ip: str = ""
    user_agent: str = ""


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
        allowed_origins=[],
        block_disposable_email=False,
        draft_changed_at=utcnow(),
    )


def _per_language(nl: str, en: str, limit: int) -> dict[str, str]:
    texts = {"nl": normalize_text(nl)[:limit], "en": normalize_text(en)[:limit]}
    # A text given in one language stands in for the other until someone translates it.
    return {lang: texts[lang] or texts["en" if lang == "nl" else "nl"] for lang in LANGUAGES}


def _parse_options(raw: str) -> list[dict[str, Any]]:
    """One option per line: `Dutch label | English label` (or one label for both)."""
    options: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line in raw.replace("\r\n", "\n").split("\n"):
        line = normalize_text(line)
        if not line:
            continue
        nl, _sep, en = (part.strip() for part in line.partition("|"))
        labels = _per_language(nl, en or nl, 200)
        value = field_slug(labels["en"], seen)
        seen.add(value)
        options.append({"value": value, "label": labels})
    return options


def add_field(
    form: Form, data: dict[str, str], purpose: consent.PurposeChoice | None = None
) -> dict[str, Any]:
    """Add a field from the builder's form; raises FormInvalid with the reason to show.

    A consent box can name a processing purpose (`purpose`, looked up from `data["purpose_id"]`): its
    label then defaults to the purpose's current consent text, and the text version is kept with it.
    """
    kind = data.get("type", "")
    if kind == "consent" and data.get("purpose_id"):
        if purpose is None:
            raise FormInvalid(_("Choose one of the purposes offered."))
        data = {
            **data,
            "label_nl": data.get("label_nl") or purpose.text.get("nl", ""),
            "label_en": data.get("label_en") or purpose.text.get("en", ""),
        }
    if kind not in FIELD_TYPES:
        raise FormInvalid(_("Choose one of the field types offered."))
    if len(form.fields) >= MAX_FIELDS:
        raise FormInvalid(_("A form can have at most %(n)d fields.", n=MAX_FIELDS))
    taken = {f["name"] for f in form.fields} | RESERVED_NAMES
    new: dict[str, Any] = {"type": kind, "required": data.get("required") == "on" and kind != "hidden"}
    if data.get("progressive") == "on":
        if kind in progressive.ALWAYS_ASKED:
            raise FormInvalid(_("E-mail, consent, date of birth and hidden fields are asked every time."))
        new["progressive"] = True
    if kind == "hidden":
        source = data.get("source", "")
        if source not in HIDDEN_SOURCES:
            raise FormInvalid(_("Choose what the hidden field carries."))
        if source in taken:
            raise FormInvalid(_("This form already carries that value."))
        new.update(name=source, source=source, label={"nl": source, "en": source})
        form.fields = [*form.fields, new]
        return new
    labels = _per_language(
        data.get("label_nl", ""), data.get("label_en", ""), 300 if kind in BOOLEAN else 200
    )
    if not labels["nl"]:
        raise FormInvalid(_("Give the field a label in at least one language."))
    help_texts = _per_language(data.get("help_nl", ""), data.get("help_en", ""), 300)
    placeholders = _per_language(data.get("placeholder_nl", ""), data.get("placeholder_en", ""), 100)
    options = _parse_options(data.get("options", "")) if kind in WITH_OPTIONS else []
    if asks_special_category(
        *labels.values(),
        *help_texts.values(),
        *(text for option in options for text in option["label"].values()),
    ):
        raise FormInvalid(
            _(
                "Landform does not collect special categories of personal data (health, religion, "
                "ethnicity, political opinions, sexual orientation, union membership, criminal records, "
                "biometric or genetic data) or citizen service numbers (BSN): the privacy statement "
                "forbids it. Rephrase the field or leave it out."
            )
        )
    if kind in WITH_OPTIONS and not 2 <= len(options) <= MAX_OPTIONS:
        raise FormInvalid(_("Give between 2 and %(n)d options, one per line.", n=MAX_OPTIONS))
    if kind == "text" and data.get("maps_to"):
        if data["maps_to"] not in TEXT_TARGETS:
            raise FormInvalid(_("Choose one of the CRM fields offered."))
        new["maps_to"] = data["maps_to"]
    new.update(name=field_slug(labels["en"], taken), label=labels)
    if kind == "consent" and purpose is not None and data.get("purpose_id"):
        new.update(purpose_id=str(purpose.id), consent_text_id=str(purpose.text_id))
    if any(help_texts.values()):
        new["help"] = help_texts
    if any(placeholders.values()):
        new["placeholder"] = placeholders
    if options:
        new["options"] = options
    default = normalize_text(data.get("default", ""))[:200]
    if default and kind not in BOOLEAN:
        new["default"] = default
    form.fields = [*form.fields, new]
    return new


def update_field(
    form: Form, name: str, data: dict[str, str], purpose: consent.PurposeChoice | None = None
) -> dict[str, Any]:
    """Change a field's texts, options and settings; its name and type stay (answers keep their meaning).

    The same checks as adding it; raises FormInvalid before changing anything.
    """
    index = next((i for i, f in enumerate(form.fields) if f["name"] == name), None)
    if index is None:
        raise FormInvalid(_("That field is not on this form."))
    current = form.fields[index]
    if current["type"] == "hidden":
        raise FormInvalid(_("A hidden field has nothing to edit: remove it and add another."))
    others = SimpleNamespace(fields=[f for f in form.fields if f["name"] != name])
    changed = add_field(cast(Form, others), {**data, "type": current["type"]}, purpose)
    changed["name"] = name
    if current["type"] == "consent" and not data.get("purpose_id") and current.get("purpose_id"):
        # Kept unless the marketer chose another: a consent box keeps recording its purpose.
        changed.update(purpose_id=current["purpose_id"], consent_text_id=current.get("consent_text_id"))
    fields = list(form.fields)
    fields[index] = changed
    form.fields = fields
    return changed


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


def _origin(raw: str) -> str:
    parts = urlsplit(raw.strip() if "://" in raw else "https://" + raw.strip())
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.path not in {"", "/"}
        or parts.query
    ):
        raise FormInvalid(_("List websites as https://www.example.com, one per line, without a path."))
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def update_settings(form: Form, data: dict[str, str]) -> None:
    name = normalize_text(data.get("name", ""))[:200]
    if not name:
        raise FormInvalid(_("Give the form a name."))
    redirect_url = normalize_text(data.get("redirect_url", ""))[:2000]
    if redirect_url:
        parts = urlsplit(redirect_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise FormInvalid(_("The thank-you address must start with https:// or http://."))
    origins = sorted({_origin(line) for line in data.get("allowed_origins", "").split() if line.strip()})
    if len(origins) > 20:
        raise FormInvalid(_("List at most 20 websites."))
    tags = list(
        dict.fromkeys(t for t in (normalize_text(t)[:64] for t in data.get("crm_tags", "").split(",")) if t)
    )
    if len(tags) > 10:
        raise FormInvalid(_("Add at most 10 tags."))
    form.name = name
    form.thank_you = {
        "nl": normalize_text(data.get("thank_you_nl", ""))[:1000],
        "en": normalize_text(data.get("thank_you_en", ""))[:1000],
    }
    form.submit_label = {
        "nl": normalize_text(data.get("submit_nl", ""))[:60],
        "en": normalize_text(data.get("submit_en", ""))[:60],
    }
    form.redirect_url = redirect_url or None
    form.allowed_origins = origins
    form.crm_tags = tags
    form.block_disposable_email = data.get("block_disposable_email") == "on"
    form.requires_age_check = data.get("requires_age_check") == "on"
    by_declaration = data.get("age_check_method") == "declaration"
    has_birth_date = any(f["type"] == "date_of_birth" for f in form.fields)
    if form.requires_age_check and by_declaration and has_birth_date:
        raise FormInvalid(
            _("This form asks for a date of birth. Remove that field to check the age by a declaration.")
        )
    if form.requires_age_check and by_declaration:
        # "I am 16 or older" instead of a date of birth: less data, the same parental check.
        if not any(f.get("age_declaration") for f in form.fields):
            taken = {f["name"] for f in form.fields} | RESERVED_NAMES
            form.fields = [*form.fields, consent_minors.age_declaration_field(taken)]
    elif form.requires_age_check and not has_birth_date:
        # The age check reads the date of birth: a form that needs one asks for it.
        form.fields = [
            *(f for f in form.fields if not f.get("age_declaration")),
            {
                "name": field_slug("date_of_birth", {f["name"] for f in form.fields} | RESERVED_NAMES),
                "type": "date_of_birth",
                "required": True,
                "label": {"nl": "Geboortedatum", "en": "Date of birth"},
            },
        ]


def mark_changed(form: Form) -> None:
    form.draft_changed_at = utcnow()


def publish(db: AsyncSession | Session, form: Form, user_id: UUID | None = None) -> FormVersion:
    """Freeze the draft as the next version; visitors see it from now on (sync or async session)."""
    if not any(f["type"] == "email" for f in form.fields):
        raise FormInvalid(_("A form needs an e-mail field: the CRM knows people by their address."))
    number = (form.published_version or 0) + 1
    version = FormVersion(
        id=uuid7(),
        tenant_id=form.tenant_id,
        form_id=form.id,
        number=number,
        fields=list(form.fields),
        submit_label=dict(form.submit_label),
        thank_you=dict(form.thank_you),
        redirect_url=form.redirect_url,
        published_by_id=user_id,
    )
    db.add(version)
    form.published_version = number
    form.draft_changed_at = None
    return version


async def live_version(db: AsyncSession, form: Form) -> FormVersion | None:
    if form.published_version is None:
        return None
    return (
        await db.execute(
            select(FormVersion).where(
                FormVersion.form_id == form.id, FormVersion.number == form.published_version
            )
        )
    ).scalar_one_or_none()


async def nonce_used(db: AsyncSession, nonce: str) -> bool:
    """Whether a submission with this form token was stored already (a double click, a replay)."""
    found = await db.execute(select(Submission.id).where(Submission.token_nonce == nonce))
    return found.first() is not None


def issue_token(form_key: str, page_id: UUID | None = None, visit: progressive.Visit | None = None) -> str:
    """The time-trap token handed out with the form; it vouches for the page and is single-use.

    From a hosted page it also carries what the page decided about this visitor (fields left out,
    their cookie consent), so the intake checks the form they actually saw.
    """
    payload: list[Any] = [form_key, str(page_id) if page_id else None, secrets.token_hex(8)]
    if visit is not None:
        extras = {
            "s": sorted(visit.skip or ()),
            "k": sorted(visit.known) if visit.functional else [],
            "f": 1 if visit.functional else 0,
            "v": visit.visitor_id,
        }
        payload.append({k: v for k, v in extras.items() if v})
    return security.sign("form", payload)


@dataclass
class TokenFacts:
    page_id: UUID | None
    nonce: str
    visit: progressive.Visit = field(default_factory=progressive.Visit)


def _visit_from_token(extras: Any) -> progressive.Visit:
    if not isinstance(extras, dict):
        return progressive.Visit(skip=frozenset())
    return progressive.Visit(
        functional=bool(extras.get("f")),
        known=frozenset(map(str, extras.get("k", []))),
        visitor_id=str(extras.get("v", ""))[:32],
        skip=frozenset(map(str, extras.get("s", []))),
    )


def check_bot_signals(form: Form, raw: dict[str, Any]) -> TokenFacts:
    """Refuse what a person could not have sent: Spam, or SubmissionInvalid for a form open too long."""
    if normalize_text(raw.get(HONEYPOT)):
        raise Spam("honeypot")
    token = raw.get(TOKEN_FIELD)
    if not isinstance(token, str) or not token:
        raise Spam("no_token")
    settings = get_settings().security
    try:
        payload, age = security.unsign_with_age("form", token, max_age=settings.form_max_age_seconds)
        key, page_id, nonce = payload[:3]
        extras = payload[3] if len(payload) > 3 else None
    except security.TokenExpired as error:
        raise SubmissionInvalid(
            {"_form": _("This form was open for a long time. Please check your answers and send it again.")}
        ) from error
    except (security.TokenInvalid, ValueError, TypeError) as error:
        raise Spam("forged_token") from error
    if key != form.key:
        raise Spam("other_form_token")
    if age < settings.form_min_seconds:
        raise Spam("too_fast")
    try:
        return TokenFacts(
            page_id=UUID(page_id) if page_id else None, nonce=str(nonce)[:32], visit=_visit_from_token(extras)
        )
    except ValueError as error:
        raise Spam("forged_token") from error


def form_view(
    key: str,
    spec: FormSpec,
    *,
    language: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    page_id: UUID | None = None,
    tracking: dict[str, str] | None = None,
    visit: progressive.Visit | None = None,
) -> dict[str, Any]:
    """What a template (or the embed script) needs to render the form, with answers and errors.

    `visit`: what a hosted page knows of the visitor; the fields it leaves out are decided here
    (or were decided when the form was first shown, when it comes back with errors).
    """
    values, errors, tracking = values or {}, errors or {}, tracking or {}
    visit = visit or progressive.Visit()
    if visit.skip is None:
        known = visit.known if visit.functional else frozenset()
        visit = replace(visit, skip=progressive.plan(spec.fields, known))
    fields = []
    for item in spec.fields:
        name, kind = item["name"], item["type"]
        if name in (visit.skip or ()):
            continue
        if kind == "hidden":
            value: Any = tracking.get(item.get("source", ""), "")
        else:
            value = values.get(name, item.get("default", ""))
        fields.append(
            {
                "name": name,
                "type": kind,
                "label": pick(item.get("label"), language),
                "help": pick(item.get("help"), language),
                "placeholder": pick(item.get("placeholder"), language),
                "required": bool(item.get("required")),
                "value": value,
                "error": errors.get(name, ""),
                "autocomplete": AUTOCOMPLETE.get(
                    item.get("maps_to") or TYPE_TARGETS.get(kind) or kind, "off"
                ),
                "options": [
                    {"value": o["value"], "label": pick(o["label"], language)}
                    for o in item.get("options", [])
                ],
                "source": item.get("source", ""),
            }
        )
    parent = consent_minors.PARENT_EMAIL_FIELD
    if parent in errors or values.get(parent):
        fields.append(
            consent_minors.parent_email_field(str(values.get(parent, "")), errors.get(parent, ""), language)
        )
    return {
        "key": key,
        "action": f"/f/{key}",
        "fields": fields,
        "form_error": errors.get("_form", ""),
        "submit_label": pick(spec.submit_label, language) or _("Send"),
        "token": issue_token(key, page_id, visit),
        "honeypot": HONEYPOT,
        "token_field": TOKEN_FIELD,
        "has_errors": bool(errors),
    }


async def form_catalog(db: AsyncSession) -> list[FormSummary]:
    """The tenant's forms for the CRM's routing screens (`hooks.form_catalog`)."""
    forms = (await db.execute(select(Form).order_by(Form.name))).scalars()
    return [
        FormSummary(
            id=form.id,
            name=form.name,
            fields=[(f["name"], pick(f.get("label"))) for f in form.fields if f["type"] not in BOOLEAN],
        )
        for form in forms
    ]


async def form_titles(db: AsyncSession) -> tuple[str, dict[UUID, str]]:
    """The tenant's forms by name (for analytics' reports)."""
    return "form", {
        form.id: form.name for form in (await db.execute(select(Form).order_by(Form.name))).scalars()
    }


async def allowed_origins(db: AsyncSession) -> set[str]:
    """Every website the tenant allowed one of its forms on (its cookie banner may run there too)."""
    return {
        origin
        for allowed in (await db.execute(select(Form.allowed_origins))).scalars()
        for origin in allowed or []
    }


async def find_form(db: AsyncSession, key: str) -> Form | None:
    """A form by its public key, from any tenant (the caller then scopes to the form's tenant)."""
    if not key or len(key) > 32:
        return None
    return (
        await db.execute(select(Form).where(Form.key == key).execution_options(all_tenants=True))
    ).scalar_one_or_none()


async def accept_submission(
    db: AsyncSession,
    form: Form,
    version: FormSpec,
    version_number: int | None,
    raw: dict[str, Any],
    context: SubmissionContext,
    country: str,
    nonce: str | None = None,
    skip: frozenset[str] = frozenset(),
    commit: bool = False,
    mail_limiter: MailLimiter | None = None,
) -> Submission:
    """Validate answers and store the submission with its routing job, in the caller's transaction.

    `mail_limiter`: the double opt-in e-mail goes to an address once per 10 minutes (a person who sends
    the form twice confirms with the first link) and 10 times a day, whoever submits it.

    `skip`: fields the visitor was not shown (a progressive form), so not asked for. `commit`: the
    caller writes nothing else with it, so it is committed before this returns; a lead that is routed
    at once (the usual case) is then stored in one statement (`routing_job.store_with_routing`).
    """
    asked = [f for f in version.fields if f["name"] not in skip]
    values, contact_fields = clean_answers(asked, raw, country, block_disposable=form.block_disposable_email)
    if "email" not in contact_fields:
        raise SubmissionInvalid({"_form": _("This form cannot be sent: it has no e-mail field.")})
    try:
        parent_email = consent_minors.parent_needed(form.requires_age_check, version.fields, values, raw)
    except consent_minors.ParentEmailNeeded as needed:
        raise SubmissionInvalid({consent_minors.PARENT_EMAIL_FIELD: str(needed)}) from needed
    tracked = {
        name: value
        for name, value in values.items()
        if name in HIDDEN_SOURCES and isinstance(value, str) and value
    }
    details: dict[str, Any] = {
        "source": context.source,
        "language": context.language,
        "form_name": form.name,
        "labels": {
            f["name"]: pick(f.get("label"), context.language) for f in version.fields if f["type"] != "hidden"
        },
        **tracked,
        **context.extra,
    }
    if form.crm_tags:
        details["tags"] = list(form.crm_tags)
    consents = consent_proof(version.fields, values, context.language)
    if consents:
        details["consents"] = consents
    if parent_email:
        details["parent_asked"] = True
    submission_id = uuid7()
    how = consent.ConsentHow(
        method=context.source,
        form_id=form.id,
        form_version=version_number,
        page_id=context.page_id,
        embed_host=context.extra.get("embed_host", ""),
        ip_hash=consent.ip_hash(context.ip),
        user_agent_family=consent.browser_family(context.user_agent),
    )
    ticked = consent.ticked_consents(version.fields, values, context.language)
    # Purposes with double opt-in: recorded once the person confirms by e-mail (a parent's yes confirms).
    waiting = await double_opt_in.needing_confirmation(db, ticked) if ticked and not parent_email else []
    if waiting:
        details[double_opt_in.PENDING_KEY] = double_opt_in.pending(waiting, how)
    submission = Submission(
        id=submission_id,
        tenant_id=form.tenant_id,
        form_id=form.id,
        form_version=version_number,
        page_id=context.page_id,
        data=values,
        contact_fields=contact_fields,
        context=details,
        token_nonce=nonce,
    )
    # Under 16: stored, but not routed until a parent consents (no contact, nothing in the CRM). Over the
    # plan's leads this month: stored all the same, routed once there is room again.
    held = bool(parent_email) or await quotas.must_hold(db, submission)
    waiting_fields = {item["field"] for item in waiting}
    given = [t for t in ticked if t["field"] not in waiting_fields]
    # A minor's ticked boxes wait with the lead in its hold, recorded once a parent agrees.
    records = [] if parent_email else consent.ticked_records(submission, given, how)
    if commit and not held and not waiting:
        # The intake's hot path: the lead, its consent records and its routing job in one statement.
        await routing_job.store_with_routing(db, submission, records)
        return submission
    db.add(submission)
    if not held:
        # On the intake's path: enqueueing only adds the job row and notes it in the session's `info`
        # (the same dict on the AsyncSession and its sync_session), so no run_sync is needed.
        routing_job.enqueue_routing(db.sync_session, submission.id, submission.tenant_id)
    await db.flush()  # before the rows that refer to it (a hold has no relationship to order it by)
    if parent_email:
        tenant = await db.get_one(Tenant, form.tenant_id)
        # Only adds rows (the hold, its e-mail and job): no I/O, so the sync_session serves without run_sync.
        consent_minors.hold_for_parent(
            db.sync_session,
            submission,
            parent_email,
            ticked,
            how,
            tenant_name=tenant.name,
            form_name=form.name,
        )
        quotas.hold(db, submission, quotas.WAITING_FOR_PARENT)
    else:
        if held:
            quotas.hold(db, submission)
        db.add_all(records)
        if waiting and (
            mail_limiter is None
            or await mail_limiter.allows(contact_fields["email"], f"double-opt-in:{form.tenant_id}")
        ):
            tenant = await db.get_one(Tenant, form.tenant_id)
            # Only adds rows (the e-mail and its job): no I/O, so the sync_session serves without run_sync.
            double_opt_in.ask(
                db.sync_session,
                submission,
                to=contact_fields["email"],
                language=context.language,
                tenant_name=tenant.name,
                purpose_names=[item["purpose_name"] for item in waiting],
            )
    if commit:
        await db.commit()
    return submission


_SPAM_KEEP = 40  # answers beyond this many fields are not kept


def keep_spam(
    db: AsyncSession,
    form: Form,
    version_number: int | None,
    raw: dict[str, Any],
    reason: str,
    context: SubmissionContext,
) -> SpamSubmission:
    """Keep what a suspected bot sent, for 30 days, so a person can release a false positive."""
    known = {f["name"] for f in form.fields}
    answers = {
        k: normalize_text(v)[:500]
        for k, v in list(raw.items())[:_SPAM_KEEP]
        if k in known and isinstance(v, str | int | float | bool)
    }
    spam = SpamSubmission(
        id=uuid7(),
        tenant_id=form.tenant_id,
        form_id=form.id,
        form_version=version_number,
        answers=answers,
        context={
            "source": context.source,
            "language": context.language,
            **({"page_id": str(context.page_id)} if context.page_id else {}),
        },
        reason=reason,
        detail="",
    )
    db.add(spam)
    return spam


async def release_spam(db: AsyncSession, form: Form, spam: SpamSubmission, country: str) -> Submission:
    """A person judged it genuine: route it into the CRM like any submission."""
    if spam.released_at is not None:
        raise FormInvalid(_("This submission was released already."))
    version = await live_version(db, form)
    spec: FormSpec = version or form
    try:
        submission = await accept_submission(
            db,
            form,
            spec,
            form.published_version,
            dict(spam.answers),
            SubmissionContext(source="released", language=spam.context.get("language", "nl")),
            country,
        )
    except SubmissionInvalid as invalid:
        problems = "; ".join(invalid.errors.values())
        raise FormInvalid(_("It cannot be released as it is: %(problems)s", problems=problems)) from invalid
    spam.released_at = utcnow()
    return submission


def purge_old_spam(session: Session) -> int:
    """Forget suspected spam after 30 days (runs for every tenant)."""
    cutoff = utcnow() - timedelta(days=SPAM_KEPT_DAYS)
    result = session.execute(
        delete(SpamSubmission).where(SpamSubmission.created_at < cutoff).execution_options(all_tenants=True)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def purge_old_spam_job(settings: Settings) -> int:
    """The scheduled purge of suspected spam older than 30 days."""
    with sync_session(settings.database.sync_url) as session:
        purged = purge_old_spam(session)
        session.commit()
    return purged
