"""a hub's events its upstream refused, set aside: upstream_set_aside

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new table only (no change to existing ones): the same on SQLite and PostgreSQL, no batch copy needed.
    op.create_table('upstream_set_aside',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('refusal', sa.JSON(), nullable=False),
    sa.Column('set_aside_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )


def downgrade() -> None:
    op.drop_table('upstream_set_aside')
