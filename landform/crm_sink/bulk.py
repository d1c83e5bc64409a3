"""Many rows in one statement: how routing writes a batch.

On PostgreSQL each column travels as one array parameter and `unnest` turns them back into rows, so a
batch of any size is one short statement, compiled once and sent in one round trip. Elsewhere (SQLite)
the same rows go through executemany.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, Boolean, Integer, bindparam, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session


def _pg_type(table: Any, name: str) -> str:
    kind = table.c[name].type
    if isinstance(kind, GUID):
        return "uuid"
    if isinstance(kind, DateTimeUTC):
        return "timestamptz"
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Integer):
        return "integer"
    return "text"


def _arrays(table: Any, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    arrays: dict[str, list[Any]] = {}
    for n, name in enumerate(columns):
        values = [row[name] for row in rows]
        if isinstance(table.c[name].type, JSON):
            values = [json.dumps(value) for value in values]
        arrays[f"c{n}"] = values
    return arrays


def _unnest(table: Any, columns: Sequence[str]) -> str:
    # JSON travels as text (psycopg has no array adapter for it) and is cast on the server.
    return ", ".join(
        f"CAST(CAST(:c{n} AS text[]) AS json[])"
        if _pg_type(table, name) == "json"
        else f"CAST(:c{n} AS {_pg_type(table, name)}[])"
        for n, name in enumerate(columns)
    )


def insert_rows(
    session: Session, table: Any, rows: Sequence[dict[str, Any]], conflict: Sequence[str]
) -> None:
    """INSERT the rows; a row that conflicts on `conflict` is left out (ON CONFLICT DO NOTHING)."""
    if not rows:
        return
    columns = list(rows[0])
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Only our own table and column names are put into the text; every value is a parameter.
        statement = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT * FROM unnest({_unnest(table, columns)}) ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
        )
        connection.execute(text(statement), _arrays(table, columns, rows))
        return
    connection.execute(sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict)), list(rows))


def update_rows(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE each row found by its `id` with the other values given (every row gives the same columns)."""
    if not rows:
        return
    columns = list(rows[0])
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        assignments = ", ".join(f"{name} = v.{name}" for name in columns if name != "id")
        statement = (
            f"UPDATE {table.name} SET {assignments} "  # noqa: S608
            f"FROM unnest({_unnest(table, columns)}) AS v({', '.join(columns)}) WHERE {table.name}.id = v.id"
        )
        connection.execute(text(statement), _arrays(table, columns, rows))
        return
    keyed = [{f"new_{name}": value for name, value in row.items()} for row in rows]
    connection.execute(
        update(table)
        .where(table.c.id == bindparam("new_id"))
        .values({name: bindparam(f"new_{name}") for name in columns if name != "id"}),
        keyed,
    )


def _json(value: Any) -> Any:
    # Ids and times travel as text; PostgreSQL casts them to the column's type.
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def insert_json(
    session: Session, table: Any, rows: Sequence[dict[str, Any]], conflict: Sequence[str]
) -> None:
    """As `insert_rows`, for chunks of thousands (an import): on PostgreSQL the rows travel as one JSON
    text that `json_populate_recordset` turns into rows of the table's type. Dumping one JSON text is C
    work (`json.dumps`); psycopg dumps each element of an array parameter in Python, which at 5,000 rows of
    twenty columns costs more than the statement itself."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        insert_rows(session, table, rows, conflict)
        return
    columns = ", ".join(rows[0])
    statement = (
        f"INSERT INTO {table.name} ({columns}) "  # noqa: S608
        f"SELECT {columns} FROM json_populate_recordset(NULL::{table.name}, CAST(:rows AS json)) "
        f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    )
    connection.execute(text(statement), {"rows": json.dumps(rows, default=_json)})


def update_json(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """As `update_rows`, with the rows as one JSON text on PostgreSQL (see `insert_json`)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        update_rows(session, table, rows)
        return
    assignments = ", ".join(f"{name} = v.{name}" for name in rows[0] if name != "id")
    statement = (
        f"UPDATE {table.name} SET {assignments} "  # noqa: S608
        f"FROM json_populate_recordset(NULL::{table.name}, CAST(:rows AS json)) AS v "
        f"WHERE {table.name}.id = v.id"
    )
    connection.execute(text(statement), {"rows": json.dumps(rows, default=_json)})
