"""Every word the wall and the console put on screen, in both languages (issue 16, point 5).

The whole wall is built offscreen (every tile of the tile registry on its pages, the header, the warning, drill
and replay banners), then the console (with its shortcut help), a detail panel of every kind (incident, public
warning, device alarm, supervision notice, grid, resource, indicator) and the wall's one dialog (open a link?).
Every text they hold is gathered: labels, buttons, group titles, placeholders, tool tips, combo items, table
headers and cells, chart tick labels, the map legend. Then:

- `en`: no CJK character anywhere. The city's own free text is neutral Latin (tests/ui/words_city.py), so a CJK
  character can only be a UI string that missed translation.
- `zh_CN`: no Latin word except the few below, whose reasons are given. The city's free text is Chinese, so a Latin
  word is a UI string left in English or an internal key.
- both: no internal key (an engine's snake_case name) and no record id except an incident's case number.
"""
from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QGroupBox, QLabel, QLineEdit, QWidget,
)

from commandcenter.config import config_from_dict
from commandcenter.domain import FeedHealth, FeedState
from commandcenter.services.replay import Danger
from commandcenter.store import Store
from commandcenter.ui.tiles import TILE_BUILDERS

from tests.support import words_city as C

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
SNAKE_KEY = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")

#: Latin tokens a Chinese wall may show, each for a reason:
ALLOWED_LATIN = {
    "Open311",                      # the name of an open standard a source follows (Source.OPEN311), not translated
    "Ctrl", "Shift", "Alt", "Return", "Enter", "Space", "End", "Esc", "Home", "PgUp", "PgDown",   # keys, as printed
    "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12",                      # on the keyboard
}
#: A keyboard shortcut as the console's help prints it (Ctrl+Shift+G, F5): key names are not words.
SHORTCUT = re.compile(r"^(?:(?:Ctrl|Shift|Alt|Meta)\+)+[A-Za-z0-9…]+$|^F\d{1,2}$")
TRANSPORT_ERROR = "ConnectError: [Errno 111] Connection refused"
#: A case number (事件编号) is what a caller quotes: the one record id an operator is shown.
CASE_NUMBER = re.compile(r"^E\d{5}$")


