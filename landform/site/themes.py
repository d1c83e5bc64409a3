"""Themes: a tenant's brand with per-page overrides, a WCAG contrast check, and the stylesheet they become.

Hosted pages allow styles only from our own origin (no inline styles), so a theme is served as a tiny
stylesheet of CSS custom properties that page.css reads. Every value in it comes from a closed set or
a strict #rrggbb pattern, so a theme can never carry anything but colours and a known font stack.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from landform.core.i18n import gettext as _
from landform.core.i18n import lazy_gettext

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
COLOURS = ("primary", "text", "background")

# System fonts only: nothing is downloaded, nothing leaks a visitor's address to a font host.
FONTS: dict[str, tuple[Any, str]] = {
    "system": (
        lazy_gettext("System (clean sans-serif)"),
        'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    ),
    "humanist": (
        lazy_gettext("Humanist (friendly sans-serif)"),
        'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", source-sans-pro, sans-serif',
    ),
    "geometric": (
        lazy_gettext("Geometric (modern sans-serif)"),
        'Avenir, Montserrat, Corbel, "URW Gothic", source-sans-pro, sans-serif',
    ),
    "serif": (
        lazy_gettext("Classic serif"),
        'Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif',
    ),
    "rounded": (
        lazy_gettext("Rounded (soft sans-serif)"),
        'ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, Manjari, "Arial Rounded MT", '
        "Calibri, source-sans-pro, sans-serif",
    ),
}
BUTTONS: dict[str, tuple[Any, str]] = {
    "rounded": (lazy_gettext("Rounded"), "999px"),
    "soft": (lazy_gettext("Softly rounded"), "10px"),
    "square": (lazy_gettext("Square"), "2px"),
}
DEFAULT_THEME = {
    "primary": "#0f766e",
    "text": "#1d2939",
    "background": "#f7f8f6",
    "font": "system",
    "buttons": "soft",
    "logo_id": "",
}
AA_TEXT = 4.5


class ThemeInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def clean_theme(raw: dict[str, str], *, allow_empty: bool, image_ids: set[str]) -> dict[str, str]:
    """A theme from a form: colours as #rrggbb, a font and button style from our sets. Empty = inherit."""
    errors: dict[str, str] = {}
    theme: dict[str, str] = {}
    for name in COLOURS:
        value = raw.get(name, "").strip().lower()
        if not value and allow_empty:
            continue
        if not COLOUR.match(value):
            errors[name] = _("Use a colour like #0f766e.")
        theme[name] = value
    for name, choices in (("font", FONTS), ("buttons", BUTTONS)):
        value = raw.get(name, "").strip()
        if not value and allow_empty:
            continue
        if value not in choices:
            errors[name] = _("Choose one of the options.")
        theme[name] = value
    logo = raw.get("logo_id", "").strip()
    if logo and logo not in image_ids:
        errors["logo_id"] = _("Upload an image (PNG, JPEG, WebP or GIF).")
    if logo or not allow_empty:
        theme["logo_id"] = logo
    if errors:
        raise ThemeInvalid(errors)
    return theme


def resolve(brand: dict[str, str], page: dict[str, str]) -> dict[str, str]:
    """The theme a page shows: its own values over the brand's over ours; anything unknown is dropped."""
    merged = {**DEFAULT_THEME}
    for source in (brand, page):
        for name, value in source.items():
            if name in DEFAULT_THEME and value:
                merged[name] = value
    for name in COLOURS:
        if not COLOUR.match(merged[name]):
            merged[name] = DEFAULT_THEME[name]
    for name, choices in (("font", FONTS), ("buttons", BUTTONS)):
        if merged[name] not in choices:
            merged[name] = DEFAULT_THEME[name]
    return merged


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours, from 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def on_primary(theme: dict[str, str]) -> str:
    """White or near-black button text, whichever reads better on the primary colour."""
    return (
        "#ffffff"
        if contrast("#ffffff", theme["primary"]) >= contrast("#101828", theme["primary"])
        else "#101828"
    )


def contrast_checks(theme: dict[str, str]) -> list[dict[str, Any]]:
    """The three WCAG AA checks of a resolved theme, each with its ratio and the warning to show.

    `template` holds "{ratio}" where the number goes, so the editor's script can word a warning for
    colours it has not sent yet exactly as the server would.
    """
    checks = (
        ("text", theme["text"], theme["background"], _("Text on the background")),
        ("links", theme["primary"], theme["background"], _("Links in the primary colour on the background")),
        ("buttons", on_primary(theme), theme["primary"], _("Button text on the primary colour")),
    )
    found = []
    for key, fore, back, what in checks:
        ratio = contrast(fore, back)
        template = _(
            "%(what)s has a contrast of %(ratio)s:1; WCAG AA asks for at least 4.5:1.",
            what=what,
            ratio="{ratio}",
        )
        found.append(
            {
                "key": key,
                "ratio": ratio,
                "ok": ratio >= AA_TEXT,
                "template": template,
                "message": template.replace("{ratio}", f"{ratio:.1f}"),
            }
        )
    return found


def contrast_warnings(theme: dict[str, str]) -> list[str]:
    """What fails WCAG AA (4.5:1 for text) in a resolved theme, said so a marketer can act on it."""
    return [check["message"] for check in contrast_checks(theme) if not check["ok"]]


def preview_settings() -> dict[str, Any]:
    """What the editor's live preview script needs to draw a theme as the hosted page would."""
    return {
        "fonts": {key: stack for key, (_label, stack) in FONTS.items()},
        "buttons": {key: radius for key, (_label, radius) in BUTTONS.items()},
        "aa": AA_TEXT,
    }


def digest(theme: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(theme, sort_keys=True).encode()).hexdigest()[:12]


def stylesheet(theme: dict[str, str], selector: str = ":root") -> str:
    """The theme as CSS custom properties; `resolve` reduces every value to a safe one first."""
    theme = resolve({}, theme)
    return (
        f"{selector}{{"
        f"--accent:{theme['primary']};"
        f"--on-accent:{on_primary(theme)};"
        f"--ink:{theme['text']};"
        f"--bg:{theme['background']};"
        f"--radius:{BUTTONS[theme['buttons']][1]};"
        f"--font:{FONTS[theme['font']][1]};"
        "}\n"
    )
