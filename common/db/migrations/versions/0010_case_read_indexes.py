"""Indexes for the case read models at a district hub (bench/cases.py): the figures' and repeats' range of opening
days per site, and a case's history among the site's events by kind (a hall's ticket events are most of the log)

Revision ID: 0010
Revises: 0009
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cases_site_opened', 'cases', ['site_id', 'opened_day'])
    op.create_index('ix_events_site_kind_seq', 'events', ['site_id', 'kind', 'seq'])


def downgrade() -> None:
    op.drop_index('ix_events_site_kind_seq', table_name='events')
    op.drop_index('ix_cases_site_opened', table_name='cases')
