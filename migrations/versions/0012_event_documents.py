"""events: technologies used, protocol chair and secretary, agenda items of protocol lines

Revision ID: 0012_event_documents
Revises: 0007_events
Create Date: 2026-12-05 01:42:02.118580
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_event_documents'
down_revision = '0007_events'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        # existing events used no recorded technology
        batch_op.add_column(sa.Column('technologies', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('protocol_chair', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('protocol_secretary', sa.String(length=255), nullable=True))

    with op.batch_alter_table('event_protocol_note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('event_protocol_note', schema=None) as batch_op:
        batch_op.drop_column('item')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('protocol_secretary')
        batch_op.drop_column('protocol_chair')
        batch_op.drop_column('technologies')
