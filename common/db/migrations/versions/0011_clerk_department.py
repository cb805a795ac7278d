"""A clerk account may be a department's handler (承办单位经办人, role "handler"): the department she answers for,
the same text as a case's assignment names (docs/cases.md "Who may do what")

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('clerks') as batch:
        batch.add_column(sa.Column('department', sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('clerks') as batch:
        batch.drop_column('department')
