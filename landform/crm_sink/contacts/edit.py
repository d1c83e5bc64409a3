"""Editing contacts and companies by hand: the forms checked and cleaned, saved, and a contact's tags."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from landform.core.i18n import gettext as _
from landform.crm_sink import normalize
from landform.crm_sink.fields import COMPANY_FIELDS, COMPANY_WIDTHS, CONTACT_FIELDS, CONTACT_WIDTHS
from landform.crm_sink.models import Contact, ContactTag

GENDERS = ("female", "male", "other")


class RecordInvalid(ValueError):
    """What the user typed cannot be saved; `errors` by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def clean_email(text: str) -> str:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(_("Please enter a valid e-mail address, like name@example.com.")) from error


# What the forms check as free text (at most so many characters) and as web addresses.
CONTACT_TEXT = {name: CONTACT_WIDTHS[name] for name, kind in CONTACT_FIELDS.items() if kind == "text"}
CONTACT_URLS = tuple(name for name, kind in CONTACT_FIELDS.items() if kind == "web")


def _clean(form: Any, limits: dict[str, int], errors: dict[str, str]) -> dict[str, str]:
    values = {}
    for name, limit in limits.items():
        value = str(form.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = _("At most %(count)d characters.", count=limit)
        values[name] = value
    return values


def clean_contact(form: Any, region: str, owners: set[UUID]) -> dict[str, Any]:
    """The validated values of the contact form (RecordInvalid lists what is wrong)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = _clean(form, CONTACT_TEXT, errors)
    checks = {"email": clean_email, "phone": lambda text: normalize.checked_phone(text, region)}
    checks.update({name: normalize.checked_website for name in CONTACT_URLS})
    for name, check in checks.items():
        text = str(form.get(name) or "").strip()[:320]
        try:
            values[name] = check(text) if text else ""
        except ValueError as error:
            errors[name] = str(error)
    if not values.get("email") and "email" not in errors:
        errors["email"] = _("Please enter a valid e-mail address, like name@example.com.")
    gender = str(form.get("gender") or "")
    values["gender"] = gender if gender in GENDERS else ""
    language = str(form.get("language") or "")
    values["language"] = language if language in {"nl", "en"} else ""
    owner = str(form.get("owner_id") or "")
    try:
        values["owner_id"] = UUID(owner) if owner else None
    except ValueError:
        values["owner_id"] = None
    if values["owner_id"] is not None and values["owner_id"] not in owners:
        errors["owner_id"] = _("Choose a user of your team.")
    values["tags"] = sorted(
        {tag.strip().casefold()[:64] for tag in str(form.get("tags") or "").split(",") if tag.strip()}
    )[:50]
    if errors:
        raise RecordInvalid(errors)
    return values


def save_contact(session: Session, contact: Contact, values: dict[str, Any]) -> None:
    """Apply the cleaned form; a changed address must not be another contact's (merge them instead)."""
    key = values["email"].strip().casefold()
    if key != contact.email_key:
        taken = session.execute(select(Contact.id).where(Contact.email_key == key, Contact.id != contact.id))
        if taken.first() is not None:
            raise RecordInvalid(
                {"email": _("Another contact has this e-mail address. Merge the two contacts instead.")}
            )
    for name, value in values.items():
        if name != "tags":
            setattr(contact, name, value)
    contact.email_key = key
    set_tags(session, contact, values["tags"])


def set_tags(session: Session, contact: Contact, tags: list[str]) -> None:
    mine = ContactTag.contact_id == contact.id
    current = set(session.execute(select(ContactTag.tag).where(mine)).scalars())
    wanted = set(tags)
    if current - wanted:
        session.execute(delete(ContactTag).where(mine, ContactTag.tag.in_(current - wanted)))
    for tag in sorted(wanted - current):
        session.add(ContactTag(contact_id=contact.id, tag=tag, tenant_id=contact.tenant_id))


COMPANY_TEXT = {name: COMPANY_WIDTHS[name] for name, kind in COMPANY_FIELDS.items() if kind == "text"}


def clean_company(form: Any, region: str) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = _clean(form, COMPANY_TEXT, errors)
    if not values["name"]:
        errors["name"] = _("Enter the company's name.")
    country = str(form.get("country") or region or "NL").strip().upper()[:2]
    values["country"] = country if re.fullmatch(r"[A-Z]{2}", country) else ""
    checks = {
        "postcode": lambda text: normalize.checked_postcode(text, values["country"]),
        "phone": lambda text: normalize.checked_phone(text, region),
        "vat_number": lambda text: normalize.vat_number(text, region),
        "kvk_number": normalize.kvk_number,
        "rsin": normalize.rsin,
        "website": normalize.checked_website,
        "linkedin": normalize.checked_website,
        "facebook": normalize.checked_website,
        "twitter": normalize.checked_website,
    }
    for name, check in checks.items():
        text = str(form.get(name) or "").strip()[:300]
        try:
            values[name] = check(text) if text else ""
        except ValueError as error:
            errors[name] = str(error)
    size = str(form.get("size") or "").strip()
    values["size"] = int(size) if size.isdigit() and len(size) < 8 else None
    if size and values["size"] is None:
        errors["size"] = _("Enter the number of employees, like 25.")
    if errors:
        raise RecordInvalid(errors)
    host = (urlsplit(values["website"]).hostname or "").lower() if values["website"] else ""
    values["domain"] = host.removeprefix("www.")
    return values
