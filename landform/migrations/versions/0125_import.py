"""Contact imports (the file's mapping and progress, refused rows for the report) and routed batches (the one
subject of a batch's notification jobs).

Revision ID: 0125_import
Revises: 0119_lead_notifications
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

from landform.core import rls

revision: str = "0125_import"
down_revision: str | None = "0124_tasks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('routed_batch',
    sa.Column('id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('submission_ids', sa.JSON(), nullable=False),
    sa.Column('tenant_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_routed_batch_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routed_batch'))
    )
    with op.batch_alter_table('routed_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routed_batch_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('contact_import',
    sa.Column('id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('created_by_id', advanced_alchemy.types.guid.GUID(length=16), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('encoding', sa.String(length=16), nullable=False),
    sa.Column('delimiter', sa.String(length=1), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('on_duplicate', sa.String(length=8), nullable=False),
    sa.Column('lawful_basis', sa.String(length=24), nullable=False),
    sa.Column('source_name', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('processed_rows', sa.Integer(), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('updated_count', sa.Integer(), nullable=False),
    sa.Column('skipped_count', sa.Integer(), nullable=False),
    sa.Column('refused_count', sa.Integer(), nullable=False),
    sa.Column('finished_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('tenant_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_contact_import_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_contact_import_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_import'))
    )
    with op.batch_alter_table('contact_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_import_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('contact_import_refusal',
    sa.Column('id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('import_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('email_key', sa.String(length=320), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('tenant_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['contact_import.id'], name=op.f('fk_contact_import_refusal_import_id_contact_import'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_contact_import_refusal_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_import_refusal'))
    )
    with op.batch_alter_table('contact_import_refusal', schema=None) as batch_op:
        batch_op.create_index('ix_contact_import_refusal_email', ['tenant_id', 'email_key'], unique=False)
        batch_op.create_index('ix_contact_import_refusal_import_row', ['import_id', 'row_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_import_refusal_tenant_id'), ['tenant_id'], unique=False)

    rls.enable(op.get_bind())



def downgrade() -> None:
    with op.batch_alter_table('contact_import_refusal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_import_refusal_tenant_id'))
        batch_op.drop_index('ix_contact_import_refusal_import_row')
        batch_op.drop_index('ix_contact_import_refusal_email')

    op.drop_table('contact_import_refusal')
    with op.batch_alter_table('contact_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_import_tenant_id'))

    op.drop_table('contact_import')
    with op.batch_alter_table('routed_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routed_batch_tenant_id'))

    op.drop_table('routed_batch')
