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
    # A literal default lets SQLite simply ADD COLUMN; with sa.false() batch mode copies the form table and
    # drops the old one, which cascades to the forms' versions and empties pages' and submissions' form.
    with op.batch_alter_table("form") as batch:
        batch.add_column(sa.Column("proof_of_work_always", sa.Boolean(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("form") as batch:
        batch.drop_column("proof_of_work_always")
