"""The words editors add to guide search (synonym groups and more names of an item, docs/guide-search.md "Words
from the hall"): every published version kept with who published it and when; the top hub's newest flows down the
tree with the reference data, and each kiosk's index is built with it.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_words',
                    sa.Column('version', sa.Integer(), nullable=False),
                    sa.Column('body', sa.JSON(), nullable=False),
                    sa.Column('published_by', sa.String(length=100), nullable=False),
                    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('version'))


def downgrade() -> None:
    op.drop_table('search_words')
