"""Uploaded images (pages, logos, profile photos): the type is read from the bytes, never from the name.

Only PNG, JPEG, WebP and GIF pass, at most 2 MB, with dimensions read from their headers. A file
that also reads as HTML, SVG or script (a polyglot) is refused, and accepted images are served with
their sniffed type, `nosniff` and a sandboxing CSP, so even a missed polyglot cannot run.
"""

from __future__ import annotations

import re
import struct

from landform.i18n import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 12_000
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}
# Markup a browser could be talked into running, anywhere in the file.
_ACTIVE = re.compile(rb"<\s*(script|html|svg|body|iframe|object|embed|meta|!doctype|\?xml)|javascript:", re.I)


class ImageRefused(Exception):
    """An upload that is not an image we serve; the message says why, for the marketer."""


def _kind(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _size(kind: str, data: bytes) -> tuple[int, int] | None:
    if kind == "png" and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if kind == "gif" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if kind == "jpeg":
        return _jpeg_size(data)
    return _webp_size(data)


def inspect_image(data: bytes) -> tuple[str, int, int]:
    """The content type, width and height of an upload; raises ImageRefused with the reason."""
    if len(data) > MAX_BYTES:
        raise ImageRefused(_("The image is larger than 2 MB. Please upload a smaller one."))
    kind = _kind(data)
    if kind is None:
        raise ImageRefused(_("Upload a PNG, JPEG, WebP or GIF image."))
    if _ACTIVE.search(data):
        raise ImageRefused(_("This file holds more than an image, so it was refused."))
    size = _size(kind, data)
    if size is None or not (0 < size[0] <= MAX_SIDE and 0 < size[1] <= MAX_SIDE):
        raise ImageRefused(_("This image could not be read. Please save it again and upload it."))
    return CONTENT_TYPES[kind], size[0], size[1]
