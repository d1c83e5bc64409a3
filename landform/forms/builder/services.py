"""The builder's rules: a new form, its fields and settings, and publishing the draft as a version."""

from __future__ import annotations

import secrets
from types import SimpleNamespace
from typing import Any, cast
from urllib.parse import urlsplit
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy.orm import Session

from landform.consent import minors as consent_minors
from landform.consent import services as consent
from landform.core import drafts
from landform.core.db import utcnow
from landform.core.i18n import LANGUAGES, pick
from landform.core.i18n import gettext as _
from landform.core.text import normalize_text
from landform.forms import logic, progressive
from landform.forms.fields import (
    BOOLEAN,
    FIELD_TYPES,
    HIDDEN_SOURCES,
    TEXT_TARGETS,
    URL_PARAM,
    WITH_OPTIONS,
    asks_special_category,
    field_slug,
    param_name,
)
from landform.forms.intake.spam import HONEYPOT, TOKEN_FIELD
from landform.forms.models import Form, FormVersion
from landform.forms.uploads.rules import SettingsInvalid, file_settings

RESERVED_NAMES = {HONEYPOT, TOKEN_FIELD, "_csrf_token", "lang"}
MAX_FIELDS = 40
MAX_OPTIONS = 50


class FormInvalid(Exception):
    """A builder change that is not allowed, with the reason to show."""


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
    if kind == "consent":
        # A box that records no purpose shows ticked on the lead with "no consent recorded".
        if purpose is None and data.get("purpose_id") == "new":
            raise FormInvalid(_("Give the purpose a name in at least one language."))
        if purpose is None and data.get("purpose_id"):
            raise FormInvalid(_("Choose one of the purposes offered."))
        if purpose is None:
            raise FormInvalid(
                _("Choose the purpose this consent box records, or create a new purpose for it.")
            )
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
        if source == URL_PARAM:
            return _add_url_param(form, data, new, taken)
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
    if kind == "file":
        try:
            new.update(file_settings(data))
        except SettingsInvalid as invalid:
            raise FormInvalid(str(invalid)) from invalid
    new.update(name=field_slug(labels["en"], taken), label=labels)
    if kind == "consent" and purpose is not None:
        new.update(purpose_id=str(purpose.id), consent_text_id=str(purpose.text_id))
    if any(help_texts.values()):
        new["help"] = help_texts
    if any(placeholders.values()):
        new["placeholder"] = placeholders
    if options:
        new["options"] = options
    default = normalize_text(data.get("default", ""))[:200]
    if default and kind not in BOOLEAN and kind != "file":
        new["default"] = default
    form.fields = [*form.fields, new]
    return new


def _add_url_param(form: Form, data: dict[str, str], new: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    """A hidden field that keeps the `?param=` the marketer names (at most 200 characters of it).

    With `consent_field`, the value is kept only when the visitor ticked that consent box: a click id or
    a partner's reference can identify a person, and is then kept with their consent only.
    """
    try:
        param = param_name(data.get("param", ""))
    except ValueError as error:
        raise FormInvalid(
            _("Name the address parameter to keep, like gclid or ref (letters, digits, _ . -).")
        ) from error
    if any(f.get("param") == param for f in form.fields):
        raise FormInvalid(_("This form already carries that value."))
    new.update(name=field_slug(param, taken), source=URL_PARAM, param=param, label={"nl": param, "en": param})
    box = data.get("consent_field", "")
    if box:
        if not any(f["name"] == box and f["type"] == "consent" for f in form.fields):
            raise FormInvalid(_("Choose one of the form's consent boxes."))
        new["consent_field"] = box
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
    for kept in ("show_if", "skip_to"):
        if current.get(kept):
            changed[kept] = current[kept]
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
    form.fields = logic.drop_rules_on(remaining, name)


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
    form.confirmation_email = data.get("confirmation_email") == "on"
    form.proof_of_work_always = data.get("proof_of_work_always") == "on"
    form.allow_resume = data.get("allow_resume") == "on"
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


def mark_changed(form: Form, user_id: UUID | None = None) -> None:
    """Note a change to the draft; the new revision tells an open builder its copy is stale."""
    form.draft_changed_at = utcnow()
    drafts.record_save(form, user_id)


def publish(db: Session, form: Form, user_id: UUID | None = None) -> FormVersion:
    """Freeze the draft as the next version; visitors see it from now on.

    Synchronous: the demo and the tests' set-up publish with a plain session, the builder's screen
    through `db.run_sync`.
    """
    if not any(f["type"] == "email" for f in form.fields):
        raise FormInvalid(_("A form needs an e-mail field: the CRM knows people by their address."))
    without_purpose = [f for f in form.fields if f["type"] == "consent" and not f.get("purpose_id")]
    if without_purpose:
        raise FormInvalid(
            _(
                "The consent box “%(label)s” does not say which purpose it records. Edit the field and "
                "choose or create a purpose, then publish.",
                label=pick(without_purpose[0].get("label")),
            )
        )
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
    form.archived_at = None  # publishing reopens an archived form
    return version
