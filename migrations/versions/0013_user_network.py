"""core: accounts keyed by network, issuer and sub (issue 18, finding 5)

Each account takes the network of its enrollments (else of its platform's issuer); an account
that two networks shared before stays with the first, and the other network's next launch or
roster pull makes its own.

Revision ID: 0013_user_network
Revises: 0012_tool_session
Create Date: 2026-12-05 01:40:19.731418
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_user_network'
down_revision = '0012_tool_session'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('network_id', sa.Integer(), nullable=True))
    op.execute("""
        UPDATE user_account SET network_id = COALESCE(
            (SELECT MIN(c.network_id) FROM enrollment e JOIN course c ON c.id = e.course_id
             WHERE e.user_id = user_account.id),
            (SELECT MIN(p.network_id) FROM lti_platform p WHERE p.issuer = user_account.issuer))
    """)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_issuer_sub'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_network_id_issuer_sub'), ['network_id', 'issuer', 'sub'])
        batch_op.create_foreign_key(batch_op.f('fk_user_account_network_id_network'), 'network', ['network_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_network_id_network'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_user_account_network_id_issuer_sub'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_issuer_sub'), ['issuer', 'sub'])
        batch_op.drop_column('network_id')

