"""Translations: Babel catalogues (Dutch, English), the request's language, gettext for code and templates.

The `.po` files are the source of truth and are compiled in memory at start-up, so there is no
binary `.mo` file to forget to rebuild.
"""

from __future__ import annotations

import gettext as _gettext
from contextvars import ContextVar
from datetime import datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import LazyProxy

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
CATALOGUE_DIR = Path(__file__).parent.parent / "translations"

_current: ContextVar[str] = ContextVar("landform_language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> _gettext.NullTranslations:
    path = CATALOGUE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as po:
        catalogue = read_po(po, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def get_language() -> str:
    return _current.get()


def gettext(message: str, **variables: Any) -> str:
    text = translations(get_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations(get_language()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def lazy_gettext(message: str) -> LazyProxy:
    """For strings defined at import time and translated when shown."""
    return LazyProxy(gettext, message, enable_cache=False)


_ = gettext


def negotiate(accept_language: str | None, fallback: str = DEFAULT_LANGUAGE) -> str:
    """The best of our languages for an Accept-Language header."""
    if not accept_language:
        return fallback
    preferred = []
    for part in accept_language.split(","):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            preferred.append((quality, tag.strip().replace("_", "-")))
    preferred.sort(key=lambda item: -item[0])
    chosen = negotiate_locale([tag for _q, tag in preferred], list(LANGUAGES), sep="-")
    return chosen or fallback


def pick(values: dict[str, str] | None, language: str | None = None, fallback: str = DEFAULT_LANGUAGE) -> str:
    """The text for a language from a per-language dict, falling back sensibly."""
    if not values:
        return ""
    for candidate in (language or get_language(), fallback, *LANGUAGES):
        if values.get(candidate):
            return values[candidate]
    return next(iter(values.values()), "")


def format_number(value: int) -> str:
    """A count as the language writes it: 100.000 in Dutch, 100,000 in English."""
    return str(format_decimal(value, locale=get_language()))


def format_day(value: Any, pattern: str = "d MMM") -> str:
    """A date as a chart or table label, e.g. "24 nov." or "Nov 24"."""
    from babel.dates import format_skeleton

    return format_skeleton(
        "MMMd" if pattern == "d MMM" else pattern, value, locale=Locale.parse(get_language())
    )


def format_date(value: Any, timezone: str | None = None) -> str:
    """A day as people write it in the current language: "7 december 2026", "7 December 2026"."""
    from babel.dates import format_date as babel_format
    from babel.dates import get_timezone

    if value is None:
        return ""
    if isinstance(value, datetime) and timezone:
        value = value.astimezone(get_timezone(timezone))
    return babel_format(value, format="long", locale=Locale.parse(get_language()))


def format_datetime(value: Any, timezone: str | None = None) -> str:
    from babel.dates import format_datetime as babel_format
    from babel.dates import get_timezone

    if value is None:
        return ""
    zone = get_timezone(timezone) if timezone else None
    locale = Locale.parse(get_language())
    # Date in the locale's medium form, time to the minute: seconds are noise in a dashboard.
    date_part = babel_format(value, format=locale.date_formats["medium"].pattern, tzinfo=zone, locale=locale)
    time_part = babel_format(value, format=locale.time_formats["short"].pattern, tzinfo=zone, locale=locale)
    return f"{date_part}, {time_part}"
