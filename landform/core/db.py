"""Declarative base, engines, SQLite pragmas, and the tenant scope every query passes through.

The tenant scope is the one mechanism that keeps tenants apart: a session carries the tenant it
works for in `session.info["tenant_id"]`, and every ORM statement touching a tenant-owned model is
filtered by it. A statement on tenant-owned rows without a tenant raises instead of returning
everybody's rows, so forgetting the scope fails loudly in the first test that exercises it.
Deliberately cross-tenant statements (log-in by e-mail, the outbox sweep) say so with
`.execution_options(all_tenants=True)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
from advanced_alchemy.base import UUIDv7AuditBase, orm_registry
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import Engine, ForeignKey, create_engine, event, exc, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    sessionmaker,
    with_loader_criteria,
)

Base = UUIDv7AuditBase
metadata = orm_registry.metadata

__all__ = ["GUID", "Base", "DateTimeUTC", "TenantScoped", "metadata"]


class TenantScopeMissing(RuntimeError):
    """A query or write on tenant-owned rows ran without a tenant in scope."""


class TenantScoped:
    """Mixin for every row that belongs to a tenant."""

    @declared_attr
    def tenant_id(cls) -> Mapped[UUID]:
        return mapped_column(GUID, ForeignKey("tenant.id", ondelete="CASCADE"), index=True, nullable=False)


def utcnow() -> datetime:
    return datetime.now(UTC)


def scope_to_tenant(session: Session, tenant_id: UUID) -> None:
    """Bind a session to one tenant for the rest of its life.

    An AsyncSession is scoped through its `sync_session`: the AsyncSession's `info` is that Session's.
    """
    current = session.info.get("tenant_id")
    if current is not None and current != tenant_id:
        raise TenantScopeMissing("a session cannot change tenants")
    if current is None:
        session.info["tenant_id"] = tenant_id
        # On PostgreSQL the database's row-level security learns the tenant too, before the next statement.
        session.info["rls_pending"] = True


# Row-level security (PostgreSQL; see landform/core/rls.py): the tenant is set per transaction with
# set_config(..., true), the transaction-local form of SET LOCAL, when the transaction begins or
# the session is scoped, whichever comes later.
_SET_TENANT = text("SELECT set_config('landform.tenant_id', :tenant, true)")
_SET_ALL_TENANTS = text("SELECT set_config('landform.all_tenants', :on, true)")


def rls_tenant(connection: Any, tenant_id: UUID) -> None:
    """Show the database's row-level security this tenant for the rest of the transaction.

    For code that works several tenants one after the other in one transaction (the batch router),
    where a session's scope, fixed for its life, does not fit.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(_SET_TENANT, {"tenant": str(tenant_id)})


def rls_all_tenants(connection: Any, on: bool) -> None:
    """Open (or close again) the tenant policy for the statements that follow in this transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(_SET_ALL_TENANTS, {"on": "on" if on else "off"})


def _on_postgresql(session: Session) -> bool:
    bind = session.get_bind()
    return bind.dialect.name == "postgresql"


@event.listens_for(Session, "after_begin")
def _set_tenant_for_transaction(session: Session, _transaction: Any, connection: Any) -> None:
    tenant_id = session.info.get("tenant_id")
    session.info.pop("rls_pending", None)
    if connection.dialect.name != "postgresql":
        return
    if tenant_id is not None:
        connection.execute(_SET_TENANT, {"tenant": str(tenant_id)})
    if session.info.get("all_tenants"):
        # A session made to see every tenant (tests arranging rows; never a request or a job).
        connection.execute(_SET_ALL_TENANTS, {"on": "on"})


def _apply_pending_tenant(session: Session) -> None:
    if session.info.get("rls_pending") and _on_postgresql(session):
        connection = session.connection()  # begins a transaction (and sets the tenant) if none is open
        if session.info.pop("rls_pending", None):
            connection.execute(_SET_TENANT, {"tenant": str(session.info["tenant_id"])})
    session.info.pop("rls_pending", None)


def _across_tenants(state: ORMExecuteState) -> Any:
    """Run a deliberately cross-tenant statement with the database's tenant policy opened for it alone."""
    connection = state.session.connection()
    connection.execute(_SET_ALL_TENANTS, {"on": "on"})
    try:
        return state.invoke_statement()
    finally:
        if not state.session.info.get("all_tenants"):
            connection.execute(_SET_ALL_TENANTS, {"on": "off"})


