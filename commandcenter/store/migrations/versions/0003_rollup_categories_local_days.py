"""KPI rollups keyed by (node, grain, bucket, drill) with one count column per category and local (Asia/Shanghai by
default) days and months, grid nodes month rows only; incidents indexed by (grid_id, reported_at) instead of
(grid_id, updated_at) (never rewritten by a status update); incident_status keyed by (incident_id, seq) without rowid
or `at` index; partial drill index.

Why: ingest wrote ~8.4 rollup rows per incident update (one per category per key) and a 10-million-incident history
took 2.3 GiB per million incidents. The new rollup table is empty after this migration: `Store.open` sees no
`rollup_tz` setting and rebuilds it from the incidents table in the calendar it is given (one pass).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:50:00
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

SUMS = ("n", "disposed", "closed", "followed_up", "on_spot", "lvl_grid", "lvl_community", "lvl_street", "lvl_higher",
        "acc_n", "acc_s", "arr_n", "arr_s", "em_n", "em_ok", "em_resp_ok", "em_arr_ok", "em_ass_ok",
        "sat_n", "sat_sum", "sat_good")
CATEGORIES = ("dispute", "safety_hazard", "utilities", "sanitation", "fire", "flood", "forest_fire", "fishing_vessel",
              "public_security", "petition", "elderly_children", "other")
STATUS_COLS = "incident_id, seq, status, at, handler, department, note, drill_id"


def _status_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column('incident_id', sa.String(length=64), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('handler', sa.String(length=100), nullable=False),
        sa.Column('department', sa.String(length=100), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('drill_id', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name='fk_incident_status_incident_id_incidents',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('incident_id', 'seq', name='pk_incident_status'),
        sqlite_with_rowid=False)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_table('kpi_rollup')
    cols: list[sa.Column[Any]] = [sa.Column('node_id', sa.String(length=64), nullable=False),
            sa.Column('grain', sa.Integer(), nullable=False),
            sa.Column('bucket', sa.Integer(), nullable=False),
            sa.Column('drill', sa.Integer(), nullable=False)]
    cols += [sa.Column(c, sa.Float() if c in ("acc_s", "arr_s") else sa.BigInteger(), nullable=False) for c in SUMS]
    cols += [sa.Column(f"cat_{c}", sa.BigInteger(), nullable=False) for c in CATEGORIES]
    op.create_table('kpi_rollup', *cols,
                    sa.PrimaryKeyConstraint('node_id', 'grain', 'bucket', 'drill', name='pk_kpi_rollup'),
                    sqlite_with_rowid=False)
    op.create_table('store_settings',
                    sa.Column('key', sa.String(length=64), nullable=False),
                    sa.Column('value', sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint('key', name='pk_store_settings'))

    op.drop_index('ix_incident_status_at', table_name='incident_status')
    if sqlite:
        op.rename_table('incident_status', 'incident_status_old')
        _status_table('incident_status')
        op.execute(f"INSERT INTO incident_status ({STATUS_COLS}) SELECT {STATUS_COLS} FROM incident_status_old")
        op.drop_table('incident_status_old')
    else:
        op.drop_constraint('uq_incident_status_incident_seq', 'incident_status', type_='unique')
        op.drop_constraint('pk_incident_status', 'incident_status', type_='primary')
        op.drop_column('incident_status', 'id')
        op.create_primary_key('pk_incident_status', 'incident_status', ['incident_id', 'seq'])

    op.drop_index('ix_incidents_grid_updated', table_name='incidents')
    op.create_index('ix_incidents_grid_reported', 'incidents', ['grid_id', 'reported_at'], unique=False)
    op.drop_index('ix_incidents_drill', table_name='incidents')
    op.create_index('ix_incidents_drill', 'incidents', ['drill_id'], unique=False,
                    sqlite_where=sa.text('drill_id IS NOT NULL'), postgresql_where=sa.text('drill_id IS NOT NULL'))


def downgrade() -> None:
    raise NotImplementedError(
        "0003 is one-way: revision 0002's code cannot rebuild its per-category UTC rollups from the incidents "
        "table; restore a backup taken before the upgrade instead")
