"""Public warning areas (预警): a heavy outline in the warning's colour over a dark halo and a sparse hatch inside
(never a full tint: a district-wide red warning leaves every grid's load colour readable), and a badge with its
level numeral (Ⅰ-Ⅳ) and title, so the level reads without colour; its text is sized for the room. Clicking the
outline or the badge selects the warning.

Only public warnings are drawn: device alarms (告警) and supervision notices (督办) name single grids and would bury
a district's red warning under hundreds of outlines; they have their own tiles."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF, QStaticText,
                           QTextOption, QTransform)

from ...domain import AlertLevel, AlertStatus, SignalKind, signal_kind
from ...domain.models import Alert
from ...domain.text import display_text
from .. import theme
from .geometry import TerritoryGeometry, _ring_array

#: A click this close (pixels) to an alert's outline selects the alert; inside it, the grid under it.
OUTLINE_HIT_PX = 6.0
MAX_TITLE_CHARS = 24


@dataclass
class _AlertShape:
    id: str
    level: AlertLevel
    path: QPainterPath
    xs: list[np.ndarray]          # one closed ring per polygon (view coords)
    ys: list[np.ndarray]
    badge_text: str
    anchor: QPointF               # topmost vertex: the badge sits just above it
    drill: bool


def plain(text: str, limit: int) -> str:
    """Feed text for drawing: one line, invisible characters marked (display_text), control characters dropped,
    capped."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in display_text(text)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AlertItem(pg.GraphicsObject):
    def __init__(self):
        super().__init__()
        self.setZValue(20)
        self.shapes: list[_AlertShape] = []
        self._rect = QRectF()
        self.font = QFont(theme.FONT_FAMILY)
        self.font.setPixelSize(14)
        self.font.setBold(True)
        self._scale = 1.0           # outline and hatch against their 4K-at-5-m size
        self._static: dict[str, QStaticText] = {}

    def set_alerts(self, geo: TerritoryGeometry, alerts: list[Alert]) -> None:
        self.prepareGeometryChange()
        shapes = []
        live = [a for a in alerts if a.status is AlertStatus.ACTIVE   # cancelled/expired ones leave the map
                and signal_kind(a.type) is SignalKind.WARNING]
        for a in sorted(live, key=lambda a: a.level):     # most severe drawn last, on top
            xs, ys = [], []
            for ring in a.polygons:
                r = _ring_array(ring)
                if len(r) < 3:
                    continue
                x, y = geo.proj.xy(r[:, 0], r[:, 1])
                xs.append(np.append(x, x[0]))
                ys.append(np.append(y, y[0]))
            if not xs and a.grid_ids:                     # no polygon: the grids it names
                for gid in a.grid_ids:
                    i = geo.index.get(gid)
                    if i is not None:
                        s = geo.starts[i]
                        e = s + np.argmin(geo.vlink[s:]) + 1
                        xs.append(geo.vx[s:e])
                        ys.append(geo.vy[s:e])
            if not xs:
                continue
            path = QPainterPath()
            path.setFillRule(Qt.FillRule.WindingFill)
            for x, y in zip(xs, ys, strict=True):
                path.addPolygon(QPolygonF([QPointF(a, b) for a, b in zip(x.tolist(), y.tolist(), strict=True)]))
            allx, ally = np.concatenate(xs), np.concatenate(ys)
            top = int(np.argmax(ally))
            text = f"{theme.ALERT_SYMBOLS[a.level]} {plain(a.title, MAX_TITLE_CHARS)}"
            shapes.append(_AlertShape(a.id, a.level, path, xs, ys, text, QPointF(allx[top], ally[top]),
                                      a.drill_id is not None))
        self.shapes = shapes
        self._static = {}
        rect = QRectF()
        for s in shapes:
            rect = rect.united(s.path.boundingRect())
        self._rect = rect
        self.update()

    def ids(self) -> list[str]:
        return [s.id for s in self.shapes]

    # -- badge geometry, shared by paint and hit test ---------------------------------------------
    def _badge_rect(self, device_anchor: QPointF, text: str) -> QRectF:
        """Above the area's topmost point, moved inside the map's viewport when that point is near its edge."""
        fm = QFontMetricsF(self.font)
        w, h = fm.horizontalAdvance(text) + 10, fm.height() + 4
        r = QRectF(device_anchor.x() - w / 2, device_anchor.y() - h - 4, w, h)
        view = self.getViewWidget()
        if view is not None:
            bounds = QRectF(view.viewport().rect())
            r.moveLeft(max(bounds.left(), min(r.left(), bounds.right() - w)))
            r.moveTop(max(bounds.top(), min(r.top(), bounds.bottom() - h)))
        return r

    def badge_rects(self, t: QTransform, bounds: QRectF | None = None) -> dict[str, QRectF]:
        """Each alert's badge in device pixels, most severe placed first at its area's top, kept inside `bounds`
        (the view) so its text is whole; a badge that would cover one already placed moves down below it, so no
        two badges overlap, and one that then has no room left inside `bounds` is left out (never drawn smaller:
        the key counts the warnings). Shared by paint and hit test."""
        placed: dict[str, QRectF] = {}
        for s in reversed(self.shapes):
            r = self._badge_rect(t.map(s.anchor), s.badge_text)
            if bounds is not None:
                r.moveLeft(max(bounds.left() + 2, min(r.left(), bounds.right() - r.width() - 2)))
                r.moveTop(max(bounds.top() + 2, r.top()))
            for _ in range(4 * len(placed) + 1):
                other = next((o for o in placed.values() if o.intersects(r)), None)
                if other is None:
                    break
                r.moveTop(other.bottom() + 2)
            if any(o.intersects(r) for o in placed.values()):
                continue
            if bounds is not None and (r.bottom() > bounds.bottom() or r.width() > bounds.width()):
                continue
            placed[s.id] = r
        return placed

    def hit(self, x: float, y: float) -> str | None:
        """Alert whose badge or outline is under view point (x, y), most severe first."""
        view = self.getViewWidget()
        if view is None or not self.shapes:
            return None
        t = self.sceneTransform() * view.viewportTransform()
        click = t.map(QPointF(x, y))
        cx, cy = click.x(), click.y()
        badges = self.badge_rects(t, QRectF(view.viewport().rect()))
        for s in reversed(self.shapes):      # badges first: a badge sits on the top edge of other alerts' areas
            if s.id in badges and badges[s.id].contains(click):
                return s.id
        for s in reversed(self.shapes):
            for xs, ys in zip(s.xs, s.ys, strict=True):
                px = t.m11() * xs + t.m21() * ys + t.dx()
                py = t.m12() * xs + t.m22() * ys + t.dy()
                ax, ay, bx, by = px[:-1], py[:-1], px[1:], py[1:]
                dx, dy = bx - ax, by - ay
                L2 = dx * dx + dy * dy
                u = np.clip(((cx - ax) * dx + (cy - ay) * dy) / np.where(L2 > 0, L2, 1), 0, 1)
                d = np.hypot(ax + u * dx - cx, ay + u * dy - cy)
                if d.size and d.min() <= OUTLINE_HIT_PX:
                    return s.id
        return None

    # -- QGraphicsItem -------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._rect

    def fit_font(self) -> None:
        """The badge's text at the room's minimum angle on the window the map is in."""
        view = self.getViewWidget()
        if view is None:
            return
        px = theme.text_pixel_size(view, theme.TEXT_MIN_ARCMIN)
        if px != self.font.pixelSize():
            self.font.setPixelSize(px)
            self._static = {}
            # outline and hatch keep their size on the panel, as the text does, whatever its resolution
            self._scale = max(1.0, px / theme.MAP_ALERT_SCALE_TEXT_PX)

    def paint(self, p: QPainter, *args) -> None:
        if not self.shapes:
            return
        self.fit_font()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        t = p.transform()
        p.save()
        p.resetTransform()           # hatch and pens in device pixels: the same density at any zoom
        for s in self.shapes:
            colour = theme.ALERT_COLOURS[s.level]
            device = t.map(s.path)
            hatch = QColor(colour)
            hatch.setAlpha(theme.MAP_ALERT_HATCH_ALPHA)
            brush = QBrush(hatch, theme.MAP_ALERT_HATCH)
            brush.setTransform(QTransform.fromScale(self._scale, self._scale))
            p.fillPath(device, brush)
            outline = theme.MAP_ALERT_OUTLINE_PX * self._scale
            p.strokePath(device, QPen(theme.MAP_ALERT_HALO, outline + 3 * self._scale))
            pen = QPen(colour, outline)
            if s.drill:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.strokePath(device, pen)
        p.restore()
        # badges in device pixels
        p.save()
        p.resetTransform()
        p.setFont(self.font)
        view = self.getViewWidget()
        badges = self.badge_rects(t, QRectF(view.viewport().rect()) if view is not None else None)
        for s in self.shapes:
            r = badges.get(s.id)
            if r is None:
                continue
            colour = theme.ALERT_COLOURS[s.level]
            p.setPen(QPen(theme.DRILL if s.drill else colour, 2))
            p.setBrush(theme.PANEL)
            p.drawRoundedRect(r, 4, 4)
            st = self._static.get(s.id)
            if st is None:
                st = QStaticText(s.badge_text)
                st.setTextFormat(Qt.TextFormat.PlainText)
                st.setTextOption(QTextOption(Qt.AlignmentFlag.AlignLeft))
                self._static[s.id] = st
            p.setPen(theme.TEXT)
            p.drawStaticText(QPointF(r.left() + 5, r.top() + 2), st)
        p.restore()
