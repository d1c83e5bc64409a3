"""double opt-in per purpose

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 23:31:32.762918
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("consent_purpose", schema=None) as batch_op:
        batch_op.add_column(sa.Column("double_opt_in", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:

    with op.batch_alter_table("consent_purpose", schema=None) as batch_op:
        batch_op.drop_column("double_opt_in")
