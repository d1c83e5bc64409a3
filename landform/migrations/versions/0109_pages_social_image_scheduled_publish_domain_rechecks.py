"""A page's social image and scheduled publish; a verified custom host's run of failed re-checks.

Revision ID: 0109_pages_social
Revises: 0108_crm_speed
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0109_pages_social"
down_revision: str | None = "0108_crm_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _add_reference(table: str, column: str, target: str, name: str) -> None:
    """A nullable column referencing `target`.id, ON DELETE SET NULL.

    Not a batch on SQLite: a batch copies the page table, and dropping the old copy cascades to every
    page's published versions. SQLite takes the reference inline in ADD COLUMN instead.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} BINARY(16) REFERENCES {target} (id) ON DELETE SET NULL")
        return
    op.add_column(table, sa.Column(column, advanced_alchemy.types.guid.GUID(length=16), nullable=True))
    op.create_foreign_key(name, table, target, [column], ["id"], ondelete="SET NULL")


def upgrade() -> None:
    when = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
    _add_reference("page", "social_image_id", "site_image", "fk_page_social_image_id_site_image")
    op.add_column("page", sa.Column("publish_at", when, nullable=True))
    _add_reference(
        "page", "publish_scheduled_by_id", "user_account", "fk_page_publish_scheduled_by_id_user_account"
    )
    op.add_column("page", sa.Column("publish_failed_at", when, nullable=True))
    op.create_index("ix_page_publish_at", "page", ["publish_at"], unique=False)
    op.add_column("site_domain", sa.Column("failed_checks", sa.Integer(), server_default="0", nullable=False))
    op.add_column("site_domain", sa.Column("failing_since", when, nullable=True))


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_index("ix_page_publish_at", table_name="page")
    if sqlite:
        # The batch below copies the page table: its versions must not cascade away with the old copy.
        op.execute("PRAGMA foreign_keys=OFF")
    else:
        op.drop_constraint("fk_page_publish_scheduled_by_id_user_account", "page", type_="foreignkey")
        op.drop_constraint("fk_page_social_image_id_site_image", "page", type_="foreignkey")
    with op.batch_alter_table("page") as batch_op:
        for column in ("publish_failed_at", "publish_scheduled_by_id", "publish_at", "social_image_id"):
            batch_op.drop_column(column)
    with op.batch_alter_table("site_domain") as batch_op:
        batch_op.drop_column("failing_since")
        batch_op.drop_column("failed_checks")
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")
