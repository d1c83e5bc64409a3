"""A custom host's home page: the published page a visitor sees at the bare host (go.bakkerij.nl/).

Revision ID: 0111_domains_home_page
Revises: 0110_crm_search
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0111_domains_home_page"
down_revision: str | None = "0110_crm_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEY = "fk_site_domain_home_page_id_page"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes the reference inline in ADD COLUMN; a batch would copy the table for nothing.
        op.execute(
            "ALTER TABLE site_domain ADD COLUMN home_page_id BINARY(16) REFERENCES page (id) ON DELETE SET NULL"
        )
        return
    op.add_column(
        "site_domain", sa.Column("home_page_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True)
    )
    op.create_foreign_key(FOREIGN_KEY, "site_domain", "page", ["home_page_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(FOREIGN_KEY, "site_domain", type_="foreignkey")
    with op.batch_alter_table("site_domain") as batch_op:
        batch_op.drop_column("home_page_id")
