"""What an uploaded file is, read from its bytes (never its name or the browser's type), and if it is safe.

Images are decoded and written again as page images are (`core.images.clean_image`), so we keep pixels we
wrote. A PDF is refused when it can run anything or carries other files: JavaScript (`/JS`, `/JavaScript`,
an `/OpenAction` or `/AA` that runs it), `/Launch`, embedded files, rich media or XFA forms. It is checked
twice: its raw bytes in chunks, and every object as pypdf reads it (which unpacks compressed object streams
and `#xx`-escaped names, where a raw search is blind). An encrypted PDF cannot be checked, so it is refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from landform.core.i18n import gettext as _
from landform.core.i18n import lazy_gettext
from landform.core.images import ImageRefused, clean_image

KINDS = {"image": lazy_gettext("Images (PNG, JPEG, WebP, GIF)"), "pdf": lazy_gettext("PDF documents")}
IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif"}
_ACTIVE_NAMES = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
_ACTIVE_RAW = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z0-9])")
_OVERLAP = 32
# Objects visited at most: a crafted PDF with millions of tiny objects is refused rather than walked.
_MAX_OBJECTS = 50_000


class FileRefused(Exception):
    """A file we do not keep, with the reason to show the visitor."""


def _head(path: Path) -> bytes:
    with path.open("rb") as source:
        return source.read(16)


def kind_of(path: Path) -> str | None:
    head = _head(path)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return "image"
    return None


def _raw_active(path: Path) -> bool:
    tail = b""
    with path.open("rb") as source:
        while chunk := source.read(64 * 1024):
            if _ACTIVE_RAW.search(tail + chunk):
                return True
            tail = chunk[-_OVERLAP:]
    return False


def _active(value: Any, depth: int = 0) -> bool:
    """Whether a PDF object (direct parts only; indirect ones are visited on their own) names an action."""
    if depth > 32:
        return True  # nesting no real document has
    if isinstance(value, NameObject):
        return str(value) in _ACTIVE_NAMES
    if isinstance(value, DictionaryObject):
        return any(
            str(key) in _ACTIVE_NAMES or (not isinstance(item, IndirectObject) and _active(item, depth + 1))
            for key, item in value.items()
        )
    if isinstance(value, ArrayObject):
        return any(not isinstance(item, IndirectObject) and _active(item, depth + 1) for item in value)
    return False


def check_pdf(path: Path) -> None:
    """Raise FileRefused when the PDF can run code, carries files, or cannot be read."""
    refused = FileRefused(_("This PDF contains scripts or attached files, so it was refused."))
    if _raw_active(path):
        raise refused
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            raise FileRefused(
                _("This PDF is protected with a password, so it cannot be checked. Send it unprotected.")
            )
        numbers = [(num, gen) for gen, table in reader.xref.items() for num in table]
        numbers += [(num, 0) for num in reader.xref_objStm]
        if len(numbers) > _MAX_OBJECTS:
            raise refused
        for num, gen in numbers:
            if _active(reader.get_object(IndirectObject(num, gen, reader))):
                raise refused
        if _active(reader.trailer):
            raise refused
    except FileRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as error:
        raise FileRefused(_("This PDF could not be read. Save it again and send it once more.")) from error


def accept(path: Path, allowed: list[str], max_bytes: int) -> tuple[str, bytes | None]:
    """The stored file's content type, and new bytes when it was re-written (an image); FileRefused if not."""
    kind = kind_of(path)
    if kind is None or kind not in allowed:
        raise FileRefused(
            _(
                "This file is not one of the kinds this field takes: %(kinds)s.",
                kinds=", ".join(str(KINDS[k]) for k in allowed),
            )
        )
    if kind == "pdf":
        check_pdf(path)
        return "application/pdf", None
    try:
        image = clean_image(path.read_bytes(), max_bytes)
    except ImageRefused as refused:
        raise FileRefused(str(refused)) from refused
    return image.content_type, image.data
