"""What a visitor sees of a form: the fields, answers, errors and bot-check token a template renders."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from landform.consent import minors as consent_minors
from landform.core.i18n import gettext as _
from landform.core.i18n import pick
from landform.forms import progressive
from landform.forms.fields import TYPE_TARGETS
from landform.forms.intake.pipeline import FormSpec
from landform.forms.intake.spam import HONEYPOT, TOKEN_FIELD, issue_token
from landform.forms.uploads.rules import upload_view

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
                **(upload_view(item) if kind == "file" else {}),
            }
        )
    has_files = any(f["type"] == "file" for f in fields)
    parent = consent_minors.PARENT_EMAIL_FIELD
    if parent in errors or values.get(parent):
        fields.append(
            consent_minors.parent_email_field(str(values.get(parent, "")), errors.get(parent, ""), language)
        )
    return {
        "key": key,
        # A form with a file field posts multipart to its own route, with the larger body limit uploads need.
        "action": f"/f/{key}/files" if has_files else f"/f/{key}",
        "multipart": has_files,
        "fields": fields,
        "form_error": errors.get("_form", ""),
        "submit_label": pick(spec.submit_label, language) or _("Send"),
        "token": issue_token(key, page_id, visit),
        "honeypot": HONEYPOT,
        "token_field": TOKEN_FIELD,
        "has_errors": bool(errors),
    }
