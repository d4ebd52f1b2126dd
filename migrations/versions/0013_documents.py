"""documents: narrative texts the methodist saved, and each network's letterhead template

Revision ID: 0013_documents
Revises: 0001_core
Create Date: 2026-12-05 01:42:02.118580
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_documents'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_letterhead',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_document_letterhead_network_id_network')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_document_letterhead_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_letterhead')),
    sa.UniqueConstraint('network_id', name=op.f('uq_document_letterhead_network_id'))
    )
    op.create_table('document_narrative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('section', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_document_narrative_network_id_network')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_document_narrative_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_narrative')),
    sa.UniqueConstraint('network_id', 'kind', 'key', 'section', name=op.f('uq_document_narrative_network_id_kind_key_section'))
    )
    with op.batch_alter_table('document_narrative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_narrative_network_id'), ['network_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('document_narrative', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_narrative_network_id'))
    op.drop_table('document_narrative')
    op.drop_table('document_letterhead')
