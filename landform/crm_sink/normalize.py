"""What a CRM field may hold: each routed value validated and brought into one form (E.164 phones,
compact VAT numbers, eight-digit KvK numbers, Dutch postcodes, web domains), and the free-mail list."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat
from stdnum.nl import bsn, postcode

from landform.core.i18n import gettext as _
from landform.crm_sink.fields import COMPANY_WIDTHS, CONTACT_WIDTHS

# Column widths, so an over-long answer is cut rather than refused by the database.
_LIMITS = {**COMPANY_WIDTHS, **CONTACT_WIDTHS}
_DEFAULT_LIMIT = 300


class Invalid(ValueError):
    """A value that cannot fill its CRM field; routing leaves the field as it was."""


def email_key(email: str) -> str:
    """The de-duplication key for an address: trimmed and case-folded (mailboxes ignore case in practice)."""
    return email.strip().casefold()


# The intake stored the address as email-validator normalized it; a plain one needs no second look.
_PLAIN_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,63}")


def normalized_email(email: str) -> str:
    email = email.strip()
    if _PLAIN_EMAIL.fullmatch(email) and ".." not in email and not email.startswith("."):
        return email
    try:
        return str(validate_email(email.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise Invalid(str(error)) from error


def phone(text: str, region: str) -> str:
    """E.164 when the number can be read (typed without a country code: the tenant's region)."""
    try:
        number = phonenumbers.parse(text, region or "NL")
    except phonenumbers.NumberParseException:
        return text[:32]
    if not phonenumbers.is_possible_number(number):
        return text[:32]
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# A Dutch number as people write it ("06-12345678", "020 123 4567", "+31 6 1234 5678"): its nine digits.
_DUTCH = re.compile(r"(?:\+31|0031|0)([1-9]\d{8})")
_SEPARATORS = re.compile(r"[\s\-.()/]")


def checked_phone(text: str, region: str) -> str:
    """E.164 of a number a person typed (without a country code: the tenant's region), or `Invalid`."""
    dutch = _DUTCH.fullmatch(_SEPARATORS.sub("", text)) if (region or "NL") == "NL" else None
    if dutch:
        # What `parse` makes of it, without its general parsing (an import checks 100,000 of them).
        number = phonenumbers.PhoneNumber(country_code=31, national_number=int(dutch.group(1)))
    else:
        try:
            number = phonenumbers.parse(text, region or "NL")
        except phonenumbers.NumberParseException:
            number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise Invalid(_("Please enter a valid phone number, like +31 20 123 4567."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_region(e164: str) -> str:
    """The country of an E.164 number ("" when unknown)."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or ""
    except phonenumbers.NumberParseException:
        return ""


def kvk_number(text: str) -> str:
    digits = re.sub(r"[\s.\-]", "", text)
    if not re.fullmatch(r"\d{8}", digits):
        raise Invalid(_("A KvK number has eight digits, like 12345678."))
    return digits


def vat_number(text: str, region: str) -> str:
    compact = re.sub(r"[\s.\-]", "", text).upper()
    if compact[:1].isdigit():
        compact = (region or "NL") + compact
    try:
        return str(vat.validate(compact))
    except stdnum_errors.ValidationError as error:
        raise Invalid(_("Please enter a valid VAT number, like NL123456782B01.")) from error


def rsin(text: str) -> str:
    try:
        return str(bsn.validate(text))  # an RSIN passes the same eleven-test as a BSN
    except stdnum_errors.ValidationError as error:
        raise Invalid(_("Please enter a valid RSIN: nine digits, like 123456782.")) from error


def dutch_postcode(text: str) -> str:
    try:
        return str(postcode.validate(text))
    except stdnum_errors.ValidationError:
        return text.upper()[:16]


def website(text: str) -> str:
    url = text if re.match(r"^https?://", text, re.IGNORECASE) else "https://" + text
    if "." not in (urlsplit(url).hostname or ""):
        raise Invalid("not a web address")
    return url[:300]


def checked_website(text: str) -> str:
    """A web address a person typed (https:// added when left out), or `Invalid`."""
    url = text if re.match(r"^https?://", text, re.IGNORECASE) else "https://" + text
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or "." not in (parts.hostname or "") or " " in url:
        raise Invalid(_("Please enter a web address, like www.example.com."))
    return url


def checked_postcode(text: str, country: str) -> str:
    """A Dutch postcode in its standard form (others as typed, upper case), or `Invalid`."""
    if (country or "NL") != "NL":
        return text.upper()
    try:
        return str(postcode.validate(text))
    except stdnum_errors.ValidationError as error:
        raise Invalid(_("Please enter a Dutch postcode, like 1234 AB.")) from error


def domain_of_url(url: str) -> str:
    host = (urlsplit(url if "//" in url else "https://" + url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")[:255]


def domain_of_email(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")[:255]


@lru_cache(maxsize=1)
def _free_mail() -> tuple[frozenset[str], frozenset[str]]:
    lines = Path(__file__).with_name("free_mail_domains.txt").read_text().splitlines()
    entries = [line.strip().lower() for line in lines if line.strip() and not line.startswith("#")]
    exact = frozenset(e for e in entries if not e.endswith(".*"))
    any_tld = frozenset(e[:-2] for e in entries if e.endswith(".*"))
    return exact, any_tld


def is_free_mail(domain: str) -> bool:
    """A mailbox provider anyone can sign up with (gmail.com, hotmail.co.uk, ziggo.nl, ...)."""
    exact, any_tld = _free_mail()
    if domain in exact:
        return True
    name, _dot, suffix = domain.partition(".")
    # hotmail.com, hotmail.nl, hotmail.co.uk: the name, then a top-level domain of one or two labels.
    return name in any_tld and 0 < suffix.count(".") + 1 <= 2


def value_for(target: str, raw: object, region: str) -> str | int:
    """The value an answer gives a CRM field, validated and normalized; raises Invalid."""
    kind, _dot, name = target.partition(".")
    if isinstance(raw, bool):
        raise Invalid("a checkbox fills no CRM field")
    text = str(raw).strip()
    if not text:
        raise Invalid("empty")
    if name == "size":
        try:
            size = int(float(text.replace(",", ".")))
        except ValueError as error:
            raise Invalid("not a number") from error
        if size < 0:
            raise Invalid("negative")
        return size
    if name == "phone":
        return phone(text, region)
    if name == "kvk_number":
        return kvk_number(text)
    if name == "vat_number":
        return vat_number(text, region)
    if name == "rsin":
        return rsin(text)
    if name == "website":
        return website(text)
    if name == "country":
        if not re.fullmatch(r"[A-Za-z]{2}", text):
            raise Invalid("a country is two letters")
        return text.upper()
    if name == "language":
        return text.lower()[:8]
    if kind == "company" and name == "postcode":
        return dutch_postcode(text)
    return text[: _LIMITS.get(name, _DEFAULT_LIMIT)]
