"""The embed script (/embed.js) a website includes to show a form, and its Subresource Integrity hash."""

from __future__ import annotations

import hashlib
from base64 import b64encode
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Request, Response, get

from landform.core.http import script_response

STATIC = Path(__file__).parent.parent / "static"
EMBED_JS = STATIC / "embed.js"
# The extension files embed.js loads for forms that need them (`ext` in the form's definition), each
# served from static/embed-NAME.js like embed.js itself. One line per extension.
EXTENSIONS = ("steps", "altcha", "popup", "files", "later")


def compact_script(source: str) -> bytes:
    """The script as served: without comment lines and indentation (the source stays readable)."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")).encode()


@cache
def embed_script() -> tuple[bytes, str]:
    """The embed script and its Subresource Integrity hash (read once per process)."""
    body = compact_script(EMBED_JS.read_text()) if EMBED_JS.exists() else b""
    return body, "sha384-" + b64encode(hashlib.sha384(body).digest()).decode()


@get("/embed.js", include_in_schema=False, cache=False)
async def serve_embed_script(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The embed script: cached for a day, revalidated by ETag, loadable with Subresource Integrity."""
    return script_response(request, *embed_script())


@cache
def extension_script(name: str) -> tuple[bytes, str]:
    """An extension file as served, and its integrity hash (read once per process)."""
    path = STATIC / f"embed-{name}.js"
    body = compact_script(path.read_text()) if path.exists() else b""
    return body, "sha384-" + b64encode(hashlib.sha384(body).digest()).decode()


def extension_url(name: str) -> str:
    """The extension's address with its version, for hosted pages that link it themselves."""
    return f"/embed-{name}.js?v={hashlib.sha256(extension_script(name)[0]).hexdigest()[:10]}"


def _extension_route(name: str) -> Any:
    @get(f"/embed-{name}.js", include_in_schema=False, cache=False, name=f"embed-{name}")
    async def serve(request: Request[Any, Any, Any]) -> Response[bytes]:
        """An embed extension: the same caching and CORS headers as embed.js."""
        return script_response(request, *extension_script(name))

    return serve


extension_routes = [_extension_route(name) for name in EXTENSIONS]
