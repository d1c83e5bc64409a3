"""Row-level security on PostgreSQL: the database itself keeps tenants apart, beneath the ORM's tenant scope.

Every table with a NOT NULL `tenant_id` gets RLS enabled and forced, with one policy: a row is visible
and writable only when its `tenant_id` equals the transaction's `landform.tenant_id` setting, or when
the transaction says `landform.all_tenants = on`. `db.py` sets both per transaction (`set_config(...,
true)`, i.e. SET LOCAL): the tenant from the session's scope, and `all_tenants` only around statements
that carry `.execution_options(all_tenants=True)`. A raw query that forgets its tenant filter therefore
still sees one tenant's rows, or none. Superusers and roles with BYPASSRLS are not subject to it: the
application must connect as an ordinary role (see docs/deploy.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

POLICY = "tenant_isolation"
CONDITION = (
    "(tenant_id = nullif(current_setting('landform.tenant_id', true), '')::uuid"
    " OR current_setting('landform.all_tenants', true) = 'on')"
)


def tenant_tables(connection: Any) -> list[str]:
    """Tables of the current schema that belong to one tenant per row (a NOT NULL tenant_id)."""
    rows = connection.execute(
        text(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'tenant_id' AND is_nullable = 'NO' "
            "ORDER BY table_name"
        )
    )
    return [row[0] for row in rows]


def enable(connection: Any) -> list[str]:
    """Enable and force RLS with the tenant policy on every tenant table (idempotent); PostgreSQL only."""
    if connection.dialect.name != "postgresql":
        return []
    tables = tenant_tables(connection)
    for table in tables:
        connection.execute(text(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY'))
        connection.execute(text(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY'))
        connection.execute(text(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"'))
        connection.execute(
            text(f'CREATE POLICY {POLICY} ON "{table}" USING {CONDITION} WITH CHECK {CONDITION}')
        )
    return tables


def disable(connection: Any) -> None:
    if connection.dialect.name != "postgresql":
        return
    for table in tenant_tables(connection):
        connection.execute(text(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"'))
        connection.execute(text(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY'))
        connection.execute(text(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY'))
