"""Files visitors send with a form (`file` fields), kept in the file store; one row per file.

Revision ID: 0121_form_uploads
Revises: 0119_lead_notifications
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

from landform.core import rls

revision: str = "0121_form_uploads"
down_revision: str | None = "0122_form_guard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
GUID = advanced_alchemy.types.guid.GUID(length=16)


def upgrade() -> None:
    op.create_table(
        "submission_file",
        sa.Column("id", GUID, nullable=False),
        sa.Column("submission_id", GUID, nullable=True),
        sa.Column("field_name", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", GUID, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_submission_file_submission_id_submission"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_submission_file_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_file")),
    )
    with op.batch_alter_table("submission_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_file_submission_id"), ["submission_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_file_tenant_id"), ["tenant_id"], unique=False)
    rls.enable(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("submission_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_file_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_submission_file_submission_id"))
    op.drop_table("submission_file")
