"""The builder's draft as the browser keeps it: read, checked field by field, saved with a revision.

The browser sends the whole list of fields on every autosave, with the revision it started from. A save
from a stale revision (another tab saved in between) is refused before anything changes; a field that
breaks a rule keeps its stored version and is named in the answer, while the rest of the save is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast
from uuid import UUID

from landform.consent import services as consent
from landform.core.drafts import DraftInvalid, check_revision, sent_revision
from landform.core.i18n import LANGUAGES
from landform.core.i18n import gettext as _
from landform.core.text import normalize_text
from landform.forms import logic
from landform.forms.builder import services
from landform.forms.fields import FIELD_TYPES, URL_PARAM, field_slug
from landform.forms.models import Form, FormVersion
from landform.forms.uploads.sniff import KINDS as FILE_KINDS

# What the builder edits of a field; every other key a stored field has (a consent box's purpose, the
# age declaration's flag, a number's bounds) is kept as it is.
EDITED = {"name", "type", "label", "help", "placeholder", "required", "progressive", "options"}
EDITED |= {"maps_to", "default", "source", "purpose_id", "consent_text_id", "show_if", "skip_to"}
EDITED |= {"accept", "max_mb", "max_files"}
TEXT_LIMITS = {"label": 300, "help": 300, "placeholder": 100}


@dataclass
class DraftSpec:
    """A draft in the shape the visitor's form is drawn from (intake.pipeline.FormSpec)."""

    fields: list[dict[str, Any]]
    submit_label: dict[str, str]
    thank_you: dict[str, str]
    redirect_url: str | None


@dataclass
class DraftSaved:
    revision: int
    # Problems by the browser's key of the field; those fields kept their stored version.
    errors: dict[str, str] = field(default_factory=dict)
    # New fields' machine names by the browser's key for them.
    renamed: dict[str, str] = field(default_factory=dict)


def can_publish(form: Form, live: FormVersion | None) -> bool:
    """Whether "Publish" has something to do: never published, or the draft differs from what is live."""
    if live is None:
        return True
    return (form.fields, form.submit_label, form.thank_you, form.redirect_url) != (
        live.fields,
        live.submit_label,
        live.thank_you,
        live.redirect_url,
    )


def draft_state(form: Form, live: FormVersion | None) -> dict[str, Any]:
    """What the browser starts from: the stored draft, its revision and whether it can be published."""
    return {
        "revision": form.draft_revision,
        "fields": [{**f, "key": f["name"]} for f in form.fields],
        "submit_label": dict(form.submit_label),
        "can_publish": can_publish(form, live),
    }


def _texts(raw: Any, limit: int) -> dict[str, str]:
    texts = raw if isinstance(raw, dict) else {}
    return {
        lang: normalize_text(texts.get(lang) if isinstance(texts.get(lang), str) else "")[:limit]
        for lang in LANGUAGES
    }


def read_fields(payload: Any) -> list[tuple[str, dict[str, Any]]]:
    """The fields of a draft the browser sent, by their keys, shaped as stored; raises DraftInvalid.

    Only the shape is checked here (the builder's rules are checked when saving); the preview renders
    what this returns.
    """
    raw = payload.get("fields") if isinstance(payload, dict) else None
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise DraftInvalid({"fields": _("The draft's fields are missing or not a list.")})
    if len(raw) > services.MAX_FIELDS:
        raise DraftInvalid({"fields": _("A form can have at most %(n)d fields.", n=services.MAX_FIELDS)})
    read: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(raw):
        key = str(item.get("key") or item.get("name") or f"new-{index}")[:64]
        kind = item.get("type")
        if kind == logic.STEP:
            read.append((key, _step(item)))
            continue
        if kind not in FIELD_TYPES:
            raise DraftInvalid({key: _("Choose one of the field types offered.")})
        options = item.get("options") if isinstance(item.get("options"), list) else []
        shaped: dict[str, Any] = {
            "name": str(item.get("name") or "")[:64],
            "type": kind,
            "required": item.get("required") is True,
            "label": _texts(item.get("label"), TEXT_LIMITS["label"]),
            "help": _texts(item.get("help"), TEXT_LIMITS["help"]),
            "placeholder": _texts(item.get("placeholder"), TEXT_LIMITS["placeholder"]),
            "options": [
                {"value": str(o.get("value") or "")[:64], "label": _texts(o.get("label"), 200)}
                for o in options[: services.MAX_OPTIONS + 1]
                if isinstance(o, dict)
            ],
        }
        for name in ("maps_to", "default", "source", "purpose_id", "param", "consent_field"):
            if isinstance(item.get(name), str):
                shaped[name] = normalize_text(item[name])[:200]
        if item.get("progressive") is True:
            shaped["progressive"] = True
        if isinstance(item.get("show_if"), dict):
            shaped["show_if"] = item["show_if"]  # checked against the saved fields' names in save_draft
        if kind == "file":
            accept = item.get("accept") if isinstance(item.get("accept"), list) else []
            shaped["accept"] = [k for k in FILE_KINDS if k in accept]
            for name in ("max_mb", "max_files"):
                if isinstance(item.get(name), int | str):
                    shaped[name] = str(item[name])[:3]
        read.append((key, shaped))
    return read


def _step(item: dict[str, Any]) -> dict[str, Any]:
    """A step break as the browser sent it: its title, and the rules that show or skip past it."""
    step: dict[str, Any] = {
        "name": str(item.get("name") or "")[:64],
        "type": logic.STEP,
        "label": _texts(item.get("label"), 200),
    }
    for name in ("show_if", "skip_to"):
        if isinstance(item.get(name), dict):
            step[name] = item[name]
    return step


