"""The media library: an image's alt text per language, kept on the image so every page can reuse it.

Revision ID: 0117_site_image_alt_texts
Revises: 0118_embed_refusals_archive
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0117_site_image_alt_texts"
down_revision: str | None = "0116_getting_started_hidden"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site_image") as batch_op:
        batch_op.add_column(sa.Column("alt", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("site_image") as batch_op:
        batch_op.drop_column("alt")
