"""kpi_grid_month: events per grid per local month under the grid's parent and grandparent (store/gridmonths.py)

Why: a street's events per grid over a year or more read its ~150 grids' 37-column month rollups, ≈ 480 random
pages cold on the 10 M history (kpi_query_ms_10m, issue #9). The new table is filled here from those same grid
month rows of kpi_rollup, in one INSERT ... SELECT sorted by the new primary key (the B-tree is written in order),
so no incident is read. Only grid-level territory nodes' rows are copied: they are the grids the KPI engine lists.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

FILL = """
INSERT INTO kpi_grid_month (node_id, bucket, drill, grid_id, n)
SELECT node_id, bucket, drill, grid_id, n FROM (
    SELECT g.parent_id AS node_id, r.bucket AS bucket, r.drill AS drill, g.id AS grid_id, r.n AS n
    FROM territory g JOIN kpi_rollup r ON r.node_id = g.id AND r.grain = 2
    WHERE g.level = 'grid' AND g.parent_id IS NOT NULL AND g.parent_id <> '' AND g.parent_id <> g.id
          AND r.n <> 0
    UNION ALL
    SELECT p.parent_id, r.bucket, r.drill, g.id, r.n
    FROM territory g JOIN territory p ON p.id = g.parent_id JOIN kpi_rollup r ON r.node_id = g.id AND r.grain = 2
    WHERE g.level = 'grid' AND p.parent_id IS NOT NULL AND p.parent_id <> '' AND p.parent_id <> g.id AND r.n <> 0
) AS held
ORDER BY node_id, bucket, drill, grid_id
"""


def upgrade() -> None:
    op.create_table('kpi_grid_month',
                    sa.Column('node_id', sa.String(length=64), nullable=False),
                    sa.Column('bucket', sa.Integer(), nullable=False),
                    sa.Column('drill', sa.Integer(), nullable=False),
                    sa.Column('grid_id', sa.String(length=64), nullable=False),
                    sa.Column('n', sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint('node_id', 'bucket', 'drill', 'grid_id', name='pk_kpi_grid_month'),
                    sqlite_with_rowid=False)
    op.execute(FILL)


def downgrade() -> None:
    op.drop_table('kpi_grid_month')
