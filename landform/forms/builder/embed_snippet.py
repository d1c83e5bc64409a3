"""The embed snippet the builder offers: the form inline, or as a popup or slide-in with its trigger."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from landform.forms.models import Form

MODES = ("inline", "popup", "slide-in")
TRIGGERS = ("time", "scroll", "exit")


@dataclass(frozen=True)
class Placement:
    """How the form appears on the website: read from the panel's own little form (query parameters)."""

    mode: str = "inline"
    trigger: str = "time"
    after: int = 10  # seconds, or percent of the page scrolled
    days: int = 30  # not shown again for this long, with the visitor's functional-cookie consent

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Placement:
        def number(name: str, default: int, top: int) -> int:
            value = str(query.get(name, ""))
            return min(max(int(value), 0), top) if value.isdigit() else default

        mode, trigger = query.get("mode", "inline"), query.get("trigger", "time")
        return cls(
            mode=mode if mode in MODES else "inline",
            trigger=trigger if trigger in TRIGGERS else "time",
            after=number("after", 50 if trigger == "scroll" else 10, 100 if trigger == "scroll" else 600),
            days=number("days", 30, 365),
        )


def snippet(base: str, form: Form, integrity: str, placement: Placement) -> str:
    """The script tag (and the link for visitors without JavaScript) to paste into a website."""
    popup = ""
    if placement.mode != "inline":
        popup = (
            f' data-landform-popup="{placement.mode}" data-landform-trigger="{placement.trigger}"'
            + (f' data-landform-after="{placement.after}"' if placement.trigger != "exit" else "")
            + f' data-landform-days="{placement.days}"'
        )
    return (
        f'<script src="{base}/embed.js" data-landform-form="{form.key}"{popup} integrity="{integrity}" '
        f'crossorigin="anonymous" async></script>\n'
        f'<noscript><a href="{base}/f/{form.key}">{escape(form.name)}</a></noscript>'
    )
