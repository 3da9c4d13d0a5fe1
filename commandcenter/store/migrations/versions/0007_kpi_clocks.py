"""KPIs on the centres' clocks (domain/kpis.py): incidents keep source, dispatched_at and departments_n; kpi_rollup
gains the sums of the reported, due and loop clocks

Why: 办结率 and 按期办结率 judge the work that fell *due* in a period, 闭环管理率 the follow-up visits that fell
due, and 平均受理/到场 are measured over diverted 110 calls (issue 16). Those need the source, the dispatch time and
whether departments were called (吹哨报到), which only the JSON `data` held. The three columns are filled here from
`data` (one pass over the incidents, in chunks); the rollups are then rebuilt by `Store.open`, which finds no
`rollup_tz` setting (deleted here) and recomputes them from the incidents table in its calendar (one pass).

Revision ID: 0007
Revises: 0006_iso
Create Date: 2026-12-06 20:30:00
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006_iso'
branch_labels = None
depends_on = None

COUNTS = ("p110_n", "p110_acc_n", "p110_arr_n", "h12345_n", "hand_n", "whistle_n", "whistle_arr_n", "em_dec",
          "due_n", "due_closed", "due_on_time", "due_disposed", "disp_closed", "disp_on_spot", "disp_lvl",
          "disp_base", "loop_n", "loop_followed")
SECONDS = ("p110_acc_s", "p110_arr_s", "hand_s", "whistle_arr_s", "due_close_s")
CHUNK = 5000


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def upgrade() -> None:
    from commandcenter.store.schema import UtcDateTime

    op.add_column('incidents', sa.Column('source', sa.String(length=32), nullable=True))
    op.add_column('incidents', sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('incidents', sa.Column('departments_n', sa.Integer(), nullable=True))
    for c in COUNTS:
        op.add_column('kpi_rollup', sa.Column(c, sa.BigInteger(), nullable=False, server_default='0'))
    for c in SECONDS:
        op.add_column('kpi_rollup', sa.Column(c, sa.Float(), nullable=False, server_default='0'))

    bind = op.get_bind()
    inc = sa.table('incidents', sa.column('id', sa.String()), sa.column('data', sa.Text()),
                   sa.column('source', sa.String()), sa.column('dispatched_at', UtcDateTime()),
                   sa.column('departments_n', sa.Integer()))
    upd = inc.update().where(inc.c.id == sa.bindparam('_id')).values(
        source=sa.bindparam('_source'), dispatched_at=sa.bindparam('_dispatched', type_=UtcDateTime()),
        departments_n=sa.bindparam('_departments'))
    last = ""
    while True:
        rows = bind.execute(sa.select(inc.c.id, inc.c.data).where(inc.c.id > last).order_by(inc.c.id)
                            .limit(CHUNK)).all()
        if not rows:
            break
        params = []
        for rid, data in rows:
            d = json.loads(data or "{}")
            params.append({"_id": rid, "_source": d.get("source") or "grid_app",
                           "_dispatched": _time(d.get("dispatched_at")),
                           "_departments": len(d.get("departments") or ())})
        bind.execute(upd, params)
        last = rows[-1][0]
    # the rollups are rebuilt with the new sums by Store.open (it rebuilds when rollup_tz is missing)
    op.execute("DELETE FROM store_settings WHERE key = 'rollup_tz'")


def downgrade() -> None:
    for c in COUNTS + SECONDS:
        op.drop_column('kpi_rollup', c)
    for c in ('departments_n', 'dispatched_at', 'source'):
        op.drop_column('incidents', c)
    op.execute("DELETE FROM store_settings WHERE key = 'rollup_tz'")
