"""resource map: normalised search text of offerings

Revision ID: 0005_resource_map_more
Revises: 0002_resource_map
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_resource_map_more"
down_revision = "0002_resource_map"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.drop_column("search_text")
