"""Profiles: each person's own (name, language, time zone, photo) and the company's (address, VAT, logo)."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import phonenumbers
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat

from landform.accounts.models import LEAD_NOTIFICATIONS, AccountImage, Tenant, User
from landform.accounts.services import GENDERS, AccountInvalid
from landform.core.db import utcnow
from landform.core.i18n import LANGUAGES
from landform.core.i18n import gettext as _
from landform.core.images import ImageRefused, clean_image
from landform.core.text import normalize_text

COMPANY_LIMITS = {
    "name": 200,
    "address": 200,
    "postcode": 16,
    "city": 100,
    "province": 100,
    "country": 2,
    "phone": 32,
    "website": 300,
    "vat_number": 20,
    "description": 2000,
}


@cache
def timezones() -> list[str]:
    return sorted(
        zone for zone in zoneinfo.available_timezones() if "/" in zone and not zone.startswith("Etc/")
    )


async def _store_image(db: AsyncSession, tenant_id: UUID, data: bytes, replaces: UUID | None) -> UUID:
    try:
        clean = clean_image(data)
    except ImageRefused as error:
        raise AccountInvalid({"image": str(error)}) from error
    image = AccountImage(tenant_id=tenant_id, content_type=clean.content_type, data=clean.data)
    db.add(image)
    if replaces is not None:
        await db.execute(delete(AccountImage).where(AccountImage.id == replaces))
    await db.flush()
    return image.id


async def update_profile(db: AsyncSession, user: User, data: dict[str, str], photo: bytes | None) -> None:
    """The user's own name, gender, language, timezone, photo and how often they hear of new leads."""
    errors: dict[str, str] = {}
    first_name = normalize_text(data.get("first_name"))[:100]
    last_name = normalize_text(data.get("last_name"))[:100]
    if not first_name:
        errors["first_name"] = _("Please fill in your first name.")
    if not last_name:
        errors["last_name"] = _("Please fill in your last name.")
    gender = data.get("gender", "")
    if gender and gender not in GENDERS:
        errors["gender"] = _("Choose one of the options, or leave it empty.")
    language = data.get("language", "")
    if language not in LANGUAGES:
        errors["language"] = _("Choose one of the languages.")
    # Missing from the form (an older page still open): kept as it was.
    notifications = data.get("lead_notifications", user.lead_notifications)
    if notifications not in LEAD_NOTIFICATIONS:
        errors["lead_notifications"] = _("Choose how often you hear of new leads.")
    timezone = data.get("timezone", "")
    if timezone not in timezones():
        errors["timezone"] = _("Choose a time zone from the list.")
    if photo:
        try:
            clean_image(photo)
        except ImageRefused as error:
            errors["photo"] = str(error)
    if errors:
        raise AccountInvalid(errors)
    user.first_name, user.last_name = first_name, last_name
    user.gender = gender or None
    user.language, user.timezone = language, timezone
    # A checkbox sends nothing when unticked; a page without the field (an older one) keeps the setting.
    if "task_mail_shown" in data:
        user.task_mail = bool(data.get("task_mail"))
    if notifications != user.lead_notifications:
        # A digest chosen now starts from now: the leads before it were mailed one by one already.
        user.lead_notifications, user.lead_digest_at = notifications, utcnow()
    if photo:
        user.photo_id = await _store_image(db, user.tenant_id, photo, user.photo_id)
    elif data.get("remove_photo") and user.photo_id:
        old, user.photo_id = user.photo_id, None
        await db.flush()
        await db.execute(delete(AccountImage).where(AccountImage.id == old))


def _website(raw: str) -> str:
    if not raw:
        return ""
    url = raw if "://" in raw else f"https://{raw}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "." not in (parts.hostname or ""):
        raise ValueError(raw)
    return url


def company_values(tenant: Tenant) -> dict[str, Any]:
    return {name: getattr(tenant, name) or "" for name in COMPANY_LIMITS}


async def update_company(db: AsyncSession, tenant: Tenant, data: dict[str, str], logo: bytes | None) -> None:
    """The company profile: the seed's company fields, checked (VAT number, phone, website) and stored."""
    values = {name: normalize_text(data.get(name))[:limit] for name, limit in COMPANY_LIMITS.items()}
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = _("Please fill in the company's name.")
    values["country"] = values["country"].upper() or "NL"
    if len(values["country"]) != 2 or not values["country"].isalpha():
        errors["country"] = _("Use the two-letter country code, like NL or BE.")
    if values["vat_number"]:
        try:
            values["vat_number"] = vat.validate(values["vat_number"])
        except stdnum_errors.ValidationError:
            errors["vat_number"] = _("This is not a valid EU VAT number, like NL123456782B01.")
    if values["phone"]:
        try:
            number = phonenumbers.parse(values["phone"], values["country"] or "NL")
            if not phonenumbers.is_valid_number(number):
                raise ValueError(values["phone"])
            values["phone"] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        except (phonenumbers.NumberParseException, ValueError):
            errors["phone"] = _("This is not a valid phone number.")
    try:
        values["website"] = _website(values["website"])
    except ValueError:
        errors["website"] = _("Enter the website's address, like https://www.example.com.")
    if logo:
        try:
            clean_image(logo)
        except ImageRefused as error:
            errors["logo"] = str(error)
    if errors:
        raise AccountInvalid(errors)
    for name, value in values.items():
        setattr(tenant, name, value)
    if logo:
        tenant.logo_id = await _store_image(db, tenant.id, logo, tenant.logo_id)
