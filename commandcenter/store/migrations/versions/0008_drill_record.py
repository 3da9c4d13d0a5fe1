"""drills: one row per drill (its scenario document, start and stop); operator_actions: seat and recipient

Why: whether a drill runs was worked out by each wall from the feed and the action log, so a wall started after
a stop could show the finished drill as running, and a drill's scenario was found again by a file path relative
to the working directory. The `drills` row holds the scenario's whole document and its start and stop (set
once), so every wall and console agrees and reports never depend on a directory. Console actions record the
seat (席位) the signed-in person works at and, for an escalation, whom it went to.

Existing drills are carried over from their DRILL_START / DRILL_STOP actions (name from the scenario file
named in the start's reason; the document itself was never stored).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:20:00
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import PurePath
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SCENARIO_MARK = "\nscenario="


def upgrade() -> None:
    op.add_column('operator_actions', sa.Column('seat', sa.String(length=100), nullable=False, server_default=''))
    op.add_column('operator_actions', sa.Column('recipient', sa.String(length=100), nullable=False,
                                                server_default=''))
    drills = op.create_table(
        'drills',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('scenario', sa.Text(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('wall_started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('speed', sa.Float(), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('played_by', sa.String(length=200), nullable=False),
        sa.Column('started_by', sa.String(length=100), nullable=False),
        sa.Column('seat', sa.String(length=100), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('stop_kind', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_drills'),
    )
    op.create_index('ix_drills_stopped', 'drills', ['stopped_at'], unique=False)
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT kind, target_id, at, reason, actor FROM operator_actions "
                                "WHERE kind IN ('drill_start', 'drill_stop') ORDER BY id")).all()
    found: dict[str, dict[str, Any]] = {}
    for kind, drill_id, at, reason, actor in rows:
        if isinstance(at, str):        # SQLite hands raw text back
            at = datetime.fromisoformat(at)
        if kind == 'drill_start' and drill_id not in found:
            text = reason or ""
            path = text.partition(SCENARIO_MARK)[2] or (text[len("scenario="):] if text.startswith("scenario=") else "")
            name = (PurePath(path).stem if path else drill_id)[:200]
            found[drill_id] = {'id': drill_id, 'name': name, 'started_at': at, 'wall_started_at': at, 'speed': 1.0,
                               'ends_at': None, 'played_by': '', 'stopped_at': None, 'stop_kind': '',
                               'started_by': (actor or '')[:100], 'seat': '',
                                'reason': text.partition(SCENARIO_MARK)[0],
                               'scenario': json.dumps({"scenario": {"name": name}, "events": []}, ensure_ascii=False)}
        elif kind == 'drill_stop' and drill_id in found and found[drill_id]['stopped_at'] is None:
            found[drill_id].update(stopped_at=at, stop_kind='stopped')
    if found:
        op.bulk_insert(drills, list(found.values()))


def downgrade() -> None:
    op.drop_index('ix_drills_stopped', table_name='drills')
    op.drop_table('drills')
    op.drop_column('operator_actions', 'recipient')
    op.drop_column('operator_actions', 'seat')
