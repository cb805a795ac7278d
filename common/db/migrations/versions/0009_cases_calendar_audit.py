"""办不成事 and 差评 cases (their projection), the district's calendar entries, the audit log of full showings

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    # New tables only: the same on SQLite and PostgreSQL, no batch copy needed.
    op.create_table('cases',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('number', sa.String(length=12), nullable=False),
    sa.Column('public_token', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('cause', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('opened_at', Stamp, nullable=False),
    sa.Column('opened_day', sa.String(length=10), nullable=False),
    sa.Column('contact', sa.String(length=400), nullable=True),
    sa.Column('item_id', sa.String(length=64), nullable=True),
    sa.Column('ticket_id', sa.String(length=36), nullable=True),
    sa.Column('rated_clerk_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('case_class', sa.String(length=16), nullable=True),
    sa.Column('due_day', sa.String(length=10), nullable=True),
    sa.Column('department', sa.String(length=50), nullable=True),
    sa.Column('handler_site_id', sa.String(length=64), nullable=True),
    sa.Column('contacts', sa.Integer(), nullable=False),
    sa.Column('first_contact_at', Stamp, nullable=True),
    sa.Column('extensions', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=16), nullable=True),
    sa.Column('answer_text', sa.Text(), nullable=True),
    sa.Column('answered_at', Stamp, nullable=True),
    sa.Column('answered_on_time', sa.Boolean(), nullable=True),
    sa.Column('negative_reported', sa.Boolean(), nullable=False),
    sa.Column('follow_ups', sa.Integer(), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=True),
    sa.Column('satisfied', sa.Boolean(), nullable=True),
    sa.Column('reopened', sa.Boolean(), nullable=False),
    sa.Column('escalated', sa.Boolean(), nullable=False),
    sa.Column('appeal_upheld', sa.Boolean(), nullable=True),
    sa.Column('closed_at', Stamp, nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('public_token')
    )
    op.create_index('ix_cases_site_status_due', 'cases', ['site_id', 'status', 'due_day'])
    op.create_index('ix_cases_handler', 'cases', ['handler_site_id', 'department', 'status'])
    op.create_index('ix_cases_item_opened', 'cases', ['item_id', 'opened_day'])
    op.create_table('calendar_days',
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('at', Stamp, nullable=False),
    sa.Column('clerk_id', sa.String(length=64), nullable=False),
    sa.Column('what', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_audit_site_at', 'audit_log', ['site_id', 'at'])


def downgrade() -> None:
    op.drop_index('ix_audit_site_at', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_table('calendar_days')
    op.drop_index('ix_cases_item_opened', table_name='cases')
    op.drop_index('ix_cases_handler', table_name='cases')
    op.drop_index('ix_cases_site_status_due', table_name='cases')
    op.drop_table('cases')
