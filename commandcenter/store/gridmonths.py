"""Events per grid per local month, kept under the grid's parent and grandparent (table kpi_grid_month).

Why: the KPI engine gives a street its events per grid (its ~150 grids) and a community its own grids'. Read from
kpi_rollup, a grid's month rows are 37 columns wide: a street over a year or the whole history of the 10 M store
read ≈ 480 random pages cold (issue #9). This table holds only the count, clustered under the node that asks for
it, so the same figures are a few contiguous pages.

A grid's count moves only when an incident is created, changes grid, or turns into / out of a drill (a status
change keeps `n`): the rows come from the same rollup.Deltas as kpi_rollup, in the same transaction. The holders
are the first two ancestors of the incident's grid (`chain[1:3]`, "" excluded): above a street a node has more
grids than the engine lists per grid (kpi.PER_GRID_MAX)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection, bindparam, delete

from .dialect import Dialect
from .rollup import Deltas
from .schema import T

#: How many ancestors above a grid hold its counts (community, street).
LEVELS_UP = 2
COLUMNS = ("node_id", "bucket", "drill", "grid_id", "n")
Row = tuple[str, int, int, str, int]   # COLUMNS order


def holders(chain: Sequence[str]) -> list[str]:
    """The nodes that keep a grid's month counts, from its chain [grid, parent, ..., ""]."""
    return [x for x in chain[1:1 + LEVELS_UP] if x]


def rows(acc: Deltas, chain: Callable[[str], list[str]], *, nodes: Sequence[str] | None = None,
         sign: int = 1) -> list[Row]:
    """The count changes of one batch (`acc`), one row per (holder, local month, drill, grid), zero changes
    dropped, sorted by key (one lock order for every writer). `nodes` replaces each grid's holders (moving a
    grid's counts from its old holders to its new ones); `sign` = -1 subtracts."""
    out: list[Row] = []
    held: dict[str, list[str]] = {}
    for (grid, month, drill), n in acc.month_events():
        hs = held.get(grid)
        if hs is None:
            hs = held[grid] = list(nodes) if nodes is not None else holders(chain(grid))
        for h in hs:
            out.append((h, month, drill, grid, int(round(n)) * sign))
    out.sort()
    return out


def add(sql: Dialect, conn: Connection, changes: list[Row], *, drop_zero: bool = False) -> None:
    """Add the changes into kpi_grid_month. `drop_zero` then deletes the rows they brought to 0 (a drill deleted,
    grids moved away): rows of a finished drill or of a former parent would otherwise stay as zeros forever."""
    if not changes:
        return
    upsert = sql.insert_sql("kpi_grid_month", COLUMNS, COLUMNS[:4], '"n" = kpi_grid_month."n" + excluded."n"')
    sql.run_many(conn, upsert, changes)
    if drop_zero:   # a rare path (a drill deleted, grids moved): Core
        gm = T["kpi_grid_month"]
        zero = delete(gm).where(*(gm.c[c] == bindparam("k_" + c) for c in COLUMNS[:4]), gm.c.n == 0)
        conn.execute(zero, [{"k_" + c: v for c, v in zip(COLUMNS[:4], r, strict=False)} for r in changes])
