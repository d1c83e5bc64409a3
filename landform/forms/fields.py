"""Field types: what a form may ask, how each answer is validated, and what it fills in the CRM."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from email_validator import EmailNotValidError, validate_email

from landform.core.i18n import gettext as _
from landform.core.i18n import lazy_gettext, pick
from landform.core.text import normalize_text
from landform.crm_sink import normalize
from landform.crm_sink.fields import LEAD_FIELDS

FIELD_TYPES = {
    "text": lazy_gettext("Text"),
    "textarea": lazy_gettext("Long text"),
    "email": lazy_gettext("E-mail address"),
    "phone": lazy_gettext("Phone number"),
    "number": lazy_gettext("Number"),
    "select": lazy_gettext("Drop-down list"),
    "radio": lazy_gettext("Choice (radio buttons)"),
    "checkbox": lazy_gettext("Checkbox"),
    "consent": lazy_gettext("Consent checkbox"),
    "date_of_birth": lazy_gettext("Date of birth"),
    "company_name": lazy_gettext("Company name"),
    "vat_number": lazy_gettext("VAT number"),
    "kvk_number": lazy_gettext("KvK number (Chamber of Commerce)"),
    "rsin": lazy_gettext("RSIN"),
    "website": lazy_gettext("Website"),
    "postcode": lazy_gettext("Postcode"),
    "hidden": lazy_gettext("Hidden (filled automatically)"),
    "rating": lazy_gettext("Rating (1 to 5)"),
    "nps": lazy_gettext("Scale from 0 to 10 (NPS)"),
    "file": lazy_gettext("File upload"),
}
# Scales answered by picking a number: the lowest and highest.
SCALES = {"rating": (1, 5), "nps": (0, 10)}
WITH_OPTIONS = {"select", "radio"}
BOOLEAN = {"checkbox", "consent"}

# The CRM contact field a text answer can fill.
TEXT_TARGETS = {
    "": lazy_gettext("Nothing (kept with the submission)"),
    "first_name": lazy_gettext("First name"),
    "last_name": lazy_gettext("Last name"),
    "company_name": lazy_gettext("Company"),
    "job_title": lazy_gettext("Job title"),
}
# Field types that fill a CRM field by what they are: those named as a field the CRM takes of a lead.
TYPE_TARGETS = {kind: kind for kind in FIELD_TYPES if kind == "email" or kind in LEAD_FIELDS}

# What a hidden field carries; the page fills it from its own URL and referrer. `url_param`: the value of
# the `?param=` the marketer names (the field's `param`), kept only with the submission, never counted.
URL_PARAM = "url_param"
HIDDEN_SOURCES = {
    "utm_source": "UTM source",
    "utm_medium": "UTM medium",
    "utm_campaign": "UTM campaign",
    "utm_term": "UTM term",
    "utm_content": "UTM content",
    "referrer": lazy_gettext("Referring page"),
    "page_url": lazy_gettext("Page address"),
    URL_PARAM: lazy_gettext("A parameter of the page address you name"),
}
URL_PARAM_MAX = 200
_PARAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,39}")

MAX_LENGTH = {
    "textarea": 5000,
    "email": 254,
    "phone": 32,
    "hidden": 500,
    "website": 300,
    "vat_number": 20,
    "kvk_number": 20,
    "rsin": 20,
    "postcode": 10,
    "number": 30,
    "date_of_birth": 10,
}
DEFAULT_MAX_LENGTH = 200
_TRUE = {"on", "true", "1", "yes", "ja"}
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# Special categories of personal data (GDPR art. 9) and national identifiers: the privacy statement
# forbids collecting them, so the builder refuses fields that ask for them. Short words match whole.
_SPECIAL_STEMS = (
    "gezondheid",
    "medisch",
    "ziekte",
    "ziekt",
    "diagnose",
    "handicap",
    "beperking",
    "zwanger",
    "religie",
    "religio",
    "geloof",
    "godsdienst",
    "etnic",
    "etnisch",
    "afkomst",
    "politiek",
    "politieke voorkeur",
    "vakbond",
    "seksue",
    "geaardheid",
    "strafblad",
    "strafrecht",
    "veroordeling",
    "biometri",
    "vingerafdruk",
    "genetisch",
    "burgerservicenummer",
    "sofinummer",
    "paspoort",
    "identiteitsbewijs",
    "health",
    "medical",
    "illness",
    "disease",
    "diagnos",
    "disabilit",
    "pregnan",
    "faith",
    "ethnic",
    "racial",
    "political",
    "trade union",
    "union member",
    "sexual",
    "sexuality",
    "orientation",
    "criminal",
    "conviction",
    "biometric",
    "fingerprint",
    "genetic",
    "citizen service number",
    "social security",
    "passport",
    "identity document",
    "id card",
    "id-kaart",
)
_SPECIAL_WORDS = ("ras", "race", "bsn", "dna", "hiv", "kerk", "church", "mosque", "moskee", "religion")
_SPECIAL = re.compile(
    r"\b(?:"
    + "|".join(re.escape(s) for s in _SPECIAL_STEMS)
    + r")|\b(?:"
    + "|".join(re.escape(w) for w in _SPECIAL_WORDS)
    + r")\b",
    re.IGNORECASE,
)


class ReceivedFiles(str):
    """A file field's answer (the names of the files kept), set by the intake once the files are stored.

    Only this type fills a file field: a name typed into a crafted request is a plain string, ignored.
    """


class SubmissionInvalid(Exception):
    """Answers that fail validation, by field name (`_form` for the form as a whole)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def asks_special_category(*texts: str) -> bool:
    """Whether any of these labels or help texts asks for a special category of personal data."""
    return any(_SPECIAL.search(unicodedata.normalize("NFKC", text or "")) for text in texts)


