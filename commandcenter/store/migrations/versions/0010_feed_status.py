"""feed_status, recorders: the recorder process's feeds' health and its heartbeat, for every wall to read

Why: issue 20 moves the feeds into one recorder process (`commandcenter record`); walls and consoles that follow the
store no longer see the feeds themselves, so the recorder writes each feed's health (state, last success, lag,
error) and its own role (active / standby / stopped) with a heartbeat (store/status.py).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 02:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'feed_status',
        sa.Column('feed', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('last_ok_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('received', sa.BigInteger(), nullable=False),
        sa.Column('quarantined', sa.BigInteger(), nullable=False),
        sa.Column('lag_s', sa.Float(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('feed', name='pk_feed_status'),
    )
    op.create_table(
        'recorders',
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('host', 'pid', name='pk_recorders'),
    )


def downgrade() -> None:
    op.drop_table('recorders')
    op.drop_table('feed_status')
