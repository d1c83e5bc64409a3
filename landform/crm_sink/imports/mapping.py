"""Which CRM field each column of an import fills: the fields offered, and a guess from the headers."""

from __future__ import annotations

import re

from landform.core.i18n import lazy_gettext
from landform.crm_sink.fields import COMPANY_TARGETS, CONTACT_TARGETS

# A column may fill one of these; "" leaves it out. "contact.infix" is the Dutch "tussenvoegsel" (van der),
# put before the last name.
TARGETS: dict[str, object] = {
    "contact.email": lazy_gettext("E-mail address"),
    "contact.first_name": CONTACT_TARGETS["first_name"],
    "contact.infix": lazy_gettext("Name prefix (van, de)"),
    "contact.last_name": CONTACT_TARGETS["last_name"],
    **{
        f"contact.{name}": label
        for name, label in CONTACT_TARGETS.items()
        if name not in {"first_name", "last_name"}
    },
    "company.name": lazy_gettext("Company name"),
    **{f"company.{name}": label for name, label in COMPANY_TARGETS.items()},
}
# contact.company_name and company.name are one thing in a file: the company.
del TARGETS["contact.company_name"]

# Header words, lower case without spaces or punctuation, in Dutch and English, and what they fill.
_GUESSES = {
    "contact.email": "email emailadres emailaddress mail mailadres",
    "contact.first_name": "voornaam firstname givenname roepnaam",
    "contact.infix": "tussenvoegsel tussenvoegsels prefix infix",
    "contact.last_name": "achternaam lastname surname familienaam",
    "contact.phone": "telefoon telefoonnummer phone phonenumber mobiel mobile mobielnummer tel telnr",
    "contact.job_title": "functie jobtitle functietitel title",
    "contact.gender": "geslacht gender aanhef",
    "contact.language": "taal language voorkeurstaal",
    "contact.linkedin": "linkedin linkedinurl",
    "contact.description": "notities notes opmerkingen opmerking description omschrijving",
    "company.name": "bedrijf bedrijfsnaam company companyname organisatie organisation organization",
    "company.kvk_number": "kvk kvknummer kvknr kvknumber chamberofcommerce cocnumber",
    "company.vat_number": "btw btwnummer btwnr btwid vat vatnumber vatid",
    "company.rsin": "rsin",
    "company.website": "website web url site websiteurl domein domain",
    "company.address": "adres address straat street straatenhuisnummer",
    "company.postcode": "postcode zip zipcode postalcode",
    "company.city": "plaats woonplaats stad city town vestigingsplaats",
    "company.country": "land country landcode countrycode",
    "company.size": "medewerkers werknemers employees aantalmedewerkers numberofemployees companysize",
}
_BY_WORD = {word: target for target, words in _GUESSES.items() for word in words.split()}


def _word(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.casefold())


def guess(headers: list[str]) -> dict[str, str]:
    """Column index (as text) -> target for the headers we recognise, each target once (leftmost wins)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        target = _BY_WORD.get(_word(header))
        if target and target not in taken:
            mapping[str(index)] = target
            taken.add(target)
    return mapping
