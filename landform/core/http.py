"""HTTP plumbing shared by every domain: language, security headers, guards, tenant-scoped sessions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol
from uuid import UUID

from advanced_alchemy.extensions.litestar import async_autocommit_handler_maker, async_default_handler_maker
from advanced_alchemy.extensions.litestar._utils import get_aa_scope_state
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import FormMultiDict, MutableScopeHeaders, UploadFile
from litestar.enums import ScopeType
from litestar.exceptions import ClientException
from litestar.middleware import ASGIMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.plugins.htmx import HTMXRequest
from litestar.stores.redis import RedisStore
from litestar.types import ASGIApp, Message, Receive, Scope, ScopeSession, Send
from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from sqlalchemy.ext.asyncio import AsyncSession

from landform.core import i18n

# Paths a visitor or another system reaches: no session, no CSRF cookie, no cookie at all.
PUBLIC_PATHS = (
    r"^/(p|f|api|consent|privacy|embed(-[a-z]+)?\.js|choices\.js|robots\.txt|static|healthz|readyz|metrics|webhooks|domains|\.well-known)"
    r"(/|$)"
)

DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def commit_if_used(session_scope_key: str) -> Callable[[Message, Scope], Awaitable[None]]:
    """advanced-alchemy's "autocommit_include_redirects", but without a commit for a session left unused.

    Plain "autocommit" rolls back on the 303 of every POST-redirect-GET. Committing a session that never
    began a transaction begins one only to end it, with every after-commit hook: about 0.1 ms on each
    request the process answered from its memory (a published form's submission, a hosted page).
    `session_scope_key`: the config's own (advanced-alchemy numbers them when a process has several apps).
    """
    autocommit = async_autocommit_handler_maker(commit_on_redirect=True, session_scope_key=session_scope_key)
    close = async_default_handler_maker(session_scope_key=session_scope_key)

    async def handler(message: Message, scope: Scope) -> None:
        session: AsyncSession | None = get_aa_scope_state(scope, session_scope_key)
        if session is None or session.in_transaction() or session.new or session.dirty or session.deleted:
            await autocommit(message, scope)
        else:
            await close(message, scope)

    return handler


# Set on the ASGI scope by site/hosts.py when a request arrived on a tenant's verified custom host.
CUSTOM_HOST = "landform.custom_host"


@dataclass(frozen=True)
class CustomHost:
    """The tenant's own host name a request came in on, and what the visitor asked for there."""

    host: str
    # The Host header as sent (with a port outside production), for the addresses the visitor's browser uses.
    netloc: str
    tenant_id: UUID
    tenant_slug: str
    scheme: str
    # The path as the visitor sent it (/spring-offer); the app routes it as /p/{tenant}/spring-offer.
    path: str
    # For the host's own "page not found" page: whose host this is, and whether `/` shows a page.
    tenant_name: str = ""
    home_page_id: UUID | None = None

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.netloc}"


class TenantHosts(Protocol):
    """The verified custom hosts (site/domains.py keeps them); lower domains reach it through app.state."""

    def tenant_of(self, host: str) -> tuple[UUID, str] | None: ...

    def hosts_of(self, tenant_id: UUID) -> list[str]: ...


def custom_host(request: Request[Any, Any, Any] | ASGIConnection[Any, Any, Any, Any]) -> CustomHost | None:
    found = request.scope.get(CUSTOM_HOST)
    return found if isinstance(found, CustomHost) else None


def site_prefix(request: Request[Any, Any, Any] | None, tenant_slug: str) -> str:
    """Where a tenant's pages live from this request's point of view: "" on its own host, else /p/{slug}."""
    return "" if request is not None and custom_host(request) else f"/p/{tenant_slug}"


def public_path(request: Request[Any, Any, Any]) -> str:
    """The path (and query) the visitor asked for, before a custom host mapped it onto /p/{tenant}."""
    found = custom_host(request)
    path = found.path if found else request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


def public_url(request: Request[Any, Any, Any]) -> str:
    found = custom_host(request)
    if found is None:
        return str(request.url)
    return found.origin + public_path(request)


def hosted_csp(form_targets: str = "", *, scripts: bool = False, frames: Sequence[str] = ()) -> str:
    """The strict policy of hosted pages; `form_targets` adds a thank-you redirect's origin.

    `scripts` lets a landing page load its own cookies.js (and send the choice back with fetch).
    `frames`: the video players a page shows (once the visitor allowed them); none on most pages.
    """
    own_scripts = "script-src 'self'; connect-src 'self'; " if scripts else ""
    frame_src = f"frame-src {' '.join(frames)}; " if frames else ""
    return (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"{own_scripts}{frame_src}"
        f"form-action 'self'{(' ' + form_targets) if form_targets else ''}; "
        "frame-ancestors 'self'; base-uri 'none'; object-src 'none'"
    )


def language_for(scope: Scope, query_lang: str | None = None) -> str:
    if query_lang in i18n.LANGUAGES:
        return str(query_lang)
    session = scope.get("session")
    if isinstance(session, dict) and session.get("lang") in i18n.LANGUAGES:
        return str(session["lang"])
    headers = dict(scope.get("headers", []))
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    return i18n.negotiate(accept)


