"""known sign-ins: the devices and browsers an account signed in on before, each with its own back-off count

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('known_sign_ins',
    sa.Column('clerk_id', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('failed_pins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['clerk_id'], ['clerks.id'], ),
    sa.PrimaryKeyConstraint('clerk_id', 'source')
    )
    # A terminal was known to an account by an earlier clerk session there: it stays known. A browser was known by
    # the session token its old haoban_known cookie held; those are not carried over (that is what this revision
    # ends): such a browser is known again after its next sign-in.
    op.execute("insert into known_sign_ins (clerk_id, source, since, failed_pins)"
               " select clerk_id, 'device:' || device_id, min(started_at), 0 from clerk_sessions"
               " group by clerk_id, device_id")


def downgrade() -> None:
    op.drop_table('known_sign_ins')
