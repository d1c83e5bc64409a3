"""companies, contact seed fields, owners, tags

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 22:40:37.631105

The seed's company and contact fields, the lead owner, and tags; existing contacts get empty values.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("postcode", sa.String(length=16), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("vat_number", sa.String(length=20), nullable=False),
        sa.Column("kvk_number", sa.String(length=8), nullable=False),
        sa.Column("rsin", sa.String(length=9), nullable=False),
        sa.Column("visiting_address", sa.String(length=300), nullable=False),
        sa.Column("invoice_address", sa.String(length=300), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("linkedin", sa.String(length=300), nullable=False),
        sa.Column("facebook", sa.String(length=300), nullable=False),
        sa.Column("twitter", sa.String(length=300), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("logo_image_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("tenant_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["logo_image_id"],
            ["site_image.id"],
            name=op.f("fk_company_logo_image_id_site_image"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_company_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company")),
    )
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.create_index("ix_company_tenant_domain", ["tenant_id", "domain"], unique=False)
        batch_op.create_index(batch_op.f("ix_company_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_company_tenant_kvk", ["tenant_id", "kvk_number"], unique=False)
        batch_op.create_index("ix_company_tenant_name", ["tenant_id", "name"], unique=False)
        batch_op.create_index("ix_company_tenant_vat", ["tenant_id", "vat_number"], unique=False)

    op.create_table(
        "contact_tag",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("contact_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_contact_tag_contact_id_contact"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_contact_tag_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_tag")),
        sa.UniqueConstraint("contact_id", "tag", name=op.f("uq_contact_tag_contact_id")),
    )
    with op.batch_alter_table("contact_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_tag_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_contact_tag_tenant_tag", ["tenant_id", "tag"], unique=False)

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("company_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True)
        )
        batch_op.add_column(sa.Column("gender", sa.String(length=16), server_default="", nullable=False))
        batch_op.add_column(sa.Column("linkedin", sa.String(length=300), server_default="", nullable=False))
        batch_op.add_column(sa.Column("facebook", sa.String(length=300), server_default="", nullable=False))
        batch_op.add_column(sa.Column("twitter", sa.String(length=300), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("description", sa.String(length=4000), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("photo_image_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True)
        )
        batch_op.add_column(sa.Column("owner_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=16), server_default="", nullable=False))
        batch_op.create_index(batch_op.f("ix_contact_company_id"), ["company_id"], unique=False)
        batch_op.create_index(
            "ix_contact_tenant_activity", ["tenant_id", "last_activity_at", "id"], unique=False
        )
        batch_op.create_index("ix_contact_tenant_owner", ["tenant_id", "owner_id"], unique=False)
        batch_op.create_index("ix_contact_tenant_phone", ["tenant_id", "phone"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_contact_company_id_company"),
            "company",
            ["company_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contact_owner_id_user_account"),
            "user_account",
            ["owner_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contact_photo_image_id_site_image"),
            "site_image",
            ["photo_image_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_contact_photo_image_id_site_image"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_contact_owner_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_contact_company_id_company"), type_="foreignkey")
        batch_op.drop_index("ix_contact_tenant_phone")
        batch_op.drop_index("ix_contact_tenant_owner")
        batch_op.drop_index("ix_contact_tenant_activity")
        batch_op.drop_index(batch_op.f("ix_contact_company_id"))
        batch_op.drop_column("source")
        batch_op.drop_column("owner_id")
        batch_op.drop_column("photo_image_id")
        batch_op.drop_column("description")
        batch_op.drop_column("twitter")
        batch_op.drop_column("facebook")
        batch_op.drop_column("linkedin")
        batch_op.drop_column("gender")
        batch_op.drop_column("company_id")

    with op.batch_alter_table("contact_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_tag_tenant_tag")
        batch_op.drop_index(batch_op.f("ix_contact_tag_tenant_id"))

    op.drop_table("contact_tag")
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_index("ix_company_tenant_vat")
        batch_op.drop_index("ix_company_tenant_name")
        batch_op.drop_index("ix_company_tenant_kvk")
        batch_op.drop_index(batch_op.f("ix_company_tenant_id"))
        batch_op.drop_index("ix_company_tenant_domain")

    op.drop_table("company")
