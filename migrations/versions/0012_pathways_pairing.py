"""pathways: tutor pairing runs (proposals of who is whose tutor)

Revision ID: 0012_pathways_pairing
Revises: 0011_survey_audience
Create Date: 2026-12-05 02:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_pathways_pairing'
down_revision = '0011_survey_audience'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pathway_pairing_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('proposal', sa.JSON(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_pathway_pairing_run_confirmed_by_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_pathway_pairing_run_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_pathway_pairing_run_network_id_network')),
    sa.ForeignKeyConstraint(['year_id'], ['academic_year.id'], name=op.f('fk_pathway_pairing_run_year_id_academic_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_pairing_run'))
    )
    op.create_index(op.f('ix_pathway_pairing_run_network_id'), 'pathway_pairing_run', ['network_id'], unique=False)
    op.create_index(op.f('ix_pathway_pairing_run_year_id'), 'pathway_pairing_run', ['year_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pathway_pairing_run_year_id'), table_name='pathway_pairing_run')
    op.drop_index(op.f('ix_pathway_pairing_run_network_id'), table_name='pathway_pairing_run')
    op.drop_table('pathway_pairing_run')
