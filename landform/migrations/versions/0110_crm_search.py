"""CRM lists: the source and do-not-contact filters get indexes in the list's order

A filter on a rare source ("import", 1% of the contacts) walked the activity index until it had a page
and counted by reading every contact of the tenant: 5 to 18 ms a page and 40 to 67 ms a capped count at
200,000 contacts, growing with the tenant. (tenant, source, last activity, id) serves the page as a
backwards index scan that stops at the page, whatever the source's share, and the count as a scan of
only that source's entries. Do-not-contact is by nature the rare side (those who asked), so it gets a
partial index, which costs nothing when an ordinary contact is written; "consent: ok" and the export
walk the activity index as before and fill a page at once.

The contact search function gets a second form that stops after `up_to` matches, so that the list's
count ("more than 10000") of a common term reads 10,001 matches rather than all of them (every
"de vries" of a million contacts). Like the first (0108), it applies the tenant rule itself and
returns only ids.

Revision ID: 0110_crm_search
Revises: 0109_pages_social
Create Date: 2026-11-25 03:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0110_crm_search"
down_revision: str | None = "0109_pages_social"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The tenant rule of landform/core/rls.py and the search of 0108, as of this revision.
TENANT_RULE = (
    "(tenant_id = nullif(current_setting('landform.tenant_id', true), '')::uuid"
    " OR current_setting('landform.all_tenants', true) = 'on')"
)
MATCH = "lower(email_key || ' ' || first_name || ' ' || last_name || ' ' || company_name) LIKE pattern"


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_tenant_source_activity",
            ["tenant_id", "source", "last_activity_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_contact_tenant_dnc_activity",
            ["tenant_id", "last_activity_at", "id"],
            unique=False,
            postgresql_where=sa.text("do_not_contact"),
            sqlite_where=sa.text("do_not_contact = 1"),
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION landform_contact_search(pattern text, up_to bigint) RETURNS SETOF uuid"
            " LANGUAGE sql STABLE SECURITY DEFINER ROWS 100 SET search_path FROM CURRENT"
            f" AS $$ SELECT id FROM contact WHERE {TENANT_RULE} AND {MATCH} LIMIT up_to $$"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS landform_contact_search(text, bigint)")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_tenant_dnc_activity")
        batch_op.drop_index("ix_contact_tenant_source_activity")
