"""Safety of display (issue 6.7): feed text is shown literally everywhere — tiles, banner, detail panel.

`<img src='/tmp/x.png'>` in an incident title, an alert, a resource name and a grid name must appear as
those characters; no QLabel carrying feed text may interpret rich text, and no table cell may either."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel

from commandcenter.config import config_from_dict
from commandcenter.ui.alert_actions import AlertActions
from commandcenter.ui.banner import AlertBanner
from commandcenter.ui.details import DetailController
from commandcenter.ui.models.alerts import AlertBoard
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext

from tests.support import wall_data as W

EVIL = W.EVIL


def evil_city():
    terr = [replace(n, name=EVIL) if n.id == "G1" else n for n in W.territory()]
    incs = [replace(i, title=EVIL, reporter=EVIL, description=EVIL, handler=EVIL) if i.id == "E1" else i
            for i in W.incidents()]
    alerts = [replace(a, title=EVIL, area_desc=EVIL, description=EVIL) if a.id == "A4" else a for a in W.alerts()]
    res = [replace(r, name=EVIL) if r.id == "R1" else r for r in W.resources()]
    return W.live_city(territory=terr, incidents=incs, alerts=alerts, resources=res)


def labels_with_evil(widget) -> list[QLabel]:
    return [lab for lab in widget.findChildren(QLabel) if EVIL in lab.text()]


def section(kind: str):
    return config_from_dict({"pages": [{"name": "p", "rows": 1, "columns": 1,
                                        "tiles": [{"kind": kind, "row": 0, "column": 0}]}]}).pages[0].tiles[0]


def test_img_markup_shows_literally(ui, clock, qtbot, tmp_path):
    # a real image where the markup points, so rich text would visibly render it
    img = QImage(64, 64, QImage.Format.Format_RGB32)
    img.fill(QColor("#00ff00"))
    img.save("/tmp/x.png")
    live = evil_city()
    ctx = TileContext(live, config_from_dict({}), clock)
    tiles = {k: TILE_BUILDERS[k](ctx, section(k)) for k in ("incidents", "alerts", "resources")}
    for tile in tiles.values():
        qtbot.addWidget(tile)
        tile.resize(1000, 600)
        tile.show()
    inc = tiles["incidents"].model
    assert inc.data(inc.index(inc.row_of("E1"), inc.TITLE)) == EVIL
    assert inc.data(inc.index(inc.row_of("E1"), inc.GRID)) == EVIL
    al = tiles["alerts"].model
    assert al.texts_at(al.row_of("A4"))[al.TITLE] == EVIL
    res = tiles["resources"].model
    assert res.texts_at(res.row_of("R1"))[res.NAME] == EVIL
    # item views draw DisplayRole as plain text; the tiles add no tooltips with feed text
    for model in (inc, al, res):
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                assert model.data(model.index(r, c), Qt.ItemDataRole.ToolTipRole) is None

    board = AlertBoard(live, AlertActions(live, clock=clock), clock=clock)
    banner = AlertBanner(board)
    qtbot.addWidget(banner)
    banner.show()
    assert any(EVIL in t for t in banner.texts())

    shown = []
    ctl = DetailController(live, shown.append, clock=clock)
    panels = [ctl.open("incident", "E1"), ctl.open("alert", "A4"), ctl.open("resource", "R1"), ctl.open("grid", "G1")]
    for p in panels:
        qtbot.addWidget(p)
        p.resize(800, 900)
        p.show()
        assert EVIL in p.text(), p.kind

    carriers = [lab for w in [banner, *panels, *tiles.values()] for lab in labels_with_evil(w)]
    assert len(carriers) >= 8
    for lab in carriers:
        assert lab.textFormat() == Qt.TextFormat.PlainText, lab.text()
        assert not lab.openExternalLinks()
        assert lab.toolTip() == ""
        # rendered as text: the size hint is that of the characters, not of a 64x64 picture
        assert lab.sizeHint().height() < 64 or lab.wordWrap()
    # the panel's title literally carries the markup
    assert panels[0].title.text().endswith(EVIL)
