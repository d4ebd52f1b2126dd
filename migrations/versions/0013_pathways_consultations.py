"""pathways: tutors' consultation log (individual and group consultations with participants)

Revision ID: 0013_pathways_consultations
Revises: 0012_pathways_pairing
Create Date: 2026-12-05 02:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_pathways_consultations'
down_revision = '0012_pathways_pairing'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pathway_consultation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('tutor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_pathway_consultation_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_pathway_consultation_network_id_network')),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_pathway_consultation_topic_id_topic')),
    sa.ForeignKeyConstraint(['tutor_id'], ['person.id'], name=op.f('fk_pathway_consultation_tutor_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_consultation'))
    )
    op.create_index(op.f('ix_pathway_consultation_held_on'), 'pathway_consultation', ['held_on'], unique=False)
    op.create_index(op.f('ix_pathway_consultation_network_id'), 'pathway_consultation', ['network_id'], unique=False)
    op.create_index(op.f('ix_pathway_consultation_tutor_id'), 'pathway_consultation', ['tutor_id'], unique=False)
    op.create_table('pathway_consultation_participant',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['pathway_consultation.id'], name=op.f('fk_pathway_consultation_participant_consultation_id_pathway_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_pathway_consultation_participant_person_id_person')),
    sa.PrimaryKeyConstraint('consultation_id', 'person_id', name=op.f('pk_pathway_consultation_participant'))
    )
    op.create_index(op.f('ix_pathway_consultation_participant_person_id'), 'pathway_consultation_participant', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pathway_consultation_participant_person_id'), table_name='pathway_consultation_participant')
    op.drop_table('pathway_consultation_participant')
    op.drop_index(op.f('ix_pathway_consultation_tutor_id'), table_name='pathway_consultation')
    op.drop_index(op.f('ix_pathway_consultation_network_id'), table_name='pathway_consultation')
    op.drop_index(op.f('ix_pathway_consultation_held_on'), table_name='pathway_consultation')
    op.drop_table('pathway_consultation')
