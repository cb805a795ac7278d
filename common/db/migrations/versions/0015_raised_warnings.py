"""The live warnings the hub raised, each decided once its horizon has passed (came true or not), so that their
precision is a figure (docs/planning.md "Live warning").

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('raised_warnings',
                    sa.Column('id', sa.String(length=36), nullable=False),
                    sa.Column('site_id', sa.String(length=64), nullable=False),
                    sa.Column('queue_id', sa.String(length=64), nullable=False),
                    sa.Column('business_day', sa.String(length=10), nullable=False),
                    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('horizon', sa.Integer(), nullable=False),
                    sa.Column('minutes', sa.Integer(), nullable=False),
                    sa.Column('tickets', sa.Integer(), nullable=False),
                    sa.Column('helper_window_id', sa.String(length=64), nullable=True),
                    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
                    sa.Column('came_true', sa.Boolean(), nullable=True),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_raised_warnings_site_day', 'raised_warnings', ['site_id', 'business_day'])
    op.create_index('ix_raised_warnings_open', 'raised_warnings', ['decided_at'])


def downgrade() -> None:
    op.drop_index('ix_raised_warnings_open', table_name='raised_warnings')
    op.drop_index('ix_raised_warnings_site_day', table_name='raised_warnings')
    op.drop_table('raised_warnings')
