"""commit_log: one row per committed transaction a wall shows, the position followers read after

Why: walls and consoles follow the store instead of the backends (issue 20): each transaction that changes what a
wall shows (records, territory, sensors, an operator action, a drill's start or stop) gets a position in commit
order; PostgreSQL announces it with NOTIFY, and a follower reads everything after its position from here and the
record log (services/follower.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 02:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'commit_log',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('committed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('log_after', sa.BigInteger(), nullable=True),
        sa.Column('log_to', sa.BigInteger(), nullable=True),
        sa.Column('territory', sa.Boolean(), nullable=False),
        sa.Column('sensors', sa.Text(), nullable=False),
        sa.Column('action_id', sa.BigInteger(), nullable=True),
        sa.Column('drill_id', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_commit_log'),
        sqlite_autoincrement=True,       # a position is never taken again, even after retention emptied the log
    )
    op.create_index('ix_commit_log_committed', 'commit_log', ['committed_at'])


def downgrade() -> None:
    op.drop_index('ix_commit_log_committed', table_name='commit_log')
    op.drop_table('commit_log')
