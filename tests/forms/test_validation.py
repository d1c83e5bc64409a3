"""Answers validated with the libraries made for it, errors per field in the visitor's language."""

from __future__ import annotations

import pytest

from landform.core import i18n
from landform.forms.fields import SubmissionInvalid, asks_special_category, clean_answers


def _one(kind: str, value, **extra):
    field = {
        "name": "answer",
        "type": kind,
        "required": True,
        "label": {"nl": "Antwoord", "en": "Answer"},
        **extra,
    }
    values, contact = clean_answers([field], {"answer": value}, "NL")
    return values["answer"], contact


def _error(kind: str, value, **extra) -> str:
    with pytest.raises(SubmissionInvalid) as invalid:
        _one(kind, value, **extra)
    return invalid.value.errors["answer"]


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("email", " Jan@Voorbeeld.NL ", "Jan@voorbeeld.nl"),
        ("phone", "020-123 4567", "+31201234567"),
        ("phone", "+32 2 555 12 12", "+3225551212"),
        ("vat_number", "NL 0020.57.475.B01", "NL002057475B01"),
        ("vat_number", "002057475B01", "NL002057475B01"),
        ("vat_number", "BE 0403.019.261", "BE0403019261"),
        ("kvk_number", "1234 5678", "12345678"),
        ("rsin", "123456782", "123456782"),
        ("postcode", "1234ab", "1234 AB"),
        ("website", "www.voorbeeld.nl", "https://www.voorbeeld.nl"),
        ("number", "3,5", 3.5),
        ("number", "12", 12),
        ("date_of_birth", "31-12-1990", "1990-12-31"),
        ("date_of_birth", "1990-12-31", "1990-12-31"),
        ("textarea", "line one\r\nline two", "line one\nline two"),
        ("text", "Cafe\u0301", "Café"),
    ],
)
def test_it_accepts_and_normalizes(kind, typed, stored):
    assert _one(kind, typed)[0] == stored


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        ("email", "jan@", "valid e-mail address"),
        ("phone", "12", "valid phone number"),
        ("vat_number", "NL123456789B01", "valid VAT number"),
        ("kvk_number", "1234", "eight digits"),
        ("rsin", "123456789", "valid RSIN"),
        ("postcode", "0123 AB", "Dutch postcode"),
        ("website", "not a site", "web address"),
        ("number", "lots", "number"),
        ("date_of_birth", "31-02-1990", "date"),
        ("date_of_birth", "01-01-2999", "real date of birth"),
        ("text", "x" * 201, "at most 200"),
    ],
)
def test_it_refuses_with_a_clear_message(kind, typed, message):
    assert message in _error(kind, typed)


def test_it_only_accepts_offered_options():
    options = [
        {"value": "small", "label": {"nl": "Klein", "en": "Small"}},
        {"value": "large", "label": {"nl": "Groot", "en": "Large"}},
    ]
    assert _one("select", "large", options=options)[0] == "large"
    assert "options" in _error("radio", "huge", options=options)


def test_it_refuses_disposable_addresses_when_asked():
    field = {"name": "email", "type": "email", "required": True, "label": {"en": "E-mail"}}
    assert clean_answers([field], {"email": "x@mailinator.com"}, "NL")[0]["email"] == "x@mailinator.com"
    with pytest.raises(SubmissionInvalid) as invalid:
        clean_answers([field], {"email": "x@mailinator.com"}, "NL", block_disposable=True)
    assert "permanent" in invalid.value.errors["email"]


def test_it_fills_crm_fields_from_company_fields():
    fields = [
        {"name": n, "type": t, "label": {"en": n}}
        for n, t in (
            ("company", "company_name"),
            ("vat", "vat_number"),
            ("kvk", "kvk_number"),
            ("site", "website"),
        )
    ]
    _values, contact = clean_answers(
        fields, {"company": "Acme BV", "vat": "NL002057475B01", "kvk": "12345678", "site": "acme.nl"}, "NL"
    )
    assert contact == {
        "company_name": "Acme BV",
        "vat_number": "NL002057475B01",
        "kvk_number": "12345678",
        "website": "https://acme.nl",
    }


def test_it_speaks_the_visitors_language():
    i18n.set_language("nl")
    try:
        assert "geldig" in _error("email", "jan@").lower()
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize(
    "label",
    [
        "Wat is je religie?",
        "Medische gegevens",
        "Your BSN",
        "Sexual orientation",
        "Heb je een strafblad?",
        "Etnische afkomst",
        "Health insurance number",
    ],
)
def test_it_recognises_special_categories(label):
    assert asks_special_category(label)


@pytest.mark.parametrize(
    "label", ["Bedrijfsnaam", "Racefiets of stadsfiets?", "Company size", "Favourite colour"]
)
def test_it_lets_ordinary_questions_through(label):
    assert not asks_special_category(label)
