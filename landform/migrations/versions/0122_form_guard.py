"""A form can always ask the browser for a proof of work (ALTCHA), not only when a submission looks risky.

Revision ID: 0122_form_guard
Revises: 0119_lead_notifications
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0122_form_guard"
down_revision: str | None = "0125_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch with an expression default (sa.false()) copies the table on SQLite and
    # drops the old one, and with foreign keys on that drop empties every row that refers to a form.
    op.add_column(
        "form", sa.Column("proof_of_work_always", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("form") as batch:
        batch.drop_column("proof_of_work_always")
