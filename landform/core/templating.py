"""The one Jinja2 environment, shared by HTTP responses and e-mails, with gettext installed."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from landform.core import i18n

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.translations(i18n.get_language()).gettext(message),
        lambda singular, plural, n: i18n.translations(i18n.get_language()).ngettext(singular, plural, n),
        newstyle=True,
    )
    env.globals["current_language"] = i18n.get_language
    env.globals["language_names"] = i18n.LANGUAGE_NAMES
    env.globals["pick"] = i18n.pick
    env.filters["datetime"] = i18n.format_datetime
    env.filters["day"] = i18n.format_day
    env.filters["date"] = i18n.format_date
    env.filters["number"] = i18n.format_number
    env.filters["pick"] = i18n.pick
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
