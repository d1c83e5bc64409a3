"""The Dutch catalogue is complete: every marked string in the code and templates has a Dutch translation.

The messages are extracted from the source here, with the same command as `make translations`, so a
string added without a translation fails this test instead of showing up in English on a Dutch page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from landform.core import i18n
from landform.core.templating import environment

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "landform" / "translations"
DUTCH_PO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
FIX = (
    "Run `make translations` (extracts the messages and updates the catalogues), then translate the "
    f"empty and fuzzy entries in {DUTCH_PO.relative_to(ROOT)} and remove their `#, fuzzy` flags."
)
# printf-style placeholders (%(name)s, %(num)d, %s, the escaped percent sign %%), and any lone % that
# would break formatting (Jinja's newstyle gettext formats every message, even without variables).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]|%")


def _extract(pot: Path) -> Catalog:
    """The messages marked in the source, extracted exactly like `make translations` does."""
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )
    with pot.open("rb") as file:
        return read_po(file)


def _key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _forms(message: Message) -> list[tuple[str, str]]:
    """(source text, translation) pairs: one for a simple message, one per plural form otherwise."""
    if isinstance(message.id, str):
        return [(message.id, str(message.string or ""))]
    singular, plural = message.id[0], message.id[1]
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return [(singular if index == 0 else plural, text or "") for index, text in enumerate(strings)]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return _extract(tmp_path_factory.mktemp("i18n") / "messages.pot")


@pytest.fixture(scope="module")
def dutch() -> Catalog:
    with DUTCH_PO.open("rb") as file:
        return read_po(file, locale="nl")


@pytest.fixture
def language() -> Iterator[None]:
    """Leaves the request language as it found it for the tests that follow."""
    previous = i18n.get_language()
    yield
    i18n.set_language(previous)


def test_it_extracts_the_marked_messages(extracted: Catalog) -> None:
    ids = {_key(message) for message in extracted if message.id}
    assert "Log in" in ids  # a template
    assert "Please fill in this field." in ids  # Python, gettext as _
    assert "Checkbox" in ids  # Python, lazy_gettext
    assert "%(num)d contact" in ids  # a template, ngettext


def test_it_has_a_dutch_translation_for_every_message(extracted: Catalog, dutch: Catalog) -> None:
    problems = []
    for message in extracted:
        if not message.id:
            continue
        translated = dutch.get(message.id)
        if translated is None:
            problems.append(f"  not in the catalogue: {_key(message)!r}")
        elif translated.fuzzy:
            problems.append(f"  fuzzy: {_key(message)!r}")
        elif not all(text.strip() for _source, text in _forms(translated)):
            problems.append(f"  not translated: {_key(message)!r}")
        elif len(_forms(translated)) != dutch.num_plurals and message.pluralizable:
            problems.append(f"  needs {dutch.num_plurals} plural forms: {_key(message)!r}")
    assert not problems, (
        f"{len(problems)} message(s) lack a Dutch translation:\n" + "\n".join(problems) + "\n" + FIX
    )


def test_it_keeps_the_placeholders_in_dutch(dutch: Catalog) -> None:
    problems = []
    for message in dutch:
        if not message.id:
            continue
        for source, text in _forms(message):
            if text and sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                problems.append(
                    f"  {source!r}\n    has {sorted(PLACEHOLDER.findall(source))}, "
                    f"the translation {text!r} has {sorted(PLACEHOLDER.findall(text))}"
                )
    assert not problems, (
        "Dutch translations must keep the placeholders of the English text exactly "
        "(a stray % must be written %%):\n" + "\n".join(problems)
    )


@pytest.mark.usefixtures("language")
def test_it_speaks_dutch_through_gettext() -> None:
    i18n.set_language("nl")
    assert i18n.gettext("Log in") == "Inloggen"
    assert i18n.gettext("Hello %(name)s,", name="Noor") == "Hallo Noor,"
    assert i18n.ngettext("%(num)d contact", "%(num)d contacts", 1) == "1 contact"
    assert i18n.ngettext("%(num)d contact", "%(num)d contacts", 3) == "3 contacten"
    assert str(i18n.lazy_gettext("Checkbox")) == "Selectievakje"


@pytest.mark.usefixtures("language")
def test_it_serves_every_dutch_translation_at_runtime(dutch: Catalog) -> None:
    i18n.set_language("nl")
    wrong = [
        message.id
        for message in dutch
        if message.id and isinstance(message.id, str) and i18n.gettext(message.id) != message.string
    ]
    assert not wrong, f"these Dutch entries do not come through i18n.gettext (empty or fuzzy?): {wrong}"


@pytest.mark.usefixtures("language")
def test_it_speaks_dutch_in_templates() -> None:
    template = environment().from_string(
        '{{ _("Log in") }} | {{ _("Good to see you, %(name)s", name="Noor") }} | '
        '{{ ngettext("%(num)d contact", "%(num)d contacts", 2) }}'
    )
    i18n.set_language("nl")
    assert template.render() == "Inloggen | Fijn je te zien, Noor | 2 contacten"
    i18n.set_language("en")
    assert template.render() == "Log in | Good to see you, Noor | 2 contacts"


@pytest.mark.usefixtures("language")
def test_it_speaks_english_through_gettext() -> None:
    i18n.set_language("en")
    assert i18n.gettext("Log in") == "Log in"
    assert i18n.gettext("Hello %(name)s,", name="Noor") == "Hello Noor,"
    assert i18n.ngettext("%(num)d contact", "%(num)d contacts", 1) == "1 contact"
    assert i18n.ngettext("%(num)d contact", "%(num)d contacts", 3) == "3 contacts"
    assert str(i18n.lazy_gettext("Checkbox")) == "Checkbox"
