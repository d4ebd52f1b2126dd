"""core: server-side sessions (issue 18, finding 10): the cookie holds a token, the row the actor

Revision ID: 0012_tool_session
Revises: 0001_core
Create Date: 2026-12-05 01:33:15.020075
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_tool_session'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tool_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=True),
    sa.Column('deployment_id', sa.Integer(), nullable=True),
    sa.Column('launch_roles', sa.JSON(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('resource_link_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_tool_session_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_tool_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_tool_session_token_hash'))
    )
    with op.batch_alter_table('tool_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tool_session_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tool_session_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tool_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tool_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_tool_session_expires_at'))

    op.drop_table('tool_session')
