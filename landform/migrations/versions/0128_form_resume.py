"""Save and resume: a form setting, and the unfinished answers visitors ticked to keep (issue 16.5).

Revision ID: 0128_form_resume
Revises: 0125_import
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

from landform.core import rls

revision: str = "0128_form_resume"
down_revision: str | None = "0121_form_uploads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch with an expression default (sa.false()) copies the table on SQLite and
    # drops the old one, and with foreign keys on that drop empties every row that refers to a form.
    op.add_column("form", sa.Column("allow_resume", sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('saved_answers',
    sa.Column('id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('form_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('page_id', advanced_alchemy.types.guid.GUID(length=16), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('email_key', sa.String(length=320), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('consent_record_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('expires_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('tenant_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consent_record_id'], ['consent_record.id'], name=op.f('fk_saved_answers_consent_record_id_consent_record')),
    sa.ForeignKeyConstraint(['form_id'], ['form.id'], name=op.f('fk_saved_answers_form_id_form'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_saved_answers_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_answers'))
    )
    with op.batch_alter_table('saved_answers', schema=None) as batch_op:
        batch_op.create_index('ix_saved_answers_created', ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index('ix_saved_answers_email', ['tenant_id', 'email_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_answers_tenant_id'), ['tenant_id'], unique=False)

    rls.enable(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('saved_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_answers_tenant_id'))
        batch_op.drop_index('ix_saved_answers_email')
        batch_op.drop_index('ix_saved_answers_created')

    op.drop_table('saved_answers')
    with op.batch_alter_table("form", schema=None) as batch:
        batch.drop_column("allow_resume")
