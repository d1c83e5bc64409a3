"""Form drafts carry a revision: the builder saves as the marketer works and two tabs cannot overwrite each other.

Revision ID: 0115_form_draft_revision
Revises: 0113_password_reset_requests
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0115_form_draft_revision"
down_revision: str | None = "0113_password_reset_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite adds a foreign key only by copying the table.
    with op.batch_alter_table("form") as batch:
        batch.add_column(sa.Column("draft_revision", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("draft_saved_by_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_form_draft_saved_by_id_user_account"),
            "user_account",
            ["draft_saved_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("form") as batch:
        batch.drop_constraint(batch.f("fk_form_draft_saved_by_id_user_account"), type_="foreignkey")
        batch.drop_column("draft_saved_by_id")
        batch.drop_column("draft_revision")
