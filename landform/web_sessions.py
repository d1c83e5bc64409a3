"""The dashboard's sign-in session, and the stores that keep sessions and rate-limit counts."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend
from litestar.security.session_auth import SessionAuth
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore

from landform.accounts.models import User
from landform.accounts.sessions import user_for_session
from landform.core.http import PUBLIC_PATHS, CountingRedisStore, RotatingSessionConfig
from landform.core.settings import Settings

warnings.filterwarnings(
    "ignore", message=r"Middleware 'SessionAuthMiddleware' exclude pattern", module="litestar"
)


def session_auth(
    settings: Settings, alchemy: SQLAlchemyAsyncConfig
) -> SessionAuth[User, ServerSideSessionBackend]:
    """Who is signed in to the dashboard: a server-side session in the `sessions` store."""

    async def retrieve_user(
        session: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
    ) -> User | None:
        if not session.get("user_id"):
            return None
        db = alchemy.provide_session(connection.app.state, connection.scope)
        user = await user_for_session(db, str(session.get("user_id")), str(session.get("sid")))
        if user is None:
            # Signed out from another device (or a password change): forget this browser's session.
            connection.clear_session()
        return user

    return SessionAuth[User, ServerSideSessionBackend](
        retrieve_user_handler=retrieve_user,
        session_backend_config=RotatingSessionConfig(
            key="landform_session",
            store="sessions",
            secure=settings.server.secure_cookies,
            httponly=True,
            samesite="lax",
            max_age=14 * 24 * 3600,
            exclude=PUBLIC_PATHS,
        ),
        # Only the dashboard needs a user. Litestar warns that this pattern "matches all paths"
        # (it tests it against "/"); it does not: /app/... is authenticated, as the tests show.
        exclude=[r"^(?!/app)"],
    )


def store_factory(settings: Settings) -> Callable[[str], Store]:
    """The store for each name (sessions, rate limits): in Redis when there is one, else on this machine."""
    if settings.queue.redis_url:
        redis_store = CountingRedisStore.with_client(
            url=settings.queue.redis_url, namespace=settings.queue.namespace
        )
        return redis_store.with_namespace

    def local_store(name: str) -> Store:
        if name.startswith("rate_limit"):
            return MemoryStore()  # one process on the embedded default: counting in memory is exact
        # FileStore only creates its directory when used as a context manager, which the registry is not.
        path = settings.data_dir / "stores" / name
        path.mkdir(parents=True, exist_ok=True)
        return FileStore(path)

    return local_store
