"""After the lead: the owner's notification preference, the form's visitor confirmation, the team channel.

Revision ID: 0119_lead_notifications
Revises: 0113_password_reset_requests
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0119_lead_notifications"
down_revision: str | None = "0113_password_reset_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("lead_notifications", sa.String(length=16), server_default="immediately", nullable=False)
        )
        batch.add_column(
            sa.Column("lead_digest_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True)
        )
    with op.batch_alter_table("form") as batch:
        batch.add_column(sa.Column("confirmation_email", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("routing_settings") as batch:
        batch.add_column(sa.Column("chat_webhook_url", sa.String(length=2000), server_default="", nullable=False))
        batch.add_column(sa.Column("chat_kind", sa.String(length=16), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("routing_settings") as batch:
        batch.drop_column("chat_kind")
        batch.drop_column("chat_webhook_url")
    with op.batch_alter_table("form") as batch:
        batch.drop_column("confirmation_email")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("lead_digest_at")
        batch.drop_column("lead_notifications")
