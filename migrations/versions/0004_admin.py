"""admin: network invitations for platforms that register themselves

Revision ID: 0004_admin
Revises: 0002_resource_map
Create Date: 2026-11-23 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_admin'
down_revision = '0002_resource_map'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('admin_network_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by_platform_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_admin_network_invitation_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_admin_network_invitation_network_id_network')),
    sa.ForeignKeyConstraint(['used_by_platform_id'], ['lti_platform.id'], name=op.f('fk_admin_network_invitation_used_by_platform_id_lti_platform')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_network_invitation')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_admin_network_invitation_code_hash'))
    )
    with op.batch_alter_table('admin_network_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_network_invitation_network_id'), ['network_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('admin_network_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_network_invitation_network_id'))

    op.drop_table('admin_network_invitation')
