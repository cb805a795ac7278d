"""tickets transferred to one window: tickets.target_window_id; an index for closing past business days

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: added in place (no table copy); existing tickets are for any window of their queue.
    op.add_column('tickets', sa.Column('target_window_id', sa.String(length=64), nullable=True))
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_status_day', ['status', 'business_day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_status_day')
        batch_op.drop_column('target_window_id')
