"""Who may do what: role guards, and database sessions scoped to the user's or API key's tenant."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy.ext.asyncio import AsyncSession

from landform.accounts.models import Role, User
from landform.accounts.services import tenant_for_api_key
from landform.core.db import scope_to_tenant
from landform.core.http import client_ip


def requires_role(*roles: Role) -> Any:
    """A guard letting only these roles through."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        user = connection.user
        if not isinstance(user, User):
            raise NotAuthorizedException()
        if user.role not in roles:
            raise PermissionDeniedException("Your role does not allow this.")

    return guard


MANAGERS = (Role.OWNER, Role.ADMIN)


BUILDERS = (Role.OWNER, Role.ADMIN, Role.MARKETER)


async def provide_tenant_db(db_session: AsyncSession, request: Request[User, Any, Any]) -> AsyncSession:
    """The request's database session, scoped to the logged-in user's tenant."""
    scope_to_tenant(db_session.sync_session, request.user.tenant_id)
    return db_session


async def provide_api_db(db_session: AsyncSession, request: Request[Any, Any, Any]) -> AsyncSession:
    """The request's database session, scoped to the tenant of the bearer API key; 401 without one."""
    scheme, _sep, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthorizedException(detail="Send your API key as: Authorization: Bearer <key>")
    key = await tenant_for_api_key(db_session, secret.strip())
    if key is None:
        raise NotAuthorizedException(detail="This API key is not valid or has been revoked.")
    scope_to_tenant(db_session.sync_session, key.tenant_id)
    return db_session


def api_key_identifier(request: Request[Any, Any, Any]) -> str:
    """Who an API request counts against for rate limits: its key (hashed), or its address without one."""
    scheme, _sep, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return "key:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:32]
    return "ip:" + client_ip(request, request.app.state.settings.server.trusted_proxies)
