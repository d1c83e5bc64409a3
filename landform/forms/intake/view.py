"""What a visitor sees of a form: the fields, answers, errors and bot-check token a template renders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from uuid import UUID

from landform.consent import minors as consent_minors
from landform.core.i18n import gettext as _
from landform.core.i18n import pick
from landform.forms import logic, progressive
from landform.forms.embed import extension_url
from landform.forms.fields import SCALES, TYPE_TARGETS, URL_PARAM, URL_PARAM_MAX
from landform.forms.guard.proof import FIELD
from landform.forms.intake import steps_carry
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


def _view_field(
    item: dict[str, Any], language: str, value: Any, error: str, answers: dict[str, Any]
) -> dict[str, Any]:
    kind = item["type"]
    label = pick(item.get("label"), language)
    options = [{"value": o["value"], "label": pick(o["label"], language)} for o in item.get("options", [])]
    if kind in SCALES:
        low, high = SCALES[kind]
        options = [{"value": str(n), "label": str(n)} for n in range(low, high + 1)]
    return {
        "name": item["name"],
        "type": kind,
        "label": logic.pipe(label, answers),
        # The label as written, for the browser to pipe answers given on the same step into it.
        "pipe": label if "{" in label else "",
        "help": pick(item.get("help"), language),
        "placeholder": pick(item.get("placeholder"), language),
        "required": bool(item.get("required")),
        "value": value,
        "error": error,
        "autocomplete": AUTOCOMPLETE.get(item.get("maps_to") or TYPE_TARGETS.get(kind) or kind, "off"),
        "options": options,
        "source": item.get("source", ""),
        "param": item.get("param", ""),
        "show_if": item.get("show_if") or None,
        **(upload_view(item) if kind == "file" else {}),
    }


def _parent_field(
    spec_fields: list[dict[str, Any]], values: dict[str, Any], errors: dict[str, str], language: str
) -> tuple[str, dict[str, Any]] | None:
    """The parent's address, asked right after the date of birth as soon as it says under 16."""
    born = next((f["name"] for f in spec_fields if f["type"] == "date_of_birth"), None)
    if born is None:
        return None
    parent = consent_minors.PARENT_EMAIL_FIELD
    item = consent_minors.parent_email_field(str(values.get(parent, "")), errors.get(parent, ""), language)
    rule = {"field": born, "op": "younger_than", "value": consent_minors.MINIMUM_AGE}
    item.update(show_if={"match": "all", "rules": [rule]}, pipe="", param="")
    return born, item


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
    age_check: bool = False,
    step: str | None = None,
    all_steps: bool = False,
    challenge: dict[str, Any] | None = None,
    later: bool = False,
    resume: str = "",
) -> dict[str, Any]:
    """What a template (or the embed script) needs to render the form, with answers and errors.

    `visit`: what a hosted page knows of the visitor; the fields it leaves out are decided here
    (or were decided when the form was first shown, when it comes back with errors).
    `step`: on a form with steps, the one to show (the first shown when None); the answers of the
    steps before it travel along signed (`carry`). `all_steps`: every field (the builder's canvas).
    `challenge`: a proof of work the browser solves before the form is sent (`forms/guard/proof.py`).
    `later`: the form offers "Finish later" (forms/intake/resume); `resume`: the link it was opened with, sent
    back with the submission so the saved answers are deleted.
    """
    values, errors, tracking = values or {}, errors or {}, tracking or {}
    visit = visit or progressive.Visit()
    if visit.skip is None:
        known = visit.known if visit.functional else frozenset()
        visit = replace(visit, skip=progressive.plan(logic.answer_fields(spec.fields), known))
    walked = logic.walk(spec.fields, values)
    shown_steps = walked.shown_steps() if not all_steps else walked.steps
    wrong = next((s for s in shown_steps if any(f["name"] in errors for f in s.fields)), None)
    current = next((s for s in shown_steps if s.name == step), wrong or shown_steps[0])
    position = shown_steps.index(current)
    before = {f["name"] for s in shown_steps[:position] for f in s.fields}
    on_this_step = {f["name"] for f in current.fields}
    parent = _parent_field(spec.fields, values, errors, language) if age_check else None
    items = (
        [(i, f) for i, s in enumerate(shown_steps) for f in s.fields]
        if all_steps
        else [(position, f) for f in current.fields]
    )
    fields = []
    for number, item in items:
        name, kind = item["name"], item["type"]
        if name in (visit.skip or ()):
            continue
        condition = item.get("show_if") or {}
        same_step = any(r.get("field") in on_this_step for r in condition.get("rules", []))
        # A rule on an earlier step's answer is decided here; one on this step's answers in the browser
        # (without JavaScript the field stays visible and the server ignores it when the rules hide it).
        if not all_steps and not same_step and item not in walked.shown:
            continue
        if kind == "hidden":
            value: Any = tracking.get(item.get("param") or item.get("source", ""), "")
        else:
            value = values.get(name, item.get("default", ""))
        fields.append(
            {**_view_field(item, language, value, errors.get(name, ""), walked.answers), "step": number}
        )
        if parent is not None and parent[0] == name:
            fields.append({**parent[1], "step": number})
    missing = consent_minors.PARENT_EMAIL_FIELD
    if parent is None and (missing in errors or values.get(missing)):
        # The "I am 16 or older" box unticked: the parent's address is asked once the intake says so.
        fields.append(
            consent_minors.parent_email_field(str(values.get(missing, "")), errors.get(missing, ""), language)
        )
    steps = [logic.pipe(pick((s.item or {}).get("label"), language), walked.answers) for s in shown_steps]
    # Every answer not on this step travels along: those before it, and after it when going back.
    answer_names = {f["name"] for f in logic.answer_fields(spec.fields)} | {consent_minors.PARENT_EMAIL_FIELD}
    carried = {
        k: v for k, v in values.items() if k in answer_names and k not in on_this_step and isinstance(v, str)
    }
    # Every step of a form with a file field posts multipart to the files route (the last one sends them).
    has_files = any(f["type"] == "file" for f in spec.fields)
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
        # Steps: the one shown, where it is, and the earlier answers it carries (signed).
        "steps": steps if len(shown_steps) > 1 and not all_steps else [],
        "all_steps": all_steps and len(shown_steps) > 1,
        "step": current.name,
        "step_number": position + 1,
        "last_step": position == len(shown_steps) - 1,
        "carry": steps_carry.sign_answers(carried) if carried else "",
        "step_list": [
            {
                "name": s.name,
                "title": pick((s.item or {}).get("label"), language),
                "show_if": (s.item or {}).get("show_if"),
                "skip_to": (s.item or {}).get("skip_to"),
            }
            for s in shown_steps
        ],
        "answers": {k: v for k, v in walked.answers.items() if k in before},
        # Rules, piping or steps: the page links the small script that runs them (logic-1.js).
        "later": later and not all_steps,
        "resume": resume,
        "scripted": not all_steps
        and (len(shown_steps) > 1 or any(f["show_if"] or f["pipe"] for f in fields)),
        "altcha": challenge,
        "altcha_field": FIELD,
        "altcha_script": extension_url("altcha") if challenge else "",
    }


def url_params(fields: list[dict[str, Any]], query: Mapping[str, str]) -> dict[str, str]:
    """The `?param=` values the form's URL-parameter fields name, cut to their length limit."""
    return {
        f["param"]: str(query[f["param"]])[:URL_PARAM_MAX]
        for f in fields
        if f.get("source") == URL_PARAM and f.get("param") in query
    }


def embed_extensions(view: dict[str, Any]) -> dict[str, Any]:
    """What the embed script needs beyond a plain form: `ext` names the extension files it loads."""
    stepped = len(view["step_list"]) > 1
    needs = (f.get("show_if") or f.get("pipe") or f["type"] in SCALES for f in view["fields"])
    if not stepped and not any(needs):
        return {}
    return {
        "ext": ["steps"],
        "steps": view["step_list"] if stepped else [],
        "step_messages": {
            "next": _("Next"),
            "back": _("Back"),
            "of": _("Step %(n)s of %(total)s", n="{n}", total="{t}"),
        },
    }
