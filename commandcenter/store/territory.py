"""The territory tree as the store's writers and the KPI engine walk it: parents, children, levels and each node's
chain of ancestors, read from the `territory` table and kept until its revision (`store_meta.territory_rev`)
changes."""
from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, select

from ..domain import TerritoryLevel
from .rollup import ChainIndex
from .schema import T

_TERR, _META = T["territory"], T["store_meta"]
_GRID = TerritoryLevel.GRID.value   # (the StrEnum .value property is slow in a loop)
_NONE: tuple[str, ...] = ()


class TerritoryTree:
    """One store's copy of the territory hierarchy. `refresh` (inside a transaction) re-reads it when another
    writer changed it; the maps are replaced whole, never changed in place, so a reader holding one keeps a
    consistent tree."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rev = -1
        self.parents: Mapping[str, str | None] = {}
        self.children: Mapping[str, Sequence[str]] = {}   # "" holds the roots
        self.levels: Mapping[str, str] = {}
        self._chains: dict[str, list[str]] = {}
        self._index: ChainIndex | None = None

    def refresh(self, conn: Connection) -> bool:
        """Re-read the tree if its revision moved; True when it did."""
        rev = conn.execute(select(_META.c.value).where(_META.c.key == "territory_rev")).scalar() or 0
        if rev == self._rev:
            return False
        rows = conn.execute(select(_TERR.c.id, _TERR.c.parent_id, _TERR.c.level)).all()
        children: dict[str, list[str]] = {}
        for r in rows:
            children.setdefault(r.parent_id or "", []).append(r.id)
        with self._lock:
            self.parents = {r.id: r.parent_id for r in rows}
            self._chains = {}   # after parents: chain() reads them in the other order (see there)
            self._index = None
            self.levels = {r.id: r.level for r in rows}
            self.children = children
            self._rev = rev
        return True

    def chain(self, node: str, parents: Mapping[str, str | None] | None = None) -> list[str]:
        """The node, its ancestors, then "" (the whole territory); over `parents` when given (a tree before a
        change). Do not modify the list: the chains of the current tree are remembered until it changes (every
        batch asks for the chains of the grids it touches)."""
        memo = None
        if parents is None:
            # memo before parents: refresh replaces parents first, so a memo read here is never newer than them
            memo = self._chains
            got = memo.get(node)
            if got is not None:
                return got
            parents = self.parents
        out = [node]
        seen = {node}
        p = parents.get(node)
        while p and p not in seen:
            out.append(p)
            seen.add(p)
            p = parents.get(p)
        out.append("")
        if memo is not None:
            memo[node] = out
        return out

    def chain_index(self, grids: Sequence[str] = ()) -> ChainIndex:
        """Every node's chain as rollup.Deltas wants it, built once per tree; with `grids`, also theirs (grids
        the territory does not know yet), kept until the tree changes."""
        index = self._index
        if index is None:
            index = self._index = ChainIndex(self.chain, list(self.parents))
        wider = index.covering(self.chain, grids)
        if wider is not index:
            with self._lock:
                if self._index is index:   # not replaced by a refresh meanwhile
                    self._index = wider
        return wider

    def descendants(self, node: str) -> list[str]:
        """The node and every node under it."""
        out, stack = [], [node]
        while stack:
            n = stack.pop()
            out.append(n)
            stack.extend(self.children.get(n, _NONE))
        return out

    def is_grid(self, node: str) -> bool:
        return self.levels.get(node) == _GRID

    def grids_under(self, node: str, limit: int) -> list[str] | None:
        """The grid ids under a node ("" = all), or None as soon as there are more than `limit`: listing all of
        a city's (walking the tree, comparing levels) costs more CPU than the whole KPI set's reads."""
        out: list[str] = []
        levels = self.levels
        if not node:
            for g, lvl in levels.items():
                if lvl == _GRID:
                    out.append(g)
                    if len(out) > limit:
                        return None
            return out
        stack = [node]
        while stack:
            n = stack.pop()
            if levels.get(n) == _GRID:
                out.append(n)
                if len(out) > limit:
                    return None
            stack.extend(self.children.get(n, _NONE))
        if not out and node not in levels:
            out.append(node)   # a grid id the territory does not know yet
        return out

    def sum_by_child(self, children: Sequence[str], per_grid: Mapping[str, float]) -> dict[str, float]:
        """Events per child node from the events per grid under them; children without events are left out."""
        out: dict[str, float] = {}
        for child in children:
            total, stack = 0.0, [child]
            while stack:
                x = stack.pop()
                total += per_grid.get(x, 0.0)
                stack.extend(self.children.get(x, _NONE))
            if total:
                out[child] = total
        return out
