"""kpi_rollup as a WITHOUT ROWID table on SQLite (one B-tree keyed by its primary key: half the writes per upsert)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:40:00
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

SUMS = ("n", "disposed", "closed", "followed_up", "on_spot", "lvl_grid", "lvl_community", "lvl_street", "lvl_higher",
        "acc_n", "acc_s", "arr_n", "arr_s", "em_n", "em_ok", "em_resp_ok", "em_arr_ok", "em_ass_ok",
        "sat_n", "sat_sum", "sat_good")


def _create(name: str, rowid: bool) -> None:
    cols: list[sa.Column[Any]] = [sa.Column('node_id', sa.String(length=64), nullable=False),
            sa.Column('grain', sa.Integer(), nullable=False),
            sa.Column('bucket', sa.Integer(), nullable=False),
            sa.Column('category', sa.String(length=32), nullable=False),
            sa.Column('drill', sa.Integer(), nullable=False)]
    cols += [sa.Column(c, sa.Float() if c in ("acc_s", "arr_s") else sa.BigInteger(), nullable=False) for c in SUMS]
    op.create_table(name, *cols, sa.PrimaryKeyConstraint('node_id', 'grain', 'bucket', 'category', 'drill',
                                                         name='pk_kpi_rollup'),
                    sqlite_with_rowid=rowid)


def _swap(rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.rename_table("kpi_rollup", "kpi_rollup_old")
    _create("kpi_rollup", rowid)
    op.execute("INSERT INTO kpi_rollup SELECT * FROM kpi_rollup_old")
    op.drop_table("kpi_rollup_old")


def upgrade() -> None:
    _swap(rowid=False)


def downgrade() -> None:
    _swap(rowid=True)
