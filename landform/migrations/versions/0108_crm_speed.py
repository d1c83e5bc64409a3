"""CRM lists at a million contacts: trigram search indexes, owner filter in activity order

On PostgreSQL, when the pg_trgm extension can be had, GIN trigram indexes serve the contact search
(`records.CONTACT_SEARCH`, the same expression) and the company search by name, so `LIKE '%term%'` is an
index scan instead of reading every contact of the tenant. Without the extension (it needs to be
available on the server; PostgreSQL 13+ lets the database owner create it) the search still works,
just without the index. The owner filter gets an index in the list's order (last activity, id), which
replaces the plain (tenant, owner) one.

Revision ID: 0108_crm_speed
Revises: 0105_surface
Create Date: 2026-11-25 02:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0108_crm_speed"
down_revision: str | None = "0105_surface"
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


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_company_name_search")
    op.execute("DROP INDEX IF EXISTS ix_contact_search")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_tenant_owner_activity")
        batch_op.create_index("ix_contact_tenant_owner", ["tenant_id", "owner_id"], unique=False)
