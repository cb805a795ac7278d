"""A hall's own English names as reference data: a queue's `name_en` and a service item's `department_en`
(docs/guides.md "English names of queues and departments"). Both optional; existing rows keep everything, empty.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('queues') as batch:
        batch.add_column(sa.Column('name_en', sa.String(length=100), nullable=True))
    with op.batch_alter_table('service_items') as batch:
        batch.add_column(sa.Column('department_en', sa.String(length=100), nullable=True))


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite 3.35 and later too): a batch table copy would drop service_items under the
    # bundle_items that reference it, which SQLite's foreign keys refuse
    op.drop_column('service_items', 'department_en')
    op.drop_column('queues', 'name_en')
