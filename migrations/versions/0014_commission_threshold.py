"""commission: the network's threshold of criteria for an award; decisions record criteria met and overrides

Revision ID: 0014_commission_threshold
Revises: 0009_commission
Create Date: 2026-12-05 02:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_commission_threshold'
down_revision = '0009_commission'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('commission_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('min_criteria', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_commission_settings_network_id_network')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_settings')),
    sa.UniqueConstraint('network_id', name=op.f('uq_commission_settings_network_id'))
    )
    with op.batch_alter_table('commission_decision') as batch:
        batch.add_column(sa.Column('criteria_met', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('threshold', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('overrode_threshold', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('commission_decision') as batch:
        batch.drop_column('overrode_threshold')
        batch.drop_column('threshold')
        batch.drop_column('criteria_met')
    op.drop_table('commission_settings')
