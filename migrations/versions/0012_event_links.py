"""events: the cluster that runs an event (clusters are credited by it, not by the host organization)

Revision ID: 0012_event_links
Revises: 0008_pathways
Create Date: 2026-12-05 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_event_links'
down_revision = '0008_pathways'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cluster_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_event_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_event_cluster_id_cluster'), 'cluster', ['cluster_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_event_cluster_id_cluster'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_event_cluster_id'))
        batch_op.drop_column('cluster_id')
