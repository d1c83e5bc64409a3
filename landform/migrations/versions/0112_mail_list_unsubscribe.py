"""An e-mail's one-click unsubscribe address (List-Unsubscribe, RFC 8058), kept for its delivery.

Revision ID: 0112_mail_list_unsubscribe
Revises: 0111_domains_home_page
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0112_mail_list_unsubscribe"
down_revision: str | None = "0111_domains_home_page"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "email_message",
        sa.Column("list_unsubscribe", sa.String(length=1000), server_default="", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("email_message") as batch_op:
        batch_op.drop_column("list_unsubscribe")
