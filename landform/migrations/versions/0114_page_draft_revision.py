"""Page drafts carry a revision every save raises, so a second tab is told before it overwrites the first.

Revision ID: 0114_page_draft_revision
Revises: 0117_site_image_alt_texts
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0114_page_draft_revision"
down_revision: str | None = "0117_site_image_alt_texts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("page") as batch:
        batch.add_column(sa.Column("draft_revision", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(
            sa.Column("draft_saved_by_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("page") as batch:
        batch.drop_column("draft_saved_by_id")
        batch.drop_column("draft_revision")
