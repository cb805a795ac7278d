"""call-next indexes

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_queue_order', ['queue_id', 'status', 'priority', 'arrival_at', 'seq'], unique=False)
        batch_op.create_index('ix_tickets_queue_slot', ['queue_id', 'status', 'slot_start'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_queue_slot')
        batch_op.drop_index('ix_tickets_queue_order')