def _with_rules(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each field's and step's rules kept only where they name a field of this form (and a later step)."""
    names = {f["name"] for f in fields if not logic.is_step(f)}
    result = []
    for index, item in enumerate(fields):
        checked = {k: v for k, v in item.items() if k not in ("show_if", "skip_to")}
        show_if = logic.read_condition(item.get("show_if"), names)
        if show_if:
            checked["show_if"] = show_if
        skip_to = logic.read_condition(item.get("skip_to"), names, with_step=True)
        later = {f["name"] for f in fields[index + 1 :] if logic.is_step(f)}
        if skip_to and logic.is_step(item) and skip_to["step"] in later:
            checked["skip_to"] = skip_to
        result.append(checked)
    return result


def read_submit_label(payload: Any, current: dict[str, str]) -> dict[str, str]:
    if not isinstance(payload, dict) or not isinstance(payload.get("submit_label"), dict):
        return dict(current)
    return _texts(payload["submit_label"], 60)


def _as_builder_form(item: dict[str, Any]) -> dict[str, str]:
    """A field as the builder's add form posts it, so the one set of rules checks both."""
    data = {
        f"{part}_{lang}": item[part][lang] for part in TEXT_LIMITS for lang in LANGUAGES if item[part][lang]
    }
    data["type"] = item["type"]
    data["options"] = "\n".join(
        " | ".join(o["label"][lang].replace("|", "/") for lang in LANGUAGES)
        for o in item["options"]
        if any(o["label"].values())
    )
    copied = ("maps_to", "default", "source", "purpose_id", "param", "consent_field")
    data.update({name: item[name] for name in copied if name in item})
    if item["required"]:
        data["required"] = "on"
    if item.get("progressive"):
        data["progressive"] = "on"
    if item["type"] == "file":
        data.update({f"accept_{kind}": "on" for kind in item.get("accept", [])})
        data.update({name: item[name] for name in ("max_mb", "max_files") if name in item})
    return data


def _checked(
    item: dict[str, Any],
    old: dict[str, Any] | None,
    taken: list[dict[str, Any]],
    purposes: dict[str, consent.PurposeChoice],
    consent_boxes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The field as it will be stored, by the builder's rules; raises services.FormInvalid."""
    if old is not None and old["type"] != item["type"]:
        raise services.FormInvalid(_("A field's type cannot change: add a new field instead."))
    if item["type"] == logic.STEP:
        names = {f["name"] for f in taken}
        name = old["name"] if old else field_slug("step " + (item["label"]["en"] or "new"), names)
        return {**item, "name": name}
    if old is not None and old["type"] == "hidden":
        if (item.get("source"), item.get("param", "")) == (old.get("source"), old.get("param", "")):
            return old
        old = None  # it carries something else now: checked as a new hidden field
    if item["type"] == "hidden" and item.get("source") == URL_PARAM:
        # Its name comes from the parameter (so a second one can be added), not from the source.
        others = SimpleNamespace(fields=[*taken, *(consent_boxes or [])])
        return services.add_field(cast(Form, others), _as_builder_form(item))
    purpose = purposes.get(item.get("purpose_id", ""))
    others = SimpleNamespace(fields=taken)
    checked = services.add_field(cast(Form, others), _as_builder_form(item), purpose)
    if item["type"] == "consent" and old and old.get("purpose_id") == item.get("purpose_id"):
        checked["consent_text_id"] = old.get("consent_text_id")  # the text version it was added with
    if old is not None:
        checked["name"] = old["name"]
        checked.update({k: v for k, v in old.items() if k not in EDITED})
    if isinstance(item.get("show_if"), dict):
        checked["show_if"] = item["show_if"]
    if checked["type"] != "hidden":
        # Kept per language as typed: the other language stands in for visitors (core.i18n.pick), and
        # the builder shows which translations are missing.
        for part in TEXT_LIMITS:
            if any(item[part].values()):
                checked[part] = dict(item[part])
    return checked


def save_draft(
    form: Form,
    payload: Any,
    purposes: list[consent.PurposeChoice],
    user_id: UUID | None,
) -> DraftSaved:
    """Store the browser's draft if it started from the current revision; see the module's docstring.

    Raises core.drafts.DraftConflict (nothing changes) and DraftInvalid.
    """
    check_revision(form, sent_revision(payload))
    items = read_fields(payload)
    current = {f["name"]: f for f in form.fields}
    kept_names = {item["name"] for _key, item in items if item["name"] in current}
    by_id = {str(p.id): p for p in purposes}
    boxes = [item for _key, item in items if item["type"] == "consent" and item["name"]]
    fields: list[dict[str, Any]] = []
    saved = DraftSaved(revision=form.draft_revision)
    for key, item in items:
        old = current.get(item["name"])
        names = kept_names | {f["name"] for f in fields}
        taken = [{"name": name, "type": ""} for name in names - ({old["name"]} if old else set())]
        try:
            checked = _checked(item, old, taken, by_id, boxes)
        except services.FormInvalid as error:
            saved.errors[key] = str(error)
            if old is not None:
                fields.append(old)
            continue
        if old is None:
            saved.renamed[key] = checked["name"]
        fields.append(checked)
    if not any(f["type"] == "email" for f in fields):
        raise DraftInvalid(
            {"fields": _("A form needs an e-mail field: the CRM knows people by their address.")}
        )
    form.fields = _with_rules(fields)
    form.submit_label = read_submit_label(payload, form.submit_label)
    services.mark_changed(form, user_id)
    saved.revision = form.draft_revision
    return saved
