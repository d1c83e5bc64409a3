"""The dashboard's getting-started checklist: when the tenant hid it.

Revision ID: 0116_getting_started_hidden
Revises: 0118_embed_refusals_archive
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0116_getting_started_hidden"
down_revision: str | None = "0118_embed_refusals_archive"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenant") as batch:
        batch.add_column(
            sa.Column(
                "getting_started_hidden_at",
                advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("tenant") as batch:
        batch.drop_column("getting_started_hidden_at")
