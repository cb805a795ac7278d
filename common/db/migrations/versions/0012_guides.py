"""Guides (办事指南) in the hub's database: every published version of a service item's guide, kept, with who
published it and when; the top hub's versions flow down the tree with the reference data (docs/guides.md)

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('guides',
                    sa.Column('item_code', sa.String(length=64), nullable=False),
                    sa.Column('version', sa.Integer(), nullable=False),
                    sa.Column('body', sa.JSON(), nullable=False),
                    sa.Column('published_by', sa.String(length=100), nullable=False),
                    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('item_code', 'version'))


def downgrade() -> None:
    op.drop_table('guides')
