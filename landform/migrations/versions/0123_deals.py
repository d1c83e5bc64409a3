"""The sales pipeline: a contact's lifecycle stage (and why it is not a fit or lost), pipeline stages, deals.

Existing contacts start as leads. Each tenant's default stages are made when it first opens its board.

Revision ID: 0123_deals
Revises: 0119_lead_notifications
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

from landform.core import rls

revision: str = "0123_deals"
down_revision: str | None = "0126_privacy_downstream"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
GUID = advanced_alchemy.types.guid.GUID(length=16)


def _audit_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("tenant_id", GUID, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "pipeline_stage",
        sa.Column("id", GUID, nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        *_audit_columns(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_pipeline_stage_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_stage")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_pipeline_stage_tenant_id")),
    )
    with op.batch_alter_table("pipeline_stage") as batch_op:
        batch_op.create_index(batch_op.f("ix_pipeline_stage_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "deal",
        sa.Column("id", GUID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("value_cents", sa.BigInteger(), nullable=False),
        sa.Column("stage_id", GUID, nullable=False),
        sa.Column("expected_close_on", sa.Date(), nullable=True),
        sa.Column("owner_id", GUID, nullable=True),
        sa.Column("contact_id", GUID, nullable=True),
        sa.Column("company_id", GUID, nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        *_audit_columns(),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_deal_company_id_company"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_deal_contact_id_contact"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_deal_owner_id_user_account"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["pipeline_stage.id"], name=op.f("fk_deal_stage_id_pipeline_stage"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_deal_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal")),
    )
    with op.batch_alter_table("deal") as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deal_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index("ix_deal_tenant_close", ["tenant_id", "expected_close_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_deal_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_deal_tenant_stage", ["tenant_id", "stage_id"], unique=False)

    with op.batch_alter_table("contact") as batch_op:
        batch_op.add_column(sa.Column("stage", sa.String(length=16), server_default="lead", nullable=False))
        batch_op.add_column(sa.Column("stage_reason", sa.String(length=300), server_default="", nullable=False))
        batch_op.create_index(
            "ix_contact_tenant_stage_activity", ["tenant_id", "stage", "last_activity_at", "id"], unique=False
        )
    rls.enable(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("contact") as batch_op:
        batch_op.drop_index("ix_contact_tenant_stage_activity")
        batch_op.drop_column("stage_reason")
        batch_op.drop_column("stage")
    op.drop_table("deal")
    op.drop_table("pipeline_stage")
