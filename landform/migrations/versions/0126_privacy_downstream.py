"""Privacy downstream: notices to webhooks with their receipts, Google Consent Mode, the answer time.

A webhook event can name the privacy request it answers, a delivery records the receiver's signed
acknowledgement, a tenant can switch on Google Consent Mode v2 in its site banner, and a tenant's privacy
settings hold the answer time its portal promises (four weeks unless it chooses one calendar month).
Requests already open keep their due dates.

Revision ID: 0126_privacy_downstream
Revises: 0119_lead_notifications
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

GUID = advanced_alchemy.types.guid.GUID(length=16)
WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)

revision: str = "0126_privacy_downstream"
down_revision: str | None = "0127_privacy_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_event") as batch:
        batch.add_column(sa.Column("request_id", GUID, nullable=True))
        batch.create_index("ix_webhook_event_request_id", ["request_id"])
    with op.batch_alter_table("webhook_delivery") as batch:
        batch.add_column(sa.Column("acknowledged_at", WHEN, nullable=True))
    # A plain literal default: with an SQL expression (sa.false()) batch mode on SQLite copies the whole
    # tenant table and drops the old one, and that drop cascades to every row of every tenant (pages,
    # forms, contacts). "0" is false on SQLite and PostgreSQL and lets SQLite simply ADD COLUMN.
    with op.batch_alter_table("tenant") as batch:
        batch.add_column(sa.Column("google_consent_mode", sa.Boolean(), server_default="0", nullable=False))
    with op.batch_alter_table("privacy_settings") as batch:
        batch.add_column(
            sa.Column("deadline", sa.String(length=16), server_default="four_weeks", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("privacy_settings") as batch:
        batch.drop_column("deadline")
    with op.batch_alter_table("tenant") as batch:
        batch.drop_column("google_consent_mode")
    with op.batch_alter_table("webhook_delivery") as batch:
        batch.drop_column("acknowledged_at")
    with op.batch_alter_table("webhook_event") as batch:
        batch.drop_index("ix_webhook_event_request_id")
        batch.drop_column("request_id")
