"""A file field's settings: which kinds it takes, how large, how many; what the builder may set."""

from __future__ import annotations

import contextlib
from typing import Any

from landform.core.i18n import gettext as _
from landform.forms.uploads.sniff import KINDS

MAX_MB = 10
MAX_FILES = 5
DEFAULT_MB, DEFAULT_FILES = 5, 1
DEFAULTS: dict[str, Any] = {"accept": ["image", "pdf"], "max_mb": DEFAULT_MB, "max_files": DEFAULT_FILES}
# What one submission with files may carry at most: every file at the largest size, and the answers.
MAX_BODY = MAX_FILES * MAX_MB * 1024 * 1024 + 256 * 1024


class SettingsInvalid(ValueError):
    """A file field's settings out of bounds, with the reason."""


def file_settings(data: dict[str, str]) -> dict[str, Any]:
    """The builder's choices (`accept_image`, `accept_pdf`, `max_mb`, `max_files`) checked."""
    accept = [kind for kind in KINDS if data.get(f"accept_{kind}") == "on"]
    if not accept:
        raise SettingsInvalid(_("Choose which kinds of file this field takes."))
    try:
        max_mb = int(data.get("max_mb") or DEFAULT_MB)
        max_files = int(data.get("max_files") or DEFAULT_FILES)
    except ValueError as error:
        raise SettingsInvalid(_("Give the size and number of files as whole numbers.")) from error
    if not 1 <= max_mb <= MAX_MB:
        raise SettingsInvalid(_("A file can be at most %(n)d MB.", n=MAX_MB))
    if not 1 <= max_files <= MAX_FILES:
        raise SettingsInvalid(_("A field can take 1 to %(n)d files.", n=MAX_FILES))
    return {"accept": accept, "max_mb": max_mb, "max_files": max_files}


def settings_of(field: dict[str, Any]) -> dict[str, Any]:
    """A field's settings; a draft's unchecked ones (the builder's canvas) fall back to the defaults."""
    settings = dict(DEFAULTS)
    accept = field.get("accept")
    if isinstance(accept, list) and any(kind in KINDS for kind in accept):
        settings["accept"] = [kind for kind in KINDS if kind in accept]
    for name, most in (("max_mb", MAX_MB), ("max_files", MAX_FILES)):
        with contextlib.suppress(TypeError, ValueError):
            settings[name] = max(1, min(most, int(field.get(name, settings[name]))))
    return settings


def html_accept(field: dict[str, Any]) -> str:
    """The file input's `accept` attribute: a hint for the picker; the bytes decide."""
    types = {"image": "image/png,image/jpeg,image/webp,image/gif", "pdf": "application/pdf,.pdf"}
    return ",".join(types[kind] for kind in settings_of(field)["accept"])


def upload_view(field: dict[str, Any]) -> dict[str, Any]:
    """What a visitor's form needs of a file field: the picker's hint, the count and size it allows."""
    rules = settings_of(field)
    return {
        "accept": html_accept(field),
        "max_files": rules["max_files"],
        "max_mb": rules["max_mb"],
        "limits": _(
            "Up to %(n)d file(s) of at most %(mb)d MB: %(kinds)s.",
            n=rules["max_files"],
            mb=rules["max_mb"],
            kinds=", ".join(str(KINDS[k]) for k in rules["accept"]),
        ),
    }