class LanguageMiddleware(ASGIMiddleware):
    """Picks the response language: ?lang= (this response only), the session's choice, Accept-Language."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        requested = None
        for pair in query.split("&"):
            name, _sep, value = pair.partition("=")
            if name == "lang":
                requested = value
        i18n.set_language(language_for(scope, requested))
        await next_app(scope, receive, send)


async def security_headers(message: Message, scope: Scope) -> None:
    """nosniff, a Referrer-Policy, and a CSP (unless the handler set its own) on every response.

    A before-send hook, not a middleware: Litestar calls its hooks for every message the app sends,
    where a middleware misses what is answered outside the route (404, 405) or by the exception
    handler (a CSRF 403, a 429 of the rate limiter).
    """
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    headers.setdefault("x-content-type-options", "nosniff")
    headers.setdefault("referrer-policy", "strict-origin-when-cross-origin")
    if "content-security-policy" not in headers:
        if scope.get("path", "").startswith(("/p/", "/f/")):
            headers["content-security-policy"] = hosted_csp()
        else:
            headers["content-security-policy"] = DASHBOARD_CSP
            headers.setdefault("x-frame-options", "DENY")


ROTATE_SESSION = "landform.rotate_session"


def rotate_session_id(request: Request[Any, Any, Any]) -> None:
    """Give this browser's session a new id when the response is sent (on log-in: no session fixation)."""
    request.scope[ROTATE_SESSION] = True  # type: ignore[literal-required]


class RotatingSessionBackend(ServerSideSessionBackend):
    """Server-side sessions whose id changes when asked (Litestar keeps the cookie's id otherwise)."""

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        rotated = connection.scope.get(ROTATE_SESSION)
        return rotated if isinstance(rotated, str) else super().get_session_id(connection)

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        if connection.scope.get(ROTATE_SESSION) is True:
            old = connection.cookies.get(self.config.key)
            if old and old != "null":
                await self.delete(old, store=self.config.get_store_from_app(connection.scope["app"]))
            connection.scope[ROTATE_SESSION] = self.generate_session_id()  # type: ignore[literal-required]
        await super().store_in_message(scope_session, message, connection)


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def client_ip(request: Request[Any, Any, Any], trusted_proxies: tuple[str, ...]) -> str:
    """The visitor's address: X-Forwarded-For is believed only when a configured proxy sent it."""
    peer = request.client.host if request.client else "unknown"
    if peer not in trusted_proxies:
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    # The rightmost address no trusted proxy added is the one that reached our edge.
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return peer


async def read_upload(form: FormMultiDict, name: str) -> bytes | None:
    """The bytes of the file chosen in field `name`, or None when none was chosen.

    A field holding a picture already saved also posts that picture's id under the same name (a hidden
    input beside the file input), so the file is looked for among all the field's values.
    """
    for value in form.getall(name, []):
        if isinstance(value, UploadFile) and value.filename:
            return await value.read()
    return None


class JsonSafeRequest(HTMXRequest):
    """A request whose JSON body, when unreadable, is the sender's 400 rather than our 500.

    An HTMXRequest, as the HTMX plugin makes every request when the app names no class of its own.

    Litestar turns msgspec's DecodeError into a 400, but msgspec reports nesting deeper than the
    interpreter's recursion limit and invalid UTF-8 inside a string with Python's own errors, which
    escape as 500s from every handler with a `data` parameter (the API's deals, stages...).
    """

    async def json(self) -> Any:
        try:
            return await super().json()
        except (RecursionError, UnicodeDecodeError) as error:
            raise ClientException(detail=i18n.gettext("The body is not valid JSON.")) from error


def wants_json(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept", "")
    content_type = request.headers.get("content-type", "")
    return content_type.startswith("application/json") or (
        "application/json" in accept and "text/html" not in accept
    )


def script_response(request: Request[Any, Any, Any], body: bytes, integrity: str) -> Response[bytes]:
    """A script other websites load (embed.js, choices.js): cached a day, revalidated by ETag, SRI-ready."""
    etag = '"' + integrity[7:39] + '"'
    headers = {
        "cache-control": "public, max-age=86400, stale-while-revalidate=604800",
        "etag": etag,
        "access-control-allow-origin": "*",
        "cross-origin-resource-policy": "cross-origin",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(body, media_type="text/javascript", headers=headers)


class CountingRedisStore(RedisStore):
    """Litestar's Redis store that can also count hits in a window with one atomic round trip."""

    async def count_hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        """Count one hit on `key`; returns the hits in its window so far and the seconds until it ends.

        The window starts at the first hit (its key expires then), as in Litestar's rate limiter.
        """
        return (await count_hits([(self, key, window_seconds)]))[0]


# Each key: count the hit, start its window at the first hit (EXPIRE NX), and tell how long the window
# has left. One script for all the keys of a request: a single command to send and a single reply to read.
_COUNT_HITS = """
local replies = {}
for i, key in ipairs(KEYS) do
  local hits = redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[i], 'NX')
  replies[#replies + 1] = hits
  replies[#replies + 1] = redis.call('TTL', key)
end
return replies
"""


@lru_cache(maxsize=8)
def _count_hits_script(client: Redis) -> AsyncScript:
    return client.register_script(_COUNT_HITS)  # runs by its SHA; loaded again should Redis forget it


async def count_hits(hits: list[tuple[CountingRedisStore, str, int]]) -> list[tuple[int, int]]:
    """`count_hit` for several keys (of stores sharing one Redis client) in one round trip."""
    client = hits[0][0]._redis
    if any(store._redis is not client for store, _key, _window in hits):
        raise ValueError("stores counted together must share their Redis client")
    replies = await _count_hits_script(client)(
        keys=[store._make_key(key) for store, key, _window in hits],
        args=[window for _store, _key, window in hits],
    )
    return [(int(replies[n]), max(int(replies[n + 1]), 0)) for n in range(0, len(replies), 2)]
