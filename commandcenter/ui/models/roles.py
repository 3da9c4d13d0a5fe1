"""Header roles a wall table's model may answer for a column (horizontal headerData), read by tiles.base.WallTable
when it fits its columns: the text a column must show whole, and where a longer text is cut."""
from __future__ import annotations

from PySide6.QtCore import Qt

#: The text, or list of texts, the column must be wide enough to show uncut (every source's name, the longest grid).
KEEP_TEXT_ROLE = Qt.ItemDataRole.UserRole + 90
#: Where a text longer than the column is cut (a Qt.TextElideMode); the default is at its right end.
ELIDE_ROLE = Qt.ItemDataRole.UserRole + 91
