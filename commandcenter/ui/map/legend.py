"""The key beside the map: load ramp with number ranges and how many grids are in each step, the marker
shapes per severity and resource kind, the alert levels and the drill outline. Colour never stands alone.

Its text is sized for the room like every other text on the wall (theme.text_pixel_size at the minimum angle), never
smaller: where the tile has no room for the whole key at that size, whole sections are left out, the least
important first (SECTION_PRIORITY: warnings while the map shows one, then incidents, the grids' load, resources,
then the sections other layers add; a smaller section still takes the room a larger, more important one left). A
section is a "title" row and the rows after it, so a layer's rows with a
title of their own are a section of their own."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QLocale, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...domain import AlertLevel, ResourceKind, ResourceStatus, Severity
from .. import labels, theme
from .cells import step_label


@dataclass(frozen=True)
class LegendEntry:
    """One row a map layer adds to the key: `key` names it (unique in the key; "title" for a heading), `symbol` draws
    its symbol into the box given (None for a heading), `counted`: its text holds a count that changes with the data."""

    key: str
    text: str
    symbol: Callable[[QPainter, QRectF], None] | None = None
    counted: bool = False


#: a layer's rows in the key, as they are now (GridMap.add_legend_source)
LegendSource = Callable[[], list[LegendEntry]]


# which sections of the key stay when not all fit, by the kind of their first row (lower stays longer); a layer's
# section (any other kind) comes after these
SECTION_PRIORITY: tuple[str, ...] = ("alert", "sev", "step", "res-")
_LAYER_PRIORITY = len(SECTION_PRIORITY)


def sections(rows: list[tuple[str, str]]) -> list[list[int]]:
    """The key's rows (kind, text) cut into sections: each "title" row starts one (rows before any title are one)."""
    out: list[list[int]] = []
    for i, (kind, _text) in enumerate(rows):
        if kind == "title" or not out:
            out.append([])
        out[-1].append(i)
    return out


def section_priority(rows: list[tuple[str, str]], section: list[int]) -> int:
    """How long a section stays when the key has no room (0 longest): by the kind of its first row that is not a
    title."""
    kind = next((rows[i][0] for i in section if rows[i][0] != "title"), "")
    return next((n for n, prefix in enumerate(SECTION_PRIORITY) if kind.startswith(prefix)), _LAYER_PRIORITY)


def section_name(rows: list[tuple[str, str]], section: list[int]) -> str:
    """A section's identity that does not change with its counts: the kind of its first row that is not a title."""
    return next((rows[i][0] for i in section if rows[i][0] != "title"), str(section[0]))


