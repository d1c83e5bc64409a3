"""Privacy records: each tenant's retention periods, and the terms versions it accepted.

Revision ID: 0127_privacy_records
Revises: 0119_lead_notifications
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

from landform.core import rls

revision: str = "0127_privacy_records"
down_revision: str | None = "0119_lead_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
GUID = advanced_alchemy.types.guid.GUID(length=16)


def _audit_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", GUID, nullable=False),
        sa.Column("tenant_id", GUID, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "retention_policy",
        *_audit_columns(),
        sa.Column("periods", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", GUID, nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_retention_policy_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_retention_policy_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_policy")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_retention_policy_tenant_id")),
    )
    with op.batch_alter_table("retention_policy") as batch_op:
        batch_op.create_index(batch_op.f("ix_retention_policy_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "terms_acceptance",
        *_audit_columns(),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("accepted_at", UTC_TIME, nullable=False),
        sa.Column("accepted_by_id", GUID, nullable=True),
        sa.Column("accepted_by_name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_terms_acceptance_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["user_account.id"],
            name=op.f("fk_terms_acceptance_accepted_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terms_acceptance")),
    )
    with op.batch_alter_table("terms_acceptance") as batch_op:
        batch_op.create_index(batch_op.f("ix_terms_acceptance_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_terms_acceptance_tenant_version", ["tenant_id", "version"], unique=False)
    rls.enable(op.get_bind())


def downgrade() -> None:
    op.drop_table("terms_acceptance")
    op.drop_table("retention_policy")
