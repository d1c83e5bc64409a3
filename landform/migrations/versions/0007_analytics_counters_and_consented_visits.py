"""analytics counters and consented visits

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 22:47:04.861084
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "traffic_day",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("subject_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("medium", sa.String(length=100), nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("submissions", sa.Integer(), nullable=False),
        sa.Column("tenant_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_traffic_day_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic_day")),
        sa.UniqueConstraint(
            "tenant_id",
            "day",
            "kind",
            "subject_id",
            "source",
            "medium",
            "campaign",
            name=op.f("uq_traffic_day_tenant_id"),
        ),
    )
    with op.batch_alter_table("traffic_day", schema=None) as batch_op:
        batch_op.create_index("ix_traffic_day_tenant_day", ["tenant_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_traffic_day_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "analytics_visit",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("visitor_id", sa.String(length=32), nullable=False),
        sa.Column("page_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("occurred_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("utm", sa.String(length=300), nullable=False),
        sa.Column("referrer_host", sa.String(length=255), nullable=False),
        sa.Column("tenant_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"], ["page.id"], name=op.f("fk_analytics_visit_page_id_page"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_analytics_visit_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_visit")),
    )
    with op.batch_alter_table("analytics_visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_visit_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_analytics_visit_visitor", ["tenant_id", "visitor_id", "occurred_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("analytics_visit", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_visit_visitor")
        batch_op.drop_index(batch_op.f("ix_analytics_visit_tenant_id"))

    op.drop_table("analytics_visit")
    with op.batch_alter_table("traffic_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_traffic_day_tenant_id"))
        batch_op.drop_index("ix_traffic_day_tenant_day")

    op.drop_table("traffic_day")
