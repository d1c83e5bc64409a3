"""CRM lists at a million contacts: trigram search indexes, owner filter in activity order

On PostgreSQL, when the pg_trgm extension can be had, GIN trigram indexes serve the contact search
(`records.CONTACT_SEARCH`, the same expression) and the company search by name, so `LIKE '%term%'` is an
index scan instead of reading every contact of the tenant. Without the extension (it needs to be
available on the server; PostgreSQL 13+ lets the database owner create it) the search still works,
just without the index.

Row-level security would keep the index unused: PostgreSQL applies a table's policy before any
condition whose operator is not leakproof, and LIKE is not, so the search became a scan of the whole
table. The search therefore runs in two SECURITY DEFINER functions owned by the migrating role (which
bypasses row-level security, see docs/deploy.md) that apply the same tenant rule as the policy
themselves and return only ids; the list then reads the rows by id, under the policy as always.

The owner filter gets an index in the list's order (last activity, id), which replaces the plain
(tenant, owner) one.

Revision ID: 0108_crm_speed
Revises: 0105_surface
Create Date: 2026-11-25 02:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0108_crm_speed"
down_revision: str | None = "0107_business"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTACT_SEARCH = (
    "lower(email_key || ' ' || first_name || ' ' || last_name || ' ' || company_name) gin_trgm_ops"
)


def _trigrams_available(connection: sa.Connection) -> bool:
    savepoint = connection.begin_nested()
    try:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        savepoint.rollback()  # not installed on the server, or not ours to create: search without it
        return False
    savepoint.commit()
    return True


# The tenant rule of landform/core/rls.py, as of this revision.
TENANT_RULE = (
    "(tenant_id = nullif(current_setting('landform.tenant_id', true), '')::uuid"
    " OR current_setting('landform.all_tenants', true) = 'on')"
)
SEARCHES = {
    "landform_contact_search": (
        "contact",
        "lower(email_key || ' ' || first_name || ' ' || last_name || ' ' || company_name) LIKE pattern",
    ),
    "landform_company_search": ("company", "name ILIKE pattern"),
}


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_tenant_owner")
        batch_op.create_index(
            "ix_contact_tenant_owner_activity",
            ["tenant_id", "owner_id", "last_activity_at", "id"],
            unique=False,
        )
    connection = op.get_bind()
    if connection.dialect.name == "postgresql" and _trigrams_available(connection):
        op.execute(f"CREATE INDEX ix_contact_search ON contact USING gin ({CONTACT_SEARCH})")
        op.execute("CREATE INDEX ix_company_name_search ON company USING gin (name gin_trgm_ops)")
    if connection.dialect.name == "postgresql":
        for function, (table, match) in SEARCHES.items():
            op.execute(
                f"CREATE FUNCTION {function}(pattern text) RETURNS SETOF uuid"
                " LANGUAGE sql STABLE SECURITY DEFINER ROWS 100 SET search_path FROM CURRENT"
                f" AS $$ SELECT id FROM {table} WHERE {TENANT_RULE} AND {match} $$"
            )


def downgrade() -> None:
    for function in SEARCHES:
        op.execute(f"DROP FUNCTION IF EXISTS {function}(text)")
    op.execute("DROP INDEX IF EXISTS ix_company_name_search")
    op.execute("DROP INDEX IF EXISTS ix_contact_search")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_tenant_owner_activity")
        batch_op.create_index("ix_contact_tenant_owner", ["tenant_id", "owner_id"], unique=False)
