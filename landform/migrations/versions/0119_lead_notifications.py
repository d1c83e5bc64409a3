"""After the lead: the owner's notification preference, the form's visitor confirmation, the team channel.

An account of one person that has no fallback owner gets that person as one: its unmatched leads went to
nobody (new accounts get it at sign-up).

Revision ID: 0119_lead_notifications
Revises: 0115_form_draft_revision
"""

from collections.abc import Sequence

from datetime import UTC, datetime
from uuid import uuid4

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

GUID = advanced_alchemy.types.guid.GUID(length=16)
WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)

revision: str = "0119_lead_notifications"
# Follows main's head at the time of merging (0115); the lead may re-chain.
down_revision: str | None = "0115_form_draft_revision"
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
    _one_person_accounts_get_their_leads()


def _one_person_accounts_get_their_leads() -> None:
    users = sa.table("user_account", sa.column("id", GUID), sa.column("tenant_id", GUID))
    settings = sa.table(
        "routing_settings",
        sa.column("id", GUID),
        sa.column("tenant_id", GUID),
        sa.column("fallback_owner_id", GUID),
        sa.column("created_at", WHEN),
        sa.column("updated_at", WHEN),
    )
    bind = op.get_bind()
    configured = sa.select(settings.c.tenant_id)
    people: dict[object, list[object]] = {}
    for user_id, tenant_id in bind.execute(
        sa.select(users.c.id, users.c.tenant_id).where(users.c.tenant_id.not_in(configured))
    ):
        people.setdefault(tenant_id, []).append(user_id)
    now = datetime.now(UTC)
    rows = [
        {"id": uuid4(), "tenant_id": tenant_id, "fallback_owner_id": ids[0], "created_at": now, "updated_at": now}
        for tenant_id, ids in people.items()
        if len(ids) == 1
    ]
    if rows:
        bind.execute(settings.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table("routing_settings") as batch:
        batch.drop_column("chat_kind")
        batch.drop_column("chat_webhook_url")
    with op.batch_alter_table("form") as batch:
        batch.drop_column("confirmation_email")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("lead_digest_at")
        batch.drop_column("lead_notifications")