class MapLegend(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.step_counts = [0] * len(theme.LOAD_RAMP)
        self.incidents_total = 0
        self.incidents_shown: dict = {}
        self.resources_by_kind: dict = {}
        self.alerts = 0
        self._locale = QLocale()
        self._font = QFont(theme.FONT_FAMILY)
        self._font.setPixelSize(14)
        # sections left out for want of room (by section_name): fit() decides
        self.dropped: frozenset[str] = frozenset()
        self._static: QPixmap | None = None
        self._static_key = None
        #: rows flow into this many columns (the key under a map in a tall tile: wide and short)
        self.columns = 1
        self._sources: list[LegendSource] = []       # the map layers' rows, after the key's own
        self._entries: dict[str, LegendEntry] = {}   # by key, as the sources last gave them

    def add_source(self, source: LegendSource) -> None:
        self._sources.append(source)
        self._static_key = None

    def _layer_rows(self) -> list[tuple[str, str]]:
        entries = [e for source in self._sources for e in source()]
        self._entries = {e.key: e for e in entries if e.key != "title"}
        return [(e.key, e.text) for e in entries]

    def set_columns(self, columns: int) -> None:
        self.columns = max(1, columns)
        self._static_key = None
        self.updateGeometry()
        self.update()

    def _per_column(self, n_rows: int) -> int:
        return -(-n_rows // self.columns)

    def set_pixel_size(self, px: int) -> None:
        if px != self._font.pixelSize():
            self._font.setPixelSize(px)
            self._static_key = None
            self.updateGeometry()
            self.update()

    def font_px(self) -> int:
        return self._font.pixelSize()

    def fit_room(self) -> None:
        """The key's text at the room's minimum angle on the window it is in (theme.text_pixel_size)."""
        self.set_pixel_size(theme.text_pixel_size(self, theme.TEXT_MIN_ARCMIN))

    def fit(self, columns: int, height: int) -> bool:
        """In `columns` columns, keep the most important sections whose rows fit `height` pixels at the font's size:
        a section that does not fit is left out whole, and a smaller, less important one may take the room it left;
        False if not even the most important fits."""
        self.set_columns(columns)
        rows = self.rows()
        # the warnings' key comes first while the map shows warnings; with none on the map it gives way to the rest
        idle = len(SECTION_PRIORITY) + 1 if self.alerts == 0 else 0
        secs = sorted(sections(rows), key=lambda sec: section_priority(rows, sec)
                      + (idle if section_name(rows, sec).startswith("alert") else 0))
        kept: list[list[int]] = []
        for sec in secs:
            if self._height_for(sum(len(k) for k in kept) + len(sec)) <= height:
                kept.append(sec)
        dropped = frozenset(section_name(rows, sec) for sec in secs if sec not in kept)
        if dropped != self.dropped:
            self.dropped = dropped
            self._static_key = None
            self.updateGeometry()
            self.update()
        return bool(secs) and kept[:1] == secs[:1]

    def _height_for(self, n_rows: int) -> int:
        return int(self._per_column(n_rows) * QFontMetricsF(self._font).height() * 1.35 + 16)

    def shown_rows(self) -> list[tuple[str, str]]:
        """The rows the key draws: rows() without the sections left out for want of room."""
        rows = self.rows()
        return [rows[i] for i in self._shown_indices(rows)]

    def _shown_indices(self, rows: list[tuple[str, str]]) -> list[int]:
        return [i for sec in sections(rows) if section_name(rows, sec) not in self.dropped for i in sec]

    def painted_fonts(self) -> list[tuple[str, QFont]]:
        """(what, font) of the texts the key draws: its rows, and its section titles in bold."""
        bold = QFont(self._font)
        bold.setBold(True)
        return [("legend row", QFont(self._font)), ("legend title", bold)]

    def rows(self) -> list[tuple[str, str]]:
        """The legend as text rows (kind, text): what the tests read and what paint draws. Domain names come from
        ui.labels, the legend's own words through tr (Chinese source, English in ui/assets/i18n)."""
        return self._rows(self.step_counts, self.incidents_total, self.incidents_shown, self.resources_by_kind,
                          self.alerts)

    def _rows(self, step_counts: list[int], incidents_total: int, incidents_shown: dict, resources_by_kind: dict,
              alerts: int) -> list[tuple[str, str]]:
        n = self._locale.toString
        out = [("title", self.tr("每网格在办事件数"))]
        for step, count in enumerate(step_counts):
            out.append((f"step{step}", f"{step_label(step)}    " + self.tr("{n} 个网格").format(n=n(count))))
        shown = sum(incidents_shown.values())
        out.append(("title", self.tr("事件标记（{shown} / {total}）").format(shown=n(shown), total=n(incidents_total))
                    if shown < incidents_total else self.tr("事件标记（{n}）").format(n=n(shown))))
        for sev in sorted(Severity, reverse=True):
            out.append((f"sev{int(sev)}", f"{labels.name(sev)}  {n(incidents_shown.get(sev, 0))}"))
        out.append(("drill", self.tr("演练（虚线框）")))
        out.append(("title", self.tr("应急资源")))
        for kind in ResourceKind:
            out.append((f"res-{kind.value}", f"{labels.name(kind)}  {n(resources_by_kind.get(kind, 0))}"))
        for st in ResourceStatus:
            out.append((f"rst-{st.value}", labels.name(st)))
        out.append(("title", self.tr("预警（{n}）").format(n=n(alerts))))
        for lvl in sorted(AlertLevel, reverse=True):
            out.append((f"alert{int(lvl)}", f"{theme.ALERT_SYMBOLS[lvl]} {labels.name(lvl)}"))
        return out + self._layer_rows()

    #: counts the legend's width is made for: wider numbers than these widen it (and shrink the map)
    ROOM_FOR = 9_999

    def sizeHint(self) -> QSize:
        """Wide enough for counts up to ROOM_FOR (totals ten times that), whatever they are now: a width following
        the counts resized the map on every new digit during a burst (a new grid raster and a dropped frame).
        Larger counts still widen it, once per extra digit."""
        fm = QFontMetricsF(self._font)
        rows = self.rows()
        shown = self._shown_indices(rows)
        if not shown:
            return QSize(0, 0)
        room = self.ROOM_FOR
        widest = self._rows([room] * len(self.step_counts), room * 10, {s: room for s in Severity},
                            {k: room for k in ResourceKind}, room)
        texts = [rows[i][1] for i in shown] + ([widest[i][1] for i in shown] if len(widest) == len(rows) else [])
        # the sections shown only: one left out for want of room does not widen the key
        w = max(fm.horizontalAdvance(t) for t in texts) + fm.height() * 2 + 24
        return QSize(int(w * self.columns), self._height_for(len(shown)))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.sizeHint().width(), 100)

    def _counted(self, rows) -> list[bool]:
        """Which rows' text holds a count (it differs between all counts 0 and all counts 1): the rows a new
        incident changes. The others, and every row's symbol, change only with the font, size or language."""
        none = self._rows([0] * len(self.step_counts), 0, {}, {}, 0)
        one = self._rows([1] * len(self.step_counts), 1, {s: 1 for s in Severity}, {k: 1 for k in ResourceKind}, 1)
        if len(none) != len(one):
            return [True] * len(rows)
        layer = self._entries
        counted = [a[1] != b[1] or (a[0] in layer and layer[a[0]].counted) for a, b in zip(none, one, strict=True)]
        shown = self._shown_indices(none)
        return [counted[i] for i in shown] if len(shown) == len(rows) else [True] * len(rows)

    def paintEvent(self, event) -> None:
        # Everything but the counts changes rarely: a pixmap of it, so a flush repaints only the rows holding a count
        rows = self.shown_rows()
        counted = self._counted(rows)
        static_key = (self.size(), self._font.pixelSize(), self.columns, self.dropped,
                      tuple(t for (k, t), c in zip(rows, counted, strict=True) if not c))
        if static_key != self._static_key or self._static is None:
            self._static = QPixmap(self.size())
            self._static.fill(theme.PANEL)
            sp = QPainter(self._static)
            self._paint_rows(sp, rows, counted, counts=False)
            sp.end()
            self._static_key = static_key
        p = QPainter(self)
        p.drawPixmap(0, 0, self._static)
        self._paint_rows(p, rows, counted, counts=True)
        p.end()

    def _paint_rows(self, p: QPainter, rows, counted: list[bool], counts: bool) -> None:
        """counts=False: every row's symbol and the text of the rows without a count; counts=True: only the text of
        the rows with one."""
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setFont(self._font)
        fm = QFontMetricsF(self._font)
        line = fm.height() * 1.35
        sw = fm.height()
        per_col = self._per_column(len(rows))
        col_w = self.width() / self.columns
        for i, ((kind, text), has_count) in enumerate(zip(rows, counted, strict=True)):
            x0 = 8.0 + (i // per_col) * col_w
            y = 8.0 + (i % per_col) * line
            right = x0 - 8.0 + col_w
            box = QRectF(x0, y + (line - sw) / 2, sw, sw)
            tx = x0 + sw + 8
            draw_text = has_count == counts
            if kind == "title":
                if draw_text:
                    f = QFont(self._font)
                    f.setBold(True)
                    p.setFont(f)
                    p.setPen(theme.ACCENT)
                    p.drawText(QRectF(x0, y, right - x0, line), Qt.AlignmentFlag.AlignVCenter, text)
                    p.setFont(self._font)
                continue
            if counts:
                if draw_text:
                    p.setPen(theme.TEXT)
                    p.drawText(QRectF(tx, y, right - tx, line), Qt.AlignmentFlag.AlignVCenter, text)
                continue
            if kind in self._entries:          # a map layer's row: its own symbol
                symbol = self._entries[kind].symbol
                if symbol is not None:
                    symbol(p, box)
            elif kind.startswith("step"):
                p.setPen(QPen(theme.PANEL_BORDER, 1))
                p.setBrush(theme.LOAD_RAMP[int(kind[4:])])
                p.drawRect(box)
            elif kind.startswith("sev"):
                sev = Severity(int(kind[3:]))
                self._symbol(p, box, theme.MAP_SEVERITY_MARKERS[sev], theme.SEVERITY_COLOURS[sev],
                             theme.MAP_MARKER_OUTLINE)
            elif kind == "drill":
                self._symbol(p, box, "d", theme.PANEL, theme.DRILL, 2.5)
            elif kind.startswith("res-"):
                self._symbol(p, box, theme.MAP_RESOURCE_MARKERS[ResourceKind(kind[4:])], theme.TEXT_DIM,
                             theme.MAP_RESOURCE_OUTLINE)
            elif kind.startswith("rst-"):
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(theme.RESOURCE_COLOURS[ResourceStatus(kind[4:])])
                p.drawEllipse(box.adjusted(sw * 0.2, sw * 0.2, -sw * 0.2, -sw * 0.2))
            elif kind.startswith("alert"):
                c = theme.ALERT_COLOURS[AlertLevel(int(kind[5:]))]
                fill = QColor(c)
                fill.setAlpha(theme.MAP_LEGEND_ALERT_ALPHA)
                p.setPen(QPen(c, 2))
                p.setBrush(fill)
                p.drawRect(box.adjusted(1, 1, -1, -1))
            if draw_text:
                p.setPen(theme.TEXT)
                p.drawText(QRectF(tx, y, right - tx, line), Qt.AlignmentFlag.AlignVCenter, text)

    @staticmethod
    def _symbol(p: QPainter, box: QRectF, symbol: str, fill: QColor, outline: QColor, width: float = 1.0) -> None:
        path = pg.graphicsItems.ScatterPlotItem.Symbols[symbol]
        t = QTransform()
        t.translate(box.center().x(), box.center().y())
        t.scale(box.width() * 0.85, box.height() * 0.85)
        p.setPen(QPen(outline, width))
        p.setBrush(fill)
        p.drawPath(t.map(path))
