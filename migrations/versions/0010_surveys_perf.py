"""surveys: survey_tally, the analytical report's running counts (filled from existing answers)

Revision ID: 0010_surveys_perf
Revises: 0006_surveys
Create Date: 2026-11-30 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_surveys_perf'
down_revision = '0006_surveys'
branch_labels = None
depends_on = None

# A frozen copy of lti_tool.surveys.tally.rebuild_statements() for every survey at once.
_GROUP = "COALESCE(r.organization_id, 0), COALESCE(r.cluster_id, 0), COALESCE(r.role, '')"
_FROM = ("FROM survey_answer a JOIN survey_response r ON r.id = a.response_id "
         "JOIN survey_question q ON q.id = a.question_id WHERE 1 = 1")
_INSERT = ("INSERT INTO survey_tally (survey_id, question_id, organization_id, cluster_id, role, item, option_id, "
           "topic_id, value, n) ")
BACKFILL = [
    f"{_INSERT}SELECT r.survey_id, a.question_id, {_GROUP}, CASE WHEN a.option_id IS NULL THEN 'x' ELSE 'o' END, "
    f"COALESCE(a.option_id, 0), 0, 0, COUNT(*) {_FROM} AND q.type IN ('single', 'multiple') "
    f"GROUP BY r.survey_id, a.question_id, {_GROUP}, a.option_id",
    f"{_INSERT}SELECT r.survey_id, a.question_id, {_GROUP}, 'p', 0, 0, 0, COUNT(DISTINCT a.response_id) {_FROM} "
    f"AND q.type = 'multiple' GROUP BY r.survey_id, a.question_id, {_GROUP}",
    f"{_INSERT}SELECT r.survey_id, a.question_id, {_GROUP}, 'r', 0, COALESCE(a.topic_id, 0), a.rating, COUNT(*) "
    f"{_FROM} AND q.type IN ('likert', 'topic_matrix') AND a.rating IS NOT NULL "
    f"GROUP BY r.survey_id, a.question_id, {_GROUP}, a.topic_id, a.rating",
    f"{_INSERT}SELECT r.survey_id, a.question_id, {_GROUP}, 'n', 0, 0, a.number, COUNT(*) {_FROM} "
    f"AND q.type = 'number' AND a.number IS NOT NULL GROUP BY r.survey_id, a.question_id, {_GROUP}, a.number",
    f"{_INSERT}SELECT r.survey_id, a.question_id, {_GROUP}, 't', 0, 0, 0, COUNT(*) {_FROM} "
    f"AND q.type IN ('short_text', 'long_text') GROUP BY r.survey_id, a.question_id, {_GROUP}",
]


def upgrade() -> None:
    op.create_table('survey_tally',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('cluster_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('item', sa.String(length=1), nullable=False),
    sa.Column('option_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('topic_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.Double(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_tally_question_id_survey_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_tally_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'question_id', 'organization_id', 'cluster_id', 'role', 'item', 'option_id', 'topic_id', 'value', name=op.f('pk_survey_tally')),
    sqlite_with_rowid=False
    )
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table('survey_tally')
