"""sync: score_state (last timestamp sent, last delivered value, reconciliation verdict), line_item_check, score_outbox.sent_timestamp and reason

Revision ID: 0012_score_reconcile
Revises: 0002_resource_map
Create Date: 2026-12-05 01:22:29.419509
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_score_reconcile'
down_revision = '0002_resource_map'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('line_item_check',
    sa.Column('line_item_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('matching', sa.Integer(), nullable=False),
    sa.Column('resent', sa.Integer(), nullable=False),
    sa.Column('unreachable', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_line_item_check_course_id_course')),
    sa.ForeignKeyConstraint(['line_item_id'], ['lti_line_item.id'], name=op.f('fk_line_item_check_line_item_id_lti_line_item')),
    sa.PrimaryKeyConstraint('line_item_id', name=op.f('pk_line_item_check'))
    )
    with op.batch_alter_table('line_item_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_line_item_check_course_id'), ['course_id'], unique=False)

    op.create_table('score_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_item_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_timestamp', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_id', sa.Integer(), nullable=True),
    sa.Column('score_given', sa.Double(), nullable=True),
    sa.Column('score_maximum', sa.Double(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verdict', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['line_item_id'], ['lti_line_item.id'], name=op.f('fk_score_state_line_item_id_lti_line_item')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_score_state_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_state')),
    sa.UniqueConstraint('line_item_id', 'user_id', name=op.f('uq_score_state_line_item_id_user_id'))
    )
    with op.batch_alter_table('score_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_state_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_timestamp', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=255), nullable=True))

    # What was delivered before: the newest delivered score of each line item and user (sent with
    # its own timestamp then), and its line item marked changed so the first reconciliation reads it.
    op.execute(
        "INSERT INTO score_state (line_item_id, user_id, last_timestamp, delivered_id, score_given, score_maximum, "
        "delivered_at) SELECT o.line_item_id, o.user_id, o.timestamp, o.id, o.score_given, o.score_maximum, "
        "o.delivered_at FROM score_outbox o WHERE o.status = 'delivered' AND o.id = (SELECT max(p.id) "
        "FROM score_outbox p WHERE p.line_item_id = o.line_item_id AND p.user_id = o.user_id "
        "AND p.status = 'delivered')")
    op.execute(
        "INSERT INTO line_item_check (line_item_id, course_id, changed_at, matching, resent, unreachable) "
        "SELECT l.id, l.course_id, (SELECT max(s.delivered_at) FROM score_state s WHERE s.line_item_id = l.id), "
        "0, 0, 0 FROM lti_line_item l WHERE EXISTS (SELECT 1 FROM score_state s WHERE s.line_item_id = l.id)")



def downgrade() -> None:
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.drop_column('reason')
        batch_op.drop_column('sent_timestamp')

    with op.batch_alter_table('score_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_state_user_id'))

    op.drop_table('score_state')
    with op.batch_alter_table('line_item_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_line_item_check_course_id'))

    op.drop_table('line_item_check')