def _clean_textarea(value: Any) -> str:
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    return _CONTROL_BUT_NEWLINE.sub("", text).strip()


def _email(text: str, block_disposable: bool) -> str:
    try:
        address = validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(_("Please enter a valid e-mail address, like name@example.com.")) from error
    if block_disposable and address.rsplit("@", 1)[-1].lower() in DISPOSABLE_DOMAINS:
        raise ValueError(_("Please use a permanent e-mail address: we cannot reach you at a disposable one."))
    return address


def _number(text: str, field: dict[str, Any]) -> int | float:
    try:
        number = Decimal(text.replace(",", ".").replace(" ", ""))
    except InvalidOperation as error:
        raise ValueError(_("Please enter a number, like 12 or 3.5.")) from error
    if not number.is_finite() or abs(number) > Decimal("1e12"):
        raise ValueError(_("Please enter a number, like 12 or 3.5."))
    low, high = field.get("min"), field.get("max")
    if (low is not None and number < Decimal(str(low))) or (high is not None and number > Decimal(str(high))):
        raise ValueError(_("Please enter a number from %(low)s to %(high)s.", low=low, high=high))
    return int(number) if number == number.to_integral_value() else float(number)


def _date_of_birth(text: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.fullmatch(
        r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text
    )
    try:
        if match is None:
            raise ValueError
        parts = [int(p) for p in match.groups()]
        born = (
            date(parts[0], parts[1], parts[2])
            if len(match.group(1)) == 4
            else date(parts[2], parts[1], parts[0])
        )
    except ValueError as error:
        raise ValueError(_("Please enter a date, like 31-12-1990.")) from error
    today = date.today()
    if born > today or today.year - born.year > 120:
        raise ValueError(_("Please enter your real date of birth."))
    return born.isoformat()


def _scale(text: str, kind: str) -> int:
    low, high = SCALES[kind]
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(_("Please choose a number from %(low)d to %(high)d.", low=low, high=high))
    return int(text)


def param_name(raw: str) -> str:
    """A URL parameter's name as the marketer typed it; ValueError when it is not a plain name."""
    name = raw.strip()
    if not _PARAM_NAME.fullmatch(name):
        raise ValueError(name)
    return name


def _kept_param(field: dict[str, Any], raw: Mapping[str, Any]) -> bool:
    """A URL parameter tied to a consent box is kept only when that box was ticked."""
    box = field.get("consent_field")
    return not box or normalize_text(raw.get(box)).casefold() in _TRUE or raw.get(box) is True


def option_values(field: dict[str, Any]) -> list[str]:
    return [str(option["value"]) for option in field.get("options", [])]


def clean_answers(
    fields: list[dict[str, Any]], raw: Mapping[str, Any], country: str, *, block_disposable: bool = False
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
        if kind in BOOLEAN:
            checked = raw_value is True or normalize_text(raw_value).casefold() in _TRUE
            if field.get("required") and not checked:
                errors[name] = _("Please tick this box to continue.")
            values[name] = checked
            continue
        if kind == "file":
            if isinstance(raw_value, ReceivedFiles) and raw_value:
                values[name] = str(raw_value)
            elif field.get("required"):
                errors[name] = _("Please choose a file to send.")
            continue
        text = _clean_textarea(raw_value) if kind == "textarea" else normalize_text(raw_value)
        limit = (
            URL_PARAM_MAX if field.get("source") == URL_PARAM else MAX_LENGTH.get(kind, DEFAULT_MAX_LENGTH)
        )
        if len(text) > limit:
            errors[name] = _("Please use at most %(limit)d characters.", limit=limit)
            continue
        if field.get("source") == URL_PARAM and not _kept_param(field, raw):
            continue
        if not text:
            if field.get("required") and kind != "hidden":
                errors[name] = (
                    _("Please choose one of the options.")
                    if kind in WITH_OPTIONS or kind in SCALES
                    else _("Please fill in this field.")
                )
            continue
        value: Any = text
        try:
            if kind == "email":
                value = _email(text, block_disposable)
            elif kind == "phone":
                value = normalize.checked_phone(text, country)
            elif kind == "number":
                value = _number(text, field)
            elif kind in WITH_OPTIONS:
                if text not in option_values(field):
                    raise ValueError(_("Please choose one of the options."))
            elif kind == "date_of_birth":
                value = _date_of_birth(text)
            elif kind in SCALES:
                value = _scale(text, kind)
            elif kind == "vat_number":
                value = normalize.vat_number(text, country)
            elif kind == "kvk_number":
                value = normalize.kvk_number(text)
            elif kind == "rsin":
                value = normalize.rsin(text)
            elif kind == "website":
                value = normalize.checked_website(text)
            elif kind == "postcode":
                value = normalize.checked_postcode(text, country)
        except ValueError as invalid:
            errors[name] = str(invalid)
            continue
        target = TYPE_TARGETS.get(kind) or (field.get("maps_to") if kind == "text" else None)
        if target:
            contact.setdefault(target, str(value))
        values[name] = value
    if errors:
        raise SubmissionInvalid(errors)
    return values, contact


def consent_proof(fields: list[dict[str, Any]], values: dict[str, Any], language: str) -> dict[str, Any]:
    """For each consent box: whether it was ticked and the exact text the person saw."""
    return {
        field["name"]: {
            "given": bool(values.get(field["name"])),
            "text": pick(field.get("label"), language),
            "language": language,
        }
        for field in fields
        if field["type"] == "consent"
    }


def field_slug(label: str, taken: set[str]) -> str:
    """A stable machine name for a new field, unique within its form."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:40] or "field"
    if base[0].isdigit():
        base = "f_" + base
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name
