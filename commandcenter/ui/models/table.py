"""The one base of the table models a `WallTable` (ui.tiles.base) shows: the contract its row-image painter
relies on, stated once instead of probed."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel


class WallTableModel(QAbstractTableModel):
    """A table model a WallTable can paint from cached row images.

    `row_key(row)`: what the row shows, as a hashable key (equal keys: the same text and colours, so the row's image
    is reused). `live_columns`: the columns whose text changes with the clock (countdowns), painted apart from the
    row image. `paint_row(row)`: the row's key, background and live columns' values in one call (no index or data()
    call per value), or None where the model has no such shortcut."""

    live_columns: tuple[int, ...] = ()

    def row_key(self, row: int) -> tuple[Any, ...] | None:
        raise NotImplementedError

    def paint_row(self, row: int) -> tuple[Any, ...] | None:
        return None
