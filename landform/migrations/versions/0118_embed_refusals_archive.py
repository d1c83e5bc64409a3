"""Embed refusals (a website a form is not allowed on tried to show it) and archived pages and forms.

Revision ID: 0118_embed_refusals_archive
Revises: 0113_password_reset_requests
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

from landform.core import rls

revision: str = "0118_embed_refusals_archive"
down_revision: str | None = "0113_password_reset_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
GUID = advanced_alchemy.types.guid.GUID(length=16)


def upgrade() -> None:
    op.create_table(
        "embed_refusal",
        sa.Column("id", GUID, nullable=False),
        sa.Column("form_id", GUID, nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("last_seen_at", UTC_TIME, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("dismissed_at", UTC_TIME, nullable=True),
        sa.Column("tenant_id", GUID, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"], ["form.id"], name=op.f("fk_embed_refusal_form_id_form"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_embed_refusal_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embed_refusal")),
        sa.UniqueConstraint("form_id", "origin", name=op.f("uq_embed_refusal_form_id")),
    )
    with op.batch_alter_table("embed_refusal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_embed_refusal_form_id"), ["form_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_embed_refusal_tenant_id"), ["tenant_id"], unique=False)
    with op.batch_alter_table("form", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", UTC_TIME, nullable=True))
    with op.batch_alter_table("page", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", UTC_TIME, nullable=True))
    rls.enable(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("page", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
    with op.batch_alter_table("form", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
    with op.batch_alter_table("embed_refusal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_embed_refusal_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_embed_refusal_form_id"))
    op.drop_table("embed_refusal")
