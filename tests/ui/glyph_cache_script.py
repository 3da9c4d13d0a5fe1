"""Run by test_glyph_cache.py: a wall label's large type (bold and regular, Chinese, Latin and digits) rendered
offscreen into the PNG named by argv[1], with whatever glyph-cache environment the test gave this process.
Prints RESULT {json}: the two variables as Qt will read them, and the rows of ink of a capital "H" at sizes a wall's
minimum-angle labels have at 8K (hinting would round them to whole pixels)."""
from __future__ import annotations

import json
import os
import sys

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication

from commandcenter.ui import theme
from commandcenter.ui.resources import register_fonts
from commandcenter.ui.tiles.base import PlainLabel

app = QApplication(sys.argv[:1])
register_fonts(app)
app.setStyleSheet(theme.stylesheet())
image = QImage(1600, 560, QImage.Format.Format_RGB32)
image.fill(theme.BACKGROUND)
for n, (px, bold) in enumerate(((76, False), (121, True), (240, True))):
    label = PlainLabel("城市运行 KPI 98.5%" if px < 200 else "办结 97%")
    font = QFont(theme.FONT_FAMILY)
    font.setPixelSize(px)
    font.setBold(bold)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.resize(1600, px + px // 3)
    label.render(image, QPoint(0, (0, 90, 250)[n]))
assert image.save(sys.argv[1])


def ink_rows(px: int) -> int:
    font = QFont(theme.FONT_FAMILY)
    font.setPixelSize(px)
    cap = QImage(px * 2, px * 2, QImage.Format.Format_RGB32)
    cap.fill(QColor("black"))
    p = QPainter(cap)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(px // 4, px * 3 // 2, "H")
    p.end()
    return sum(1 for y in range(cap.height()) if any(QColor(cap.pixel(x, y)).red() > 96 for x in range(cap.width())))


out: dict[str, object] = {name: os.environ.get(name) for name in ("QT_MAX_CACHED_GLYPH_SIZE", "QT_NO_FT_CACHE")}
out["ink_rows"] = {px: ink_rows(px) for px in (116, 118)}
print("RESULT " + json.dumps(out))
