"""Notes, calls and tasks (work items), the morning task e-mail, and speed to lead.

Speed to lead: a contact remembers when its owner got it, from which department, and when the owner first
touched it; a department sets how long its reps have, the routing settings the working week to count in.

Revision ID: 0124_tasks
Revises: 0119_lead_notifications
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

from landform.core import rls

revision: str = "0124_tasks"
down_revision: str | None = "0123_deals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
GUID = advanced_alchemy.types.guid.GUID(length=16)


def upgrade() -> None:
    op.create_table(
        "work_item",
        sa.Column("id", GUID, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("contact_id", GUID, nullable=True),
        sa.Column("company_id", GUID, nullable=True),
        sa.Column("deal_id", GUID, nullable=True),
        sa.Column("author_id", GUID, nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("assignee_id", GUID, nullable=True),
        sa.Column("done_at", UTC_TIME, nullable=True),
        sa.Column("tenant_id", GUID, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_work_item_contact_id_contact"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_work_item_company_id_company"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_work_item_author_id_user_account"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["user_account.id"],
            name=op.f("fk_work_item_assignee_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_work_item_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_item")),
    )
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.create_index("ix_work_item_contact", ["contact_id", "created_at"], unique=False)
        batch_op.create_index(
            "ix_work_item_assignee_due", ["tenant_id", "assignee_id", "done_at", "due_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_work_item_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_item_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_item_tenant_id"), ["tenant_id"], unique=False)
    # Plain ADD COLUMNs: a batch on SQLite copies the table and drops the old one, and with foreign keys on
    # that drop empties what refers to it (a contact's activities, a user's leads).
    op.add_column("contact", sa.Column("owner_assigned_at", UTC_TIME, nullable=True))
    op.add_column("contact", sa.Column("department_id", GUID, nullable=True))
    op.add_column("contact", sa.Column("first_touched_at", UTC_TIME, nullable=True))
    op.add_column("department", sa.Column("touch_within_minutes", sa.Integer(), nullable=True))
    op.add_column(
        "routing_settings",
        sa.Column("timezone", sa.String(length=64), server_default="Europe/Amsterdam", nullable=False),
    )
    op.add_column("routing_settings", sa.Column("work_days", sa.String(length=7), server_default="12345", nullable=False))
    op.add_column("routing_settings", sa.Column("work_start", sa.String(length=5), server_default="09:00", nullable=False))
    op.add_column("routing_settings", sa.Column("work_end", sa.String(length=5), server_default="17:00", nullable=False))
    op.add_column("user_account", sa.Column("task_mail", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("user_account", sa.Column("task_mail_on", sa.Date(), nullable=True))
    rls.enable(op.get_bind())


def downgrade() -> None:
    for table, column in (
        ("user_account", "task_mail_on"),
        ("user_account", "task_mail"),
        ("routing_settings", "work_end"),
        ("routing_settings", "work_start"),
        ("routing_settings", "work_days"),
        ("routing_settings", "timezone"),
        ("department", "touch_within_minutes"),
        ("contact", "first_touched_at"),
        ("contact", "department_id"),
        ("contact", "owner_assigned_at"),
    ):
        op.drop_column(table, column)
    op.drop_table("work_item")
