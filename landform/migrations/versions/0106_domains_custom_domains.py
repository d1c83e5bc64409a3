"""Custom domains: a tenant's own host names for its hosted pages, with their ownership check.

Revision ID: 0106_domains
Revises: 0105_surface
Create Date: 2026-11-25 01:48:00.743180
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

from landform.core import rls

revision: str = "0106_domains"
down_revision: str | None = "0105_surface"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "site_domain",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False, server_default="pending"),
        sa.Column("failure", sa.String(length=32), nullable=False, server_default=""),
        sa.Column("checked_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("verified_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("tenant_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_site_domain_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_domain")),
        sa.UniqueConstraint("host", name=op.f("uq_site_domain_host")),
    )
    with op.batch_alter_table("site_domain", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_domain_tenant_id"), ["tenant_id"], unique=False)
    rls.enable(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("site_domain", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_domain_tenant_id"))
    op.drop_table("site_domain")
