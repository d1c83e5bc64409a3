"""The intake's fast path: new rows and the job acting on them, stored in one PostgreSQL statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast
from uuid import UUID

import asyncpg
from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import JSON, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from landform.core.db import Base, json_text, utcnow
from landform.core.jobs.handoff import hand_off
from landform.core.jobs.models import OutboxJob
from landform.core.jobs.registry import add_job, registered_jobs
from landform.core.settings import get_settings


async def store_with_job(db: AsyncSession, rows: Sequence[Base], actor_name: str) -> None:
    """Store new `rows` with a job acting on the first of them, committed before this returns.

    For the intake's hot path, where a submission (and the consent records given with it) is all a
    request writes. On PostgreSQL the rows and the job are one statement, run in its own implicit
    transaction on a connection of the engine's pool, outside the ORM: SQLAlchemy's unit of work and
    its async adapter cost several times what PostgreSQL spends on the statement (docs/performance.md).
    The statement also tells row-level security the tenant (see `_one_statement`): one round trip
    instead of BEGIN, set_config, INSERT and COMMIT. Elsewhere (SQLite) the session writes them.

    The rows are new objects, never added to `db`. A transaction `db` has open is committed first, so a
    request never holds two of the pool's connections. A duplicate raises SQLAlchemy's IntegrityError,
    as a flush would.
    """
    subject = rows[0]
    subject_id, tenant_id = subject.__dict__["id"], subject.__dict__["tenant_id"]
    if db.sync_session.get_bind().dialect.name != "postgresql":
        db.add_all(rows)
        # add_job only adds the row and notes it in `info`, which AsyncSession shares with its
        # sync_session: no run_sync (a greenlet hop) on the intake's path.
        add_job(db.sync_session, actor_name, subject_id, tenant_id)
        await db.commit()
        return
    now = utcnow()
    job = _job_values(actor_name, subject_id, tenant_id, now)
    if db.in_transaction():
        await db.commit()
    tables = [*(cast(Table, row.__table__) for row in rows), _JOBS]
    values = [*(_insert_values(row) for row in rows), job]
    statement, json_positions = _one_statement(
        tuple((table, tuple(row_values)) for table, row_values in zip(tables, values, strict=True))
    )
    arguments: list[Any] = [str(tenant_id)]
    for row_values in values:
        arguments += row_values.values()
    for position in json_positions:
        arguments[position] = json_text(arguments[position])
    connection = await cast(AsyncEngine, db.bind).raw_connection()
    try:
        await cast(asyncpg.Connection, connection.driver_connection).execute(statement, *arguments)
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(statement, None, error) from error
    except BaseException:
        # Cut short (the server gone, the request cancelled mid-statement): the connection's state is
        # unknown, so it is closed rather than handed to the next request.
        connection.invalidate()
        raise
    finally:
        connection.close()
    hand_off([(actor_name, job["id"])])


def _job_values(actor_name: str, subject_id: UUID, tenant_id: UUID | None, now: datetime) -> dict[str, Any]:
    if actor_name not in registered_jobs:
        raise KeyError(f"no job named {actor_name}")
    return {
        "id": uuid7(),
        "actor_name": actor_name,
        "subject_id": subject_id,
        "tenant_id": tenant_id,
        "redispatch_at": now + timedelta(seconds=get_settings().queue.redispatch_after_seconds),
        "redispatches": 0,
        "created_at": now,
        "updated_at": now,
    }


def _insert_values(row: Base) -> dict[str, Any]:
    """What the unit of work would insert for a new object: its values, else its columns' Python defaults."""
    values: dict[str, Any] = {}
    for column in cast(Table, row.__table__).columns:
        default: Any = column.default
        if column.key in row.__dict__:
            values[column.key] = row.__dict__[column.key]
        elif default is not None and default.is_scalar:
            values[column.key] = default.arg
        elif default is not None and default.is_callable:
            values[column.key] = default.arg(None)
    return values


@lru_cache(maxsize=64)
def _one_statement(shapes: tuple[tuple[Table, tuple[str, ...]], ...]) -> tuple[str, tuple[int, ...]]:
    """The rows and their job (the last shape) as one statement for asyncpg, and which arguments are JSON.

    `WITH tenant AS (SELECT set_config('landform.tenant_id', $1, true)), r0 AS (INSERT INTO submission
    ... SELECT $2, ... FROM tenant RETURNING 1), r1 AS (INSERT INTO consent_record ... SELECT ... FROM
    r0) INSERT INTO outbox_job ... SELECT ... FROM r0`. Every insert selects from the one before it, so
    PostgreSQL has set the tenant before it checks a row against the tenant policy; the setting is
    local to the statement's transaction and ends with it. Built once per shape (tables and columns).
    """
    quote = _POSTGRESQL.identifier_preparer.quote
    count = 1  # $1 is the tenant
    json_positions: list[int] = []

    def insert_from(table: Table, columns: tuple[str, ...], source: str) -> str:
        nonlocal count
        placeholders = []
        for name in columns:
            if isinstance(table.c[name].type, JSON):
                json_positions.append(count)  # the argument's index: $(count + 1)
            count += 1
            placeholders.append(f"${count}")
        names = ", ".join(quote(name) for name in columns)
        # Names from the table's metadata, quoted; every value is a $n argument.
        return f"INSERT INTO {quote(table.name)} ({names}) SELECT {', '.join(placeholders)} FROM {source}"  # noqa: S608

    (subject_table, subject_columns), *others, (job_table, job_columns) = shapes
    parts = [
        "tenant AS (SELECT set_config('landform.tenant_id', $1, true))",
        f"r0 AS ({insert_from(subject_table, subject_columns, 'tenant')} RETURNING 1)",
        *(f"r{n} AS ({insert_from(table, columns, 'r0')})" for n, (table, columns) in enumerate(others, 1)),
    ]
    return f"WITH {', '.join(parts)} {insert_from(job_table, job_columns, 'r0')}", tuple(json_positions)


_JOBS = cast(Table, OutboxJob.__table__)
_POSTGRESQL = postgresql.dialect()