def pages(lang: str) -> list[dict]:
    t = C.TEXT[lang]
    kinds = sorted(set(TILE_BUILDERS) - {"alerts"})          # "alerts" is another name of "warnings"
    return [{"name": t["page"], "rows": 2, "columns": 4,
             "tiles": [{"kind": k, "row": i // 4, "column": i % 4} for i, k in enumerate(kinds[:8])]},
            {"name": t["second_page"], "rows": 1, "columns": 4,
             "tiles": [{"kind": k, "row": 0, "column": i} for i, k in enumerate(kinds[8:])]}]


def widget_texts(root: QWidget, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """Every text a widget tree shows (and its tool tips), except in the `skip` subtrees. What an operator types
    (a line edit's text) is not the UI's."""
    import pyqtgraph as pg

    from commandcenter.ui.map.legend import MapLegend

    out: list[str] = []
    for w in [root] + root.findChildren(QWidget):
        if any(w is s or s.isAncestorOf(w) for s in skip):
            continue
        out.append(w.toolTip())
        if w.isWindow():
            out.append(w.windowTitle())
        if isinstance(w, QLabel | QAbstractButton):
            out.append(w.text())
        elif isinstance(w, QGroupBox):
            out.append(w.title())
        elif isinstance(w, QLineEdit):
            out.append(w.placeholderText())
        elif isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QAbstractSpinBox):
            out.append(w.text())
        elif isinstance(w, QAbstractItemView) and w.model() is not None and not any(
                isinstance(k, QComboBox) and k.model() is w.model() for k in skip):   # a skipped combo's popup
            out += model_texts(w.model())
        elif isinstance(w, MapLegend):
            out += [text for _, text in w.rows()]
        elif isinstance(w, pg.PlotWidget):
            for name in ("left", "bottom"):
                axis = w.getPlotItem().getAxis(name)
                for level in getattr(axis, "_tickLevels", None) or []:
                    out += [str(label) for _, label in level]
    return [t for t in out if t]


def model_texts(model) -> list[str]:
    out = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    for r in range(model.rowCount()):
        out += [model.data(model.index(r, c)) for c in range(model.columnCount())]
    return [str(t) for t in out if t is not None]


def scenario(tmp_path, lang: str):
    """A drill scenario whose own words (data) are in the wall's language."""
    name = "Residential fire drill" if lang == "en" else "居民楼火灾演练"
    path = tmp_path / "drill.toml"
    path.write_text(f'[scenario]\nid = "words"\nname = "{name}"\n\n[[events]]\nat = "10s"\ntype = "incident"\n'
                    f'ref = "f"\ntitle = "{name}"\ncategory = "fire"\nseverity = 4\nemergency = true\n',
                    encoding="utf-8")
    return path


def what_the_wall_says(lang: str, qloop, tmp_path) -> dict[str, list[str]]:
    """Everything on screen, per place (window, console, each detail panel)."""
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl
    from commandcenter.ui.replay_bar import ReplayBanner

    url = f"sqlite:///{tmp_path / f'words-{lang}.db'}"
    store = Store.open(url)
    store.apply("city", territory=C.territory(lang), incidents=C.incidents(lang), alerts=C.alerts(lang),
                resources=C.resources(lang))
    store.close()
    t = C.TEXT[lang]
    config = config_from_dict({"wall": {"title": t["wall"], "language": lang, "kiosk": False, "rotate_seconds": 0,
                                        "alert_takeover": False},
                               "pages": pages(lang), "alerts": {"sound": False, "guidance": {   # config content
                                   "rainstorm": "Clear the drains." if lang == "en" else "疏通排水管网。"}}})
    now = [C.T0 + timedelta(minutes=10)]
    wall = WallApp(config, url, clock=lambda: now[0])
    said: dict[str, list[str]] = {}

    async def run() -> None:
        await wall.start(show=False)
        try:
            # the store reads live alerts against the real clock: the city's, hours old, go to the live state directly
            wall.live.apply(alerts=C.alerts(lang))
            wall.alert_board.flush()
            feed = "citywide" if lang == "en" else "全市"        # a feed's name is config, its error the transport's
            wall.live.apply(health=[FeedHealth(feed, FeedState.DOWN, now[0] - timedelta(minutes=3), TRANSPORT_ERROR)])
            if wall.drills is not None:
                wall.drills.start(scenario(tmp_path, lang), actor=t["handler"])
            for window in wall.windows.values():
                for tile in window.page_view.all_tiles():
                    feed = getattr(tile, "feed", None)
                    if feed is not None and hasattr(feed, "refresh"):
                        await feed.refresh()
                    if hasattr(tile, "flush"):
                        tile.flush()
                    if hasattr(tile, "refresh"):
                        tile.refresh()
                if window.drill_banner is not None:
                    window.drill_banner.refresh()
                present = (Danger("alert", "AL0000004", C.alerts(lang)[3].title),          # breaking through
                           Danger("incident", "E09999", C.incidents(lang)[-1].title, "arrival"))
                replay = ReplayBanner(SimpleNamespace(replaying=True, paused=True, speed=10.0, position=now[0],
                                                      breakthrough=present))
                replay.setParent(window)
                tiles = window.page_view.all_tiles()
                for tile in tiles:
                    said[f"tile {tile.kind}"] = widget_texts(tile)
                said[f"window {window.objectName()}"] = [    # the transport's error is kept for a technician's hover
                    t for t in widget_texts(window, skip=tuple(tiles)) if t != TRANSPORT_ERROR]
            desk = ConsoleWindow(WallConsoleControl(wall))
            try:
                await desk.search()
                desk.refresh_alerts()
                desk.refresh_status()
                # the drill scenario files' names are config, listed as in a file picker
                said["console"] = widget_texts(desk, skip=(desk.drill_scenario,))
            finally:
                desk.close_quietly()
            details = wall.window.details
            for kind, record_id in [("incident", "E00001"), ("incident", "E09999"), ("alert", "AL0000004"),
                                    ("alert", "AL0000005"), ("alert", "AL0000010"), ("grid", C.grid_id(1)),
                                    ("resource", "RS000002"), ("resource", "RS000003"),
                                    ("kpi", "completion_rate"), ("kpi", "events_per_category:dispute"),
                                    ("kpi", "events_per_grid:" + C.grid_id(2)),
                                    ("kpi", "resolution_level_share:community")]:
                panel = await details.complete(kind, record_id)
                said[f"details {kind} {record_id}"] = panel.texts() + widget_texts(panel)
            box = details.links.request("https://example.org/plan", details.panel)     # the one dialog of the wall
            said["dialog: open a link"] = [t for t in widget_texts(box) if "example.org" not in t]
            box.close()
        finally:
            await wall.stop()

    qloop.run_until_complete(run())
    return said


def leaks(said: dict[str, list[str]], lang: str, places: set[str]) -> list[str]:
    ids = C.record_ids(lang)
    found = []
    for place, texts in said.items():
        if place not in places:
            continue
        for text in texts:
            if lang == "en" and CJK.search(text):
                found.append(f"{place}: CJK in {text!r}")
            if lang == "zh_CN" and not SHORTCUT.match(text.strip()):
                stray = [w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN and not CASE_NUMBER.match(w)]
                if stray:
                    found.append(f"{place}: English {stray} in {text!r}")
            for key in SNAKE_KEY.findall(text):
                found.append(f"{place}: internal key {key!r} in {text!r}")
            for rid in ids:
                if re.search(rf"(?<![A-Za-z0-9]){re.escape(rid)}(?![A-Za-z0-9])", text):
                    found.append(f"{place}: record id {rid!r} in {text!r}")
    return sorted(set(found))


KPI_TILE = "tile kpis"
PARTS = [pytest.param("wall, console and details", id="wall"),
         pytest.param(KPI_TILE, id="kpi-tile")]


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_word_on_the_wall_and_console_is_in_the_wall_language(lang, part, ui, qloop, tmp_path):
    from commandcenter.ui.resources import install_language

    assert install_language(lang)                    # as the wall's start-up does (ui.app.run_wall)
    try:
        said = what_the_wall_says(lang, qloop, tmp_path)
    finally:
        install_language("zh_CN")
    kinds = {p.split(" ", 1)[1] for p in said if p.startswith("tile ")}
    assert kinds >= set(TILE_BUILDERS) - {"alerts"}                          # every tile of the registry
    assert len(said) >= 20 and sum(len(v) for v in said.values()) > 500     # the wall really was read
    places = {KPI_TILE} if part == KPI_TILE else set(said) - {KPI_TILE}
    problems = leaks(said, lang, places)
    assert not problems, "\n".join(problems)


def test_the_console_finds_grids_by_their_names(ui, qloop, tmp_path):
    """An operator knows 第1网格 and 幸福社区, not D01S01C01G01: the grid box takes names as well as codes, and the
    results name each grid with its community."""
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl

    url = f"sqlite:///{tmp_path / 'grids.db'}"
    store = Store.open(url)
    store.apply("city", territory=C.territory("zh_CN"), incidents=C.incidents("zh_CN"))
    store.close()
    wall = WallApp(config_from_dict({"wall": {"kiosk": False}, "pages": pages("zh_CN")}), url,
                   clock=lambda: C.T0 + timedelta(minutes=10))
    by_grid = {}
    for inc in C.incidents("zh_CN"):
        by_grid.setdefault(inc.grid_id, set()).add(inc.id)

    async def run() -> None:
        await wall.start(show=False)
        desk = ConsoleWindow(WallConsoleControl(wall))
        try:
            desk.search_grid.setText("第1网格")
            assert await desk.search() == len(by_grid[C.grid_id(1)])
            assert {desk.search_model.data(desk.search_model.index(r, 3))
                    for r in range(desk.search_model.rowCount())} == {"第1网格（幸福社区）"}
            desk.search_grid.setText("和平社区， " + C.grid_id(1))       # a community's grids, and a code
            found = {desk.search_model.id_at(r) for r in range(await desk.search())}
            assert found == set().union(*(by_grid[C.grid_id(n)] for n in (1, 4, 5, 6)))
            desk.search_grid.setText("没有这个网格")                       # a name of no grid finds nothing
            assert await desk.search() == 0
        finally:
            desk.close_quietly()
            await wall.stop()

    qloop.run_until_complete(run())
