"""Text hygiene shared by every domain: Unicode normalized, control characters dropped, trimmed."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def normalize_text(value: Any) -> str:
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()
