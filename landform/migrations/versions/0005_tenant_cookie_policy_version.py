"""tenant cookie policy version

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 22:00:00.000000

Every tenant starts at version 1; raising it asks visitors for their cookie choice again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tenant') as batch:
        batch.add_column(sa.Column('cookie_policy_version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('tenant') as batch:
        batch.drop_column('cookie_policy_version')
