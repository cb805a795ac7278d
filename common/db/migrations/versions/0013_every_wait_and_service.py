"""Figures that count every wait (docs/queue.md "Figures"): a ticket keeps what it has waited over every span (issue,
re-queue, transfer -> the next call), the start of the span still open, and every service it had (window, clerk,
start, end, rating), so a transferred ticket keeps its first window's service. Existing tickets get them from a
fold of the event log, the same fold `./haoban check` compares with.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('waited_seconds', sa.Float(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('services', sa.JSON(), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table('tickets') as batch:
        batch.alter_column('services', existing_type=sa.JSON(), nullable=False)


def _backfill(conn) -> None:
    from common.db import repo
    from common.domain.model import SiteState
    from common.domain.projection import fold

    state, after = SiteState(), 0
    while batch := repo.events_after(conn, None, after, limit=5000):
        fold(batch, state)
        after = batch[-1].seq
    tickets = sa.table('tickets', sa.column('id'), sa.column('waited_seconds', sa.Float()),
                       sa.column('waiting_since', sa.DateTime(timezone=True)), sa.column('services', sa.JSON()))
    rows = [{"key_id": t.id, "waited_seconds": t.waited_seconds, "waiting_since": t.waiting_since,
             "services": t.services} for t in state.tickets.values()]
    if rows:
        conn.execute(tickets.update().where(tickets.c.id == sa.bindparam("key_id")), rows)
    conn.execute(tickets.update().where(tickets.c.services.is_(None)).values(services=[]))


def downgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.drop_column('services')
        batch.drop_column('waiting_since')
        batch.drop_column('waited_seconds')
