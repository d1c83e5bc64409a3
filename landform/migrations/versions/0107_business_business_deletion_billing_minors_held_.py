"""Account deletion remembers what it did to the Stripe subscription; minors' leads wait as held leads;
browsers and networks a user logged in from before (known_device, row-level security on PostgreSQL).

Revision ID: 0107_business
Revises: 0105_surface
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types
from landform.core import rls

revision: str = '0107_business'
down_revision: str | None = '0106_domains'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('known_device',
    sa.Column('id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('user_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('last_seen_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('tenant_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_known_device_tenant_id_tenant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_known_device_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_known_device'))
    )
    with op.batch_alter_table('known_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_known_device_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_known_device_user_fingerprint', ['user_id', 'fingerprint'], unique=False)

    with op.batch_alter_table('account_deletion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_subscription_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('billing', sa.String(length=16), server_default='none', nullable=False))

    with op.batch_alter_table('billing_held_lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=8), server_default='quota', nullable=False))

    rls.enable(op.get_bind())



def downgrade() -> None:
    with op.batch_alter_table('billing_held_lead', schema=None) as batch_op:
        batch_op.drop_column('reason')

    with op.batch_alter_table('account_deletion', schema=None) as batch_op:
        batch_op.drop_column('billing')
        batch_op.drop_column('stripe_subscription_id')

    with op.batch_alter_table('known_device', schema=None) as batch_op:
        batch_op.drop_index('ix_known_device_user_fingerprint')
        batch_op.drop_index(batch_op.f('ix_known_device_tenant_id'))

    op.drop_table('known_device')