@event.listens_for(Session, "do_orm_execute")
def _filter_by_tenant(state: ORMExecuteState) -> Any:
    _apply_pending_tenant(state.session)
    if state.execution_options.get("all_tenants") and _on_postgresql(state.session):
        return _across_tenants(state)
    if not (state.is_select or state.is_update or state.is_delete):
        return None
    # Lazy and column loads inherit the criteria of the statement that loaded their parent.
    if state.is_column_load or state.is_relationship_load:
        return None
    if state.execution_options.get("all_tenants"):
        return None
    if not any(issubclass(mapper.class_, TenantScoped) for mapper in state.all_mappers):
        return None
    tenant_id = state.session.info.get("tenant_id")
    if tenant_id is None:
        raise TenantScopeMissing("query on tenant-owned rows without a tenant in scope")
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )
    return None


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, _context: Any, _instances: Any) -> None:
    tenant_id = session.info.get("tenant_id")
    if tenant_id is None and _on_postgresql(session):
        # An unscoped session writing one tenant's rows (sign-up, stamping a log-in, arranging tests): the
        # database policy is told that tenant for this transaction, and only when every written row agrees.
        written = [*session.new, *session.dirty, *session.deleted]
        tenants = {obj.tenant_id for obj in written if isinstance(obj, TenantScoped)}
        if len(tenants) == 1 and None not in tenants:
            session.connection().execute(_SET_TENANT, {"tenant": str(tenants.pop())})
    else:
        _apply_pending_tenant(session)
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantScopeMissing(f"new {type(obj).__name__} without a tenant")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id:
            raise TenantScopeMissing(f"new {type(obj).__name__} for another tenant")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the in-process worker write while requests read; busy_timeout makes writers queue
    # instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _ensure_sqlite_directory(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def json_text(value: Any) -> str:
    """A JSON column's value as the database receives it (msgspec; see `_JSON`)."""
    return msgspec.json.encode(value).decode()


# JSON columns (answers, contexts, form fields) go through msgspec: several times as fast as the standard
# library's json, which every submission's three JSON columns paid for on the intake's hot path.
_JSON = {"json_serializer": json_text, "json_deserializer": msgspec.json.decode}


def create_app_engine(async_url: str) -> AsyncEngine:
    """The async engine for request handling."""
    if async_url.startswith("sqlite"):
        _ensure_sqlite_directory(async_url)
        engine = create_async_engine(async_url, **_JSON)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it costs a round trip on every request. asyncpg notices a connection the server closed
    # as it happens (a restart, a failover), so checking out looks at that instead (`_closed_by_server`).
    # Most of the 40 connections stay open: an overflow connection is closed when it comes back, so under
    # a steady 32 requests in flight a pool of 20 opened and closed a PostgreSQL connection every few.
    engine = create_async_engine(async_url, pool_size=32, max_overflow=8, pool_recycle=1800, **_JSON)
    event.listen(engine.sync_engine, "checkout", _closed_by_server)
    return engine


def _closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the server has closed is not handed out: the pool replaces it, and every
    connection pooled before it (a server that closed one has closed them all), so no request fails on
    one; SQLAlchemy's documented way to do this from the checkout event."""
    if dbapi_connection.driver_connection.is_closed():
        raise exc.InvalidatePoolError("the server closed this connection")


@lru_cache(maxsize=8)
def sync_engine(sync_url: str) -> Engine:
    """The sync engine for the worker, migrations and CLI, one per URL and process."""
    if sync_url.startswith("sqlite"):
        _ensure_sqlite_directory(sync_url)
        engine = create_engine(sync_url, **_JSON)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(sync_url, pool_size=10, max_overflow=10, pool_pre_ping=True, **_JSON)


@contextmanager
def sync_session(sync_url: str, tenant_id: UUID | None = None) -> Iterator[Session]:
    """A short-lived sync session; commits are explicit."""
    factory = sessionmaker(sync_engine(sync_url), expire_on_commit=False)
    with factory() as session:
        if tenant_id is not None:
            scope_to_tenant(session, tenant_id)
        yield session
