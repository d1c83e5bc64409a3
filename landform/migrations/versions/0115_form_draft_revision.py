"""Form drafts carry a revision: the builder saves as the marketer works and two tabs cannot overwrite each other.

Revision ID: 0115_form_draft_revision
Revises: 0114_page_draft_revision, 0118_embed_refusals_archive
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0115_form_draft_revision"
down_revision: str | None = "0114_page_draft_revision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The columns of core.drafts.DraftRevision, as the page editor's 0114 adds them to pages.
    with op.batch_alter_table("form") as batch:
        batch.add_column(sa.Column("draft_revision", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(
            sa.Column("draft_saved_by_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("form") as batch:
        batch.drop_column("draft_saved_by_id")
        batch.drop_column("draft_revision")
