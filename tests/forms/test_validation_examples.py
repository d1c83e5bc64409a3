"""Every example a validation message gives passes the validator it explains, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from stdnum.eu import vat

from landform.core import i18n
from landform.forms.fields import SubmissionInvalid, clean_answers

# A value each validator refuses, so its message (with the example) is shown.
REFUSED = {
    "email": "jan@",
    "phone": "12",
    "number": "lots",
    "date_of_birth": "31-02-1990",
    "vat_number": "NL123456789B01",
    "kvk_number": "1234",
    "rsin": "123456789",
    "website": "not a site",
    "postcode": "0123 AB",
}
# "like X." / "zoals X." / "(for example X)" / "(bijvoorbeeld X)"; several examples joined by "or"/"of".
_EXAMPLE = re.compile(r"(?:like|zoals|for example|bijvoorbeeld)\s+(.+?)\)?\.?$")


def _check(kind: str, value: str) -> dict[str, str]:
    field = {"name": "answer", "type": kind, "required": True, "label": {"nl": "A", "en": "A"}}
    try:
        clean_answers([field], {"answer": value}, "NL")
    except SubmissionInvalid as invalid:
        return invalid.errors
    return {}


def _examples(message: str) -> list[str]:
    found = _EXAMPLE.search(message.split(": ")[-1])
    assert found, f"no example in {message!r}"
    return [part.strip() for part in re.split(r"\s+(?:or|of)\s+", found.group(1))]


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_it_gives_examples_that_pass_their_own_validator(kind, language):
    i18n.set_language(language)
    try:
        message = _check(kind, REFUSED[kind])["answer"]
        for example in _examples(message):
            assert _check(kind, example) == {}, f"{kind}: the example {example!r} in {message!r} is refused"
    finally:
        i18n.set_language("en")


def test_it_gives_valid_vat_numbers_wherever_it_shows_one():
    # The account, billing and company screens show examples and placeholders of their own.
    root = Path(__file__).parents[2] / "landform"
    for path in [*root.rglob("*.py"), *root.rglob("*.html"), *root.rglob("*.po")]:
        for example in set(re.findall(r"\b[A-Z]{2}\d{9}B\d{2}\b", path.read_text(encoding="utf-8"))):
            assert vat.is_valid(example), f"{path}: {example} fails the VAT checksum"
