"""surveys: questionnaires, sections, questions, options, responses, answers, drafts, participation

Revision ID: 0006_surveys
Revises: 0002_resource_map
Create Date: 2026-11-23 15:45:35.279797
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_surveys'
down_revision = '0002_resource_map'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('allow_edit_until_close', sa.Boolean(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_survey_network_id_network')),
    sa.ForeignKeyConstraint(['parent_id'], ['survey.id'], name=op.f('fk_survey_parent_id_survey')),
    sa.ForeignKeyConstraint(['year_id'], ['academic_year.id'], name=op.f('fk_survey_year_id_academic_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_year_id'), ['year_id'], unique=False)

    op.create_table('survey_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_survey_draft_person_id_person')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_draft_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_draft')),
    sa.UniqueConstraint('survey_id', 'person_id', name=op.f('uq_survey_draft_survey_id_person_id'))
    )
    with op.batch_alter_table('survey_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_draft_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_draft_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_participation',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_survey_participation_person_id_person')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_participation_survey_id_survey')),
    sa.PrimaryKeyConstraint('survey_id', 'person_id', name=op.f('pk_survey_participation')),
    sqlite_with_rowid=False
    )
    op.create_table('survey_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_section_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_section'))
    )
    with op.batch_alter_table('survey_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_section_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('help_text', sa.Text(), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=True),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('min_value', sa.Double(), nullable=True),
    sa.Column('max_value', sa.Double(), nullable=True),
    sa.Column('scale_min_label', sa.String(length=255), nullable=True),
    sa.Column('scale_max_label', sa.String(length=255), nullable=True),
    sa.Column('allow_other', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['survey_section.id'], name=op.f('fk_survey_question_section_id_survey_section'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_question_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_survey_question_topic_id_topic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question'))
    )
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_question_section_id'), ['section_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_question_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('cluster_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id'], name=op.f('fk_survey_response_cluster_id_cluster')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_survey_response_organization_id_organization')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_survey_response_person_id_person')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_response_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('survey_id', 'person_id', name=op.f('uq_survey_response_survey_id_person_id'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=512), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=True),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('need_weight', sa.Double(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_option_question_id_survey_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_survey_option_topic_id_topic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_option'))
    )
    with op.batch_alter_table('survey_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_option_question_id'), ['question_id'], unique=False)

    op.create_table('survey_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('number', sa.Double(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['option_id'], ['survey_option.id'], name=op.f('fk_survey_answer_option_id_survey_option')),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_answer_question_id_survey_question')),
    sa.ForeignKeyConstraint(['response_id'], ['survey_response.id'], name=op.f('fk_survey_answer_response_id_survey_response'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_survey_answer_topic_id_topic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer'))
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index('ix_survey_answer_question_values', ['question_id', 'option_id', 'topic_id', 'rating', 'number', 'response_id'], unique=False)
        batch_op.create_index('ix_survey_answer_response_values', ['response_id', 'question_id', 'option_id', 'topic_id', 'rating'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_answer_response_values')
        batch_op.drop_index('ix_survey_answer_question_values')

    op.drop_table('survey_answer')
    with op.batch_alter_table('survey_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_option_question_id'))

    op.drop_table('survey_option')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_response_person_id'))
        batch_op.drop_index(batch_op.f('ix_survey_response_organization_id'))

    op.drop_table('survey_response')
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_question_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_question_section_id'))

    op.drop_table('survey_question')
    with op.batch_alter_table('survey_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_section_survey_id'))

    op.drop_table('survey_section')
    op.drop_table('survey_participation')
    with op.batch_alter_table('survey_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_draft_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_draft_person_id'))

    op.drop_table('survey_draft')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_year_id'))
        batch_op.drop_index(batch_op.f('ix_survey_network_id'))

    op.drop_table('survey')
