"""One row of an import read as a contact and a company: validated with the intake's normalizers,
or refused with the reason (the column named, never its value)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from landform.core.i18n import gettext as _
from landform.crm_sink import normalize
from landform.crm_sink.imports.mapping import TARGETS


class Refused(ValueError):
    """The row cannot be imported; the message says why, naming the column."""


@dataclass
class ImportRow:
    """A row's values by CRM field, normalized."""

    number: int
    email: str
    key: str
    contact: dict[str, Any] = field(default_factory=dict)
    company: dict[str, Any] = field(default_factory=dict)
    domains: list[str] = field(default_factory=list)

    @property
    def company_keys(self) -> list[tuple[str, str]]:
        """What its company is matched by, best first, as routing does: KvK number, VAT number, domains."""
        keys = [
            (kind, str(self.company[kind])) for kind in ("kvk_number", "vat_number") if kind in self.company
        ]
        return keys + [("domain", domain) for domain in self.domains]


def _strict(target: str, text: str, region: str, country: str) -> Any:
    """A value the intake would check, checked the same way; others as routing stores them."""
    name = target.partition(".")[2]
    if name == "phone":
        return normalize.checked_phone(text, region)
    if name == "website":
        return normalize.checked_website(text)[:300]
    if name == "postcode":
        return normalize.checked_postcode(text, country)
    if name in {"linkedin", "facebook", "twitter"}:
        return normalize.checked_website(text)[:300]
    if name == "country" and not re.fullmatch(r"[A-Za-z]{2}", text):
        raise normalize.Invalid(_("A country is two letters, like NL."))
    if name == "size" and not re.fullmatch(r"\d+", text):
        raise normalize.Invalid(_("A number of employees is a whole number, like 25."))
    return normalize.value_for(target, text, region)


def read_row(number: int, values: list[str], mapping: dict[int, str], region: str) -> ImportRow:
    """The row's contact and company; raises Refused naming the first column that cannot be used."""
    cells = {target: values[index].strip() for index, target in mapping.items() if index < len(values)}
    raw_email = cells.pop("contact.email", "")
    if not raw_email:
        raise Refused(_("No e-mail address."))
    try:
        email = normalize.normalized_email(raw_email)
    except normalize.Invalid as invalid:
        raise Refused(
            _("%(column)s: not a valid e-mail address.", column=TARGETS["contact.email"])
        ) from invalid
    row = ImportRow(number=number, email=email, key=normalize.email_key(email))
    infix = cells.pop("contact.infix", "")
    country = cells.get("company.country", "").upper()
    for target, text in cells.items():
        if not text:
            continue
        kind, _dot, name = target.partition(".")
        try:
            value = _strict(target, text, region, country)
        except normalize.Invalid as invalid:
            raise Refused(f"{TARGETS[target]}: {invalid}") from invalid
        (row.contact if kind == "contact" else row.company)[name] = value
    if infix:
        row.contact["last_name"] = re.sub(r"\s+", " ", f"{infix} {row.contact.get('last_name', '')}").strip()[
            :100
        ]
    if "name" in row.company:
        row.contact["company_name"] = row.company["name"]
    if "website" in row.company:
        row.domains.append(normalize.domain_of_url(str(row.company["website"])))
    row.domains.append(normalize.domain_of_email(email))
    row.domains = [d for d in dict.fromkeys(row.domains) if d and not normalize.is_free_mail(d)]
    return row
