"""surveys: audiences (roles, organizations, clusters) and the resources survey's offers to the map

Revision ID: 0011_survey_audience
Revises: 0010_surveys_perf
Create Date: 2026-12-04 21:30:58.801279
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_survey_audience'
down_revision = '0010_surveys_perf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_audience_organization',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_survey_audience_organization_organization_id_organization')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_audience_organization_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'organization_id', name=op.f('pk_survey_audience_organization'))
    )
    op.create_table('survey_audience_cluster',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id'], name=op.f('fk_survey_audience_cluster_cluster_id_cluster')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_audience_cluster_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'cluster_id', name=op.f('pk_survey_audience_cluster'))
    )
    op.create_table('survey_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('topic_text', sa.String(length=500), nullable=True),
    sa.Column('form', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('offering_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_survey_offer_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_survey_offer_network_id_network')),
    sa.ForeignKeyConstraint(['offering_id'], ['offering.id'], name=op.f('fk_survey_offer_offering_id_offering')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_survey_offer_person_id_person')),
    sa.ForeignKeyConstraint(['response_id'], ['survey_response.id'], name=op.f('fk_survey_offer_response_id_survey_response'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_offer_survey_id_survey')),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_survey_offer_topic_id_topic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_offer')),
    sa.UniqueConstraint('response_id', 'position', name=op.f('uq_survey_offer_response_id_position'))
    )
    with op.batch_alter_table('survey_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_offer_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_offer_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_offer_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_offer_survey_id'), ['survey_id'], unique=False)

    # Surveys made before audiences asked everyone who answers (teachers and tutors): they keep
    # doing so, minus methodists and administrators (staff roles dominate an audience).
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience_roles', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[\"teacher\", \"tutor\"]'")))
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.alter_column('audience_roles', server_default=None)



def downgrade() -> None:
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_column('audience_roles')

    with op.batch_alter_table('survey_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_offer_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_offer_status'))
        batch_op.drop_index(batch_op.f('ix_survey_offer_person_id'))
        batch_op.drop_index(batch_op.f('ix_survey_offer_network_id'))

    op.drop_table('survey_offer')
    op.drop_table('survey_audience_cluster')
    op.drop_table('survey_audience_organization')
