"""incidents: drop ix_incidents_updated and ix_incidents_closed (the ingest rewrote them, no read needed them)

Why: every new incident inserts an entry into every index of `incidents`, and every new version of a stored one
rewrites (deletes and inserts) the entries of each index whose columns its UPDATE names: updated_at changes with
every version, so ix_incidents_updated and ix_incidents_open_updated were both rewritten on each update, and
closed_at is named by it too. No query reads ix_incidents_closed (the history query walks reported_at), and the
newest incidents of all are now read as two ranges of (is_open, updated_at) merged (Store.incidents), so
ix_incidents_updated went as well (issue #5, bench/store_ingest.py; figures in docs/benchmarks.md, Store).

Dropping an index only frees its pages (to the freelist; the file keeps its size): no table is read or
rewritten. On a 1 M-incident SQLite store (18,373 pages, 72 MB, for the two indexes) opening and migrating took
3.99 s cold at load 5.9; linear in those pages, ≈ 40 s for the 10 M store (docs/benchmarks.md, Store).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:45:00
"""
from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_incidents_updated', table_name='incidents')
    op.drop_index('ix_incidents_closed', table_name='incidents')


def downgrade() -> None:
    op.create_index('ix_incidents_closed', 'incidents', ['closed_at'], unique=False)
    op.create_index('ix_incidents_updated', 'incidents', ['updated_at'], unique=False)
