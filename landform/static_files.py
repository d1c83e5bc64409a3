"""The static files (CSS, scripts, images): their versioned URLs and how long browsers may keep them."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from litestar import Router
from litestar.datastructures import CacheControlHeader, MutableScopeHeaders
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"


@cache
def static_url(path: str) -> str:
    """A static file's URL with a content hash, so it can be cached for a year."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


# Without the file's current version in its URL, a browser asks again (and gets a 304 while it is unchanged).
STATIC_REVALIDATE = CacheControlHeader(public=True, no_cache=True)
STATIC_IMMUTABLE = CacheControlHeader(public=True, max_age=365 * 24 * 3600, immutable=True).to_header()


def cache_versioned_static(app: ASGIApp) -> ASGIApp:
    """Static files asked for at their current version (static_url) are cached for a year.

    Only at the version the file has now: an old or made-up `?v=` must not pin a stale or wrong answer
    in browsers and proxies for a year. The version is the content hash, so it changes with the file.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v")
        path = scope["path"].removeprefix("/static/")

        async def send_cached(message: Message) -> None:
            # A 200 or 304 of the static router: the file exists, so it has a version to compare with.
            if (
                message["type"] == "http.response.start"
                and message["status"] in (200, 304)
                and asked == [static_url(path).rpartition("?v=")[2]]
            ):
                MutableScopeHeaders.from_message(message)["cache-control"] = STATIC_IMMUTABLE
            await send(message)

        await app(scope, receive, send_cached if asked else send)

    return middleware


def static_router() -> Router:
    """/static/..., revalidated each time unless asked for at the file's current version."""
    return create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        include_in_schema=False,
        cache_control=STATIC_REVALIDATE,
        middleware=[cache_versioned_static],
        send_as_attachment=False,
    )
