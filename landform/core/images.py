"""Uploaded images (pages, logos, profile photos): the type is read from the bytes, never from the name.

Only PNG, JPEG, WebP and GIF pass, at most 2 MB, with dimensions read from their headers. A file
that also reads as HTML, SVG or script (a polyglot) is refused. What passes is decoded and written
again by Pillow (`clean_image`), so what we store and serve is pixels we wrote: no metadata (EXIF with
its GPS position, XMP, comments, colour profiles: colours are converted to sRGB first), at most
2400 px on its longest side, the first frame of an animation. Images are still served with their type,
`nosniff` and a sandboxing CSP.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from landform.core.i18n import gettext as _

MAX_BYTES = 2 * 1024 * 1024
# What a dashboard post with an upload may carry. Far above MAX_BYTES: a photo straight from a phone
# (often 3 to 12 MB) must arrive, so the form can say it is over 2 MB; beyond this the request is refused
# unread with a 413 page that says the same.
UPLOAD_BODY = 20 * 1024 * 1024
MAX_SIDE = 12_000
# Decoding costs memory by pixels, not bytes: a 2 MB PNG can unpack to gigabytes (a decompression bomb).
MAX_PIXELS = 40_000_000
# What we serve at most, on the longest side: enough for a full-width hero on a large screen.
MAX_OUTPUT_SIDE = 2400
_PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}
_SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "jpeg": {"quality": 85, "optimize": True, "progressive": True},
    "png": {"optimize": True},
    "webp": {"quality": 85, "method": 4},
    "gif": {"optimize": True},
}
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


def inspect_image(data: bytes, max_bytes: int = MAX_BYTES) -> tuple[str, int, int]:
    """The content type, width and height of an upload; raises ImageRefused with the reason.

    `max_bytes`: a form's file field sets its own limit (checked, with its own message, as it arrives).
    """
    if len(data) > max_bytes:
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


@dataclass(frozen=True)
class CleanImage:
    """An upload as we re-wrote it: its type, size and bytes."""

    content_type: str
    width: int
    height: int
    data: bytes


def _too_many_pixels(width: int, height: int) -> ImageRefused:
    return ImageRefused(
        _(
            "This image is %(width)d by %(height)d pixels; at most %(limit)d million pixels can be read. "
            "Please make it smaller and upload it again.",
            width=width,
            height=height,
            limit=MAX_PIXELS // 1_000_000,
        )
    )


def _in_srgb(picture: Image.Image, icc: bytes | None) -> Image.Image:
    """The picture's colours converted from its own profile to sRGB, so the profile itself can go."""
    if not icc or picture.mode not in ("RGB", "RGBA", "L", "CMYK"):
        return picture
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if picture.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            picture, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return picture  # a broken profile: keep the pixels as they are
    return converted if converted is not None else picture


def _for_format(picture: Image.Image, kind: str) -> Image.Image:
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    if kind == "jpeg":
        return picture if picture.mode in ("RGB", "L") else picture.convert("RGB")
    if kind == "gif":
        return picture if picture.mode in ("P", "L") else picture.convert("RGBA" if has_alpha else "RGB")
    if kind == "webp":
        return picture if picture.mode in ("RGB", "RGBA") else picture.convert("RGBA" if has_alpha else "RGB")
    if picture.mode in ("1", "L", "LA", "P", "RGB", "RGBA"):
        return picture
    return picture.convert("RGBA" if has_alpha else "RGB")


def clean_image(data: bytes, max_bytes: int = MAX_BYTES) -> CleanImage:
    """Decode an upload and write it again without metadata, at most MAX_OUTPUT_SIDE; raises ImageRefused."""
    content_type, width, height = inspect_image(data, max_bytes)
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)
    kind = _kind(data) or "png"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]]) as source:
                if source.width * source.height > MAX_PIXELS:
                    raise _too_many_pixels(source.width, source.height)
                source.seek(0)  # the first frame of an animation
                source.load()
                icc = source.info.get("icc_profile")
                transparency = source.info.get("transparency")
                # Turn the photo upright as the camera meant, before its orientation tag goes with the rest.
                picture = ImageOps.exif_transpose(source) or source.copy()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(width, height) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageRefused(_("This image could not be read. Please save it again and upload it.")) from error
    picture = _in_srgb(picture, icc if isinstance(icc, bytes) else None)
    # Only what drawing needs survives; EXIF, XMP, text chunks, comments and the profile do not.
    picture.info = (
        {"transparency": transparency}
        if transparency is not None and picture.mode in ("P", "L", "RGB")
        else {}
    )
    picture = _for_format(picture, kind)
    if max(picture.size) > MAX_OUTPUT_SIDE:
        picture.thumbnail((MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE), Image.Resampling.LANCZOS)
    options: dict[str, object] = dict(_SAVE_OPTIONS[kind])
    if kind in ("png", "gif") and "transparency" in picture.info:
        options["transparency"] = picture.info["transparency"]
    out = io.BytesIO()
    picture.save(out, format=_PILLOW_FORMATS[kind], **options)
    return CleanImage(content_type, picture.width, picture.height, out.getvalue())
