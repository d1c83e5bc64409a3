"""Field types: what a form may ask, how each answer is validated, and what it fills in the CRM."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from landform.i18n import gettext as _
from landform.i18n import lazy_gettext
from landform.text import normalize_text

FIELD_TYPES = {
    "text": lazy_gettext("Text"),
    "email": lazy_gettext("E-mail address"),
    "phone": lazy_gettext("Phone number"),
    "checkbox": lazy_gettext("Checkbox"),
    "hidden": lazy_gettext("Hidden (filled automatically)"),
}

# The CRM contact field a text answer can fill.
TEXT_TARGETS = {
    "": lazy_gettext("Nothing (kept with the submission)"),
    "first_name": lazy_gettext("First name"),
    "last_name": lazy_gettext("Last name"),
    "company_name": lazy_gettext("Company"),
    "job_title": lazy_gettext("Job title"),
}

# What a hidden field carries; the page fills it from its own URL and referrer.
HIDDEN_SOURCES = {
    "utm_source": "UTM source",
    "utm_medium": "UTM medium",
    "utm_campaign": "UTM campaign",
    "utm_term": "UTM term",
    "utm_content": "UTM content",
    "referrer": lazy_gettext("Referring page"),
    "page_url": lazy_gettext("Page address"),
}

MAX_LENGTH = {"text": 200, "email": 254, "phone": 32, "hidden": 500}
_TRUE = {"on", "true", "1", "yes", "ja"}


class SubmissionInvalid(Exception):
    """Answers that fail validation, by field name (`_form` for the form as a whole)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def clean_answers(
    fields: list[dict[str, Any]], raw: Mapping[str, Any], country: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate a visitor's answers: returns (values by field name, CRM contact fields).

    Raises SubmissionInvalid with a message per field, in the current language.
    """
    values: dict[str, Any] = {}
    contact: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in fields:
        name, kind = field["name"], field["type"]
        raw_value = raw.get(name)
        if kind == "checkbox":
            checked = raw_value is True or normalize_text(raw_value).casefold() in _TRUE
            if field.get("required") and not checked:
                errors[name] = _("Please tick this box to continue.")
            values[name] = checked
            continue
        text = normalize_text(raw_value)
        limit = MAX_LENGTH.get(kind, 200)
        if len(text) > limit:
            errors[name] = _("Please use at most %(limit)d characters.", limit=limit)
            continue
        if not text:
            if field.get("required") and kind != "hidden":
                errors[name] = _("Please fill in this field.")
            continue
        if kind == "email":
            try:
                text = validate_email(text, check_deliverability=False).normalized
            except EmailNotValidError:
                errors[name] = _("Please enter a valid e-mail address, like name@example.com.")
                continue
            contact.setdefault("email", text)
        elif kind == "phone":
            try:
                number = phonenumbers.parse(text, country or "NL")
            except phonenumbers.NumberParseException:
                number = None
            if number is None or not phonenumbers.is_valid_number(number):
                errors[name] = _("Please enter a valid phone number, like +31 20 123 4567.")
                continue
            text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            contact.setdefault("phone", text)
        elif kind == "text" and field.get("maps_to") in TEXT_TARGETS and field.get("maps_to"):
            contact.setdefault(field["maps_to"], text)
        values[name] = text
    if errors:
        raise SubmissionInvalid(errors)
    return values, contact


def field_slug(label: str, taken: set[str]) -> str:
    """A stable machine name for a new field, unique within its form."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:40] or "field"
    if base.startswith("_"):
        base = "f" + base
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name
