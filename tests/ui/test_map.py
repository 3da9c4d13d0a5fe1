"""The grid map tile (issue 6.5): load colours, click → detail signals, alerts, zoom-dependent labels, zoom/pan."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import dataclasses  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QRect, Qt  # noqa: E402
from PySide6.QtGui import QFontDatabase  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from commandcenter.domain import AlertLevel, AlertStatus, Severity, Status, TerritoryLevel  # noqa: E402
from commandcenter.ui import theme  # noqa: E402
from commandcenter.ui.map import GridMap  # noqa: E402
from commandcenter.ui.resources import FONT_FILE  # noqa: E402
from commandcenter.ui.map.cells import load_step, step_label  # noqa: E402
from commandcenter.ui.map.labels import GRID_LABEL_MAX_VISIBLE  # noqa: E402
from commandcenter.ui.map.markers import MAX_INCIDENT_MARKERS  # noqa: E402

from tests.support import map_data as F  # noqa: E402
from tests.support import subprocess_env  # noqa: E402

FONT = FONT_FILE


@pytest.fixture(scope="module")
def nodes():
    return F.city(1000, n_districts=3)


@pytest.fixture(scope="module")
def cjk_font(qapp):
    """The wall's CJK font, as the app registers it, so Chinese labels render as real glyphs."""
    assert QFontDatabase.addApplicationFont(str(FONT)) >= 0


@pytest.fixture
def gmap(qtbot, nodes, cjk_font):
    m = GridMap()
    qtbot.addWidget(m)
    m.resize(1400, 800)
    m.show()
    qtbot.waitExposed(m)
    m.set_territory(nodes)
    qtbot.wait(10)
    return m


def click_at(qtbot, m: GridMap, lon: float, lat: float) -> None:
    pt = m.map_to_widget(lon, lat)
    QTest.mouseClick(m.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(pt.x()), round(pt.y())))


def test_load_steps_follow_the_theme_breaks():
    assert [load_step(n) for n in (0, 1, 2, 3, 4, 6, 7, 10, 11, 500)] == [0, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [step_label(s) for s in range(6)] == ["0", "1", "2–3", "4–6", "7–10", "≥11"]


def test_set_load_recolours_each_grid(gmap, nodes):
    gs = F.grids(nodes)
    assert gmap.geo.count == 1000
    load = {gs[0].id: 0, gs[1].id: 1, gs[2].id: 3, gs[3].id: 5, gs[4].id: 8, gs[5].id: 40, "NOT-A-GRID": 9}
    gmap.set_load(load)
    for g, step in zip(gs[:6], range(6), strict=False):
        assert gmap.cells.step_of(g.id) == step
        assert gmap.cells.colour_of(g.id) == theme.LOAD_RAMP[step]
    assert gmap.cells.step_of(gs[6].id) == 0          # absent from the dict: no open events
    assert gmap.cells.step_counts() == [995, 1, 1, 1, 1, 1]
    assert "995 个网格" in dict(gmap.legend.rows())["step0"].replace(",", "")
    # the pixels show it: the raster under grid 5's centre is grid 5, drawn in the top ramp colour
    img = gmap.plot.grab().toImage()
    for g, step in ((gs[5], 5), (gs[2], 2), (gs[6], 0)):
        pt = gmap.map_to_widget(*F.centre(g))
        x, y = round(pt.x()), round(pt.y())
        assert gmap.cells.code_at_pixel(x, y) == gmap.geo.index[g.id]
        assert img.pixelColor(x, y).rgb() == theme.LOAD_RAMP[step].rgb()
    # recolour again: grid 5 drops to 0, grid 0 rises to step 2, on screen too
    gmap.set_load({gs[0].id: 2})
    assert gmap.cells.step_of(gs[5].id) == 0 and gmap.cells.step_of(gs[0].id) == 2
    img = gmap.plot.grab().toImage()
    for g, step in ((gs[5], 0), (gs[0], 2)):
        pt = gmap.map_to_widget(*F.centre(g))
        assert img.pixelColor(round(pt.x()), round(pt.y())).rgb() == theme.LOAD_RAMP[step].rgb()


def test_raster_has_boundaries_and_follows_the_view(gmap, nodes):
    gmap.plot.grab()
    n = gmap.geo.count
    codes = gmap.cells._index
    vp = gmap.plot.viewport()
    assert codes.shape[0] <= vp.height() and codes.shape[1] <= vp.width()
    area = gmap.cells._index_t.mapRect(gmap.geo.bounds())   # the raster covers the whole territory
    assert area.left() >= 0 and area.top() >= 0 and area.right() <= codes.shape[1] and area.bottom() <= codes.shape[0]
    present = set(np.unique(codes).tolist())
    assert {n, n + 2, n + 3} <= present                 # background, street and district lines
    assert len([c for c in present if c < n]) > 0.95 * n  # nearly every grid owns pixels at full view
    for g in F.grids(nodes)[::97]:                      # indices above 255 too (two-pass encoding)
        pt = gmap.map_to_widget(*F.centre(g))
        assert gmap.cells.code_at_pixel(round(pt.x()), round(pt.y())) == gmap.geo.index[g.id]
    builds = gmap.cells.raster_builds
    gmap.zoom_by(3)
    gmap.plot.grab()
    assert gmap.cells.raster_builds == builds + 1        # console zoom: rebuilt at once
    gmap.plot.grab()
    assert gmap.cells.raster_builds == builds + 1        # no change: cached


def test_click_on_grid_centre_emits_grid_clicked(qtbot, gmap, nodes):
    g = F.grids(nodes)[437]
    with qtbot.waitSignal(gmap.grid_clicked, timeout=2000) as sig:
        click_at(qtbot, gmap, *F.centre(g))
    assert sig.args == [g.id]


def test_click_on_marker_emits_incident_clicked(qtbot, gmap, nodes):
    gs = F.grids(nodes)
    lon, lat = F.centre(gs[222])
    inc = F.incident(1, gs[222], Severity.CRITICAL, at=(lon + F.CELL / 5, lat))
    gmap.set_incidents([inc, F.incident(2, gs[700], Severity.LOW)])
    qtbot.wait(10)
    grids = []
    gmap.grid_clicked.connect(grids.append)
    with qtbot.waitSignal(gmap.incident_clicked, timeout=2000) as sig:
        click_at(qtbot, gmap, lon + F.CELL / 5, lat)
    assert sig.args == ["E00001"]
    assert grids == []                                  # the marker wins over the grid beneath it


def test_resource_marker_and_alert_clicks(qtbot, gmap, nodes):
    gs = F.grids(nodes)
    res = F.resources(nodes, 4)
    gmap.set_resources(res)
    with qtbot.waitSignal(gmap.resource_clicked, timeout=2000) as sig:
        click_at(qtbot, gmap, res[1].lon, res[1].lat)
    assert sig.args == [res[1].id]

    lon, lat = F.centre(gs[300])
    gmap.set_alerts([F.alert("A1", F.box(lon, lat, 0.03, 0.02), AlertLevel.ORANGE)])
    qtbot.wait(10)
    with qtbot.waitSignal(gmap.alert_clicked, timeout=2000) as sig:
        click_at(qtbot, gmap, lon, lat + 0.01)             # on the west edge of the alert area
    assert sig.args == ["A1"]
    # inside the area, away from its edge, the grid under it is what a click selects
    with qtbot.waitSignal(gmap.grid_clicked, timeout=2000):
        click_at(qtbot, gmap, lon + 0.015, lat + 0.01)


def test_alert_polygons_present_and_drawn(qtbot, gmap, nodes):
    lon, lat = F.centre(F.grids(nodes)[300])
    alerts = [F.alert("A1", F.box(lon, lat, 0.03, 0.02), AlertLevel.RED),
              F.alert("A2", F.box(lon - 0.05, lat, 0.02, 0.02), AlertLevel.BLUE)]
    gmap.set_alerts(alerts)
    assert gmap.alerts.ids() == ["A2", "A1"]             # most severe drawn last, on top
    red = gmap.alerts.shapes[1]
    assert red.path.contains(gmap.geo.proj.point(lon + 0.015, lat + 0.01))
    assert red.badge_text.startswith(theme.ALERT_SYMBOLS[AlertLevel.RED])
    assert gmap.legend.alerts == 2
    gmap.set_alerts(alerts + [dataclasses.replace(alerts[0], id="A3", status=AlertStatus.CANCELLED)])
    assert gmap.alerts.ids() == ["A2", "A1"]             # a cancelled alert is not drawn
    # inside the red area a sparse hatch shows the warning, and the grids' load colours stay as they are under most
    # of it (issue 19: a district-wide red warning must not tint every grid)
    pt = gmap.map_to_widget(lon + 0.015, lat + 0.0105)
    patch = [(round(pt.x()) + dx, round(pt.y()) + dy) for dx in range(-8, 8) for dy in range(-8, 8)]
    img = gmap.plot.grab().toImage()
    gmap.set_alerts([])
    img2 = gmap.plot.grab().toImage()
    with_alert = [img.pixelColor(x, y) for x, y in patch]
    without = [img2.pixelColor(x, y) for x, y in patch]
    changed = [a for a, b in zip(with_alert, without, strict=True) if a != b]
    assert changed and all(a.red() > a.blue() for a in changed)          # the hatch, in the warning's red
    assert len(changed) <= 0.3 * len(patch)                               # the load colour under most of it


def test_labels_appear_only_when_zoomed_in(qtbot, gmap, nodes):
    gmap.plot.grab()
    assert gmap.labels.drawn["grid"] == []              # 1,000 grids in view: no grid names
    assert len(gmap.labels.drawn["district"]) == 3
    gmap.zoom_to(F.grids(nodes)[500].id)
    gmap.plot.grab()
    drawn = gmap.labels.drawn["grid"]
    assert F.grids(nodes)[500].id in drawn
    assert 0 < len(drawn) <= GRID_LABEL_MAX_VISIBLE
    gmap.reset_view()
    gmap.plot.grab()
    assert gmap.labels.drawn["grid"] == []


def test_zoom_and_pan_change_the_view(qtbot, gmap, nodes):
    r0 = gmap.view_rect()
    assert r0.contains(gmap.geo.bounds().center())
    gmap.zoom_by(2.0)
    r1 = gmap.view_rect()
    assert r1.width() == pytest.approx(r0.width() / 2, rel=0.02)
    assert r1.center().x() == pytest.approx(r0.center().x(), abs=r0.width() * 0.01)
    gmap.pan_by(0.25, -0.5)
    r2 = gmap.view_rect()
    assert r2.center().x() - r1.center().x() == pytest.approx(0.25 * r1.width(), rel=0.02)
    assert r2.center().y() - r1.center().y() == pytest.approx(-0.5 * r1.height(), rel=0.02)
    assert gmap.zoom_to("D1S2")                         # a street
    street = gmap.geo.node_rect("D1S2")
    r3 = gmap.view_rect()
    assert r3.contains(street) and r3.width() < r0.width() / 2
    assert not gmap.zoom_to("nope")
    gmap.reset_view()
    assert gmap.view_rect().width() == pytest.approx(r0.width(), rel=0.02)


def test_boundaries_are_unions_of_child_grids(gmap, nodes):
    b = gmap.geo.boundaries()
    # 3 districts side by side in a w×h block: the district outlines are the city outline plus 2 internal
    # dividers; every segment lies on the city outline or a district divider, none inside a district
    xs = b.xs[TerritoryLevel.DISTRICT]
    assert len(xs) % 2 == 0 and len(xs) > 0
    assert len(xs) < len(gmap.geo.vx) / 4                 # far fewer than all grid edges
    assert TerritoryLevel.STREET in b.xs and len(b.xs[TerritoryLevel.STREET]) > len(xs)


def test_incident_markers_capped_most_severe_first(gmap, nodes):
    incs = F.incidents(nodes, MAX_INCIDENT_MARKERS + 300)
    gmap.set_incidents(incs)
    shown = set(gmap.incidents.ids)
    assert len(shown) == MAX_INCIDENT_MARKERS
    dropped = [i for i in incs if i.id not in shown]
    assert max(i.severity for i in dropped) <= min(i.severity for i in incs if i.id in shown)
    assert " / " in [t for k, t in gmap.legend.rows() if t.startswith("事件标记")][0]


def test_feed_text_is_plain(qtbot, gmap, nodes):
    lon, lat = F.centre(F.grids(nodes)[10])
    a = F.alert("A9", F.box(lon, lat, 0.01, 0.01))
    a = dataclasses.replace(a, title="<img src='/etc/passwd'><b>x</b>\n second")
    gmap.set_alerts([a])
    text = gmap.alerts.shapes[0].badge_text
    assert "\n" not in text and text.startswith(theme.ALERT_SYMBOLS[a.level])
    gmap.plot.grab()                                      # paints with PlainText static text


def test_snapshot_png(qtbot, gmap, nodes, tmp_path):
    """A rendered map with everything on it, for a person to look at (saved under /tmp)."""
    rnd = random.Random(1)
    gmap.set_load(F.random_load(nodes, rnd))
    gmap.set_incidents(F.incidents(nodes, 60))
    lon, lat = F.centre(F.grids(nodes)[300])
    gmap.set_alerts([F.alert("A1", F.box(lon, lat, 0.03, 0.02), AlertLevel.ORANGE)])
    gmap.set_resources(F.resources(nodes, 12))
    out = Path(os.environ.get("MAP_SNAPSHOT_DIR", "/tmp")) / "map_snapshot.png"
    img = gmap.grab()
    assert img.save(str(out))
    assert img.width() == 1400


def test_marker_shapes_and_drill_outline(gmap, nodes):
    gs = F.grids(nodes)
    incs = [F.incident(i, gs[10 * i], sev) for i, sev in enumerate(Severity)]
    incs.append(F.incident(9, gs[99], Severity.HIGH, drill_id="D-1"))
    gmap.set_incidents(incs)
    for inc in incs[:4]:
        style = gmap.incidents.style_of(inc.id)
        assert style.symbol == theme.MAP_SEVERITY_MARKERS[inc.severity]
        assert style.brush.color().rgb() == theme.SEVERITY_COLOURS[inc.severity].rgb()
    assert len({theme.MAP_SEVERITY_MARKERS[s] for s in Severity}) == 4      # shape alone tells severity
    assert gmap.incidents.style_of("E00009").pen.color().rgb() == theme.DRILL.rgb()
    assert gmap.incidents.style_of("E00009").size > theme.MAP_SEVERITY_SIZES[Severity.HIGH]
    assert gmap.incidents.style_of("E00001").pen.color().rgb() != theme.DRILL.rgb()
    closed = dataclasses.replace(incs[0], status=Status.CLOSED)
    gmap.set_incidents([closed])
    assert gmap.incidents.ids == []                                         # only open incidents


def test_markers_are_painted_in_their_severity_colour_where_their_incident_is(gmap, nodes):
    """The markers are painted from arrays (one atlas fragment each): the pixel at each incident's place is its
    severity's fill, a drill's outline ring is the drill colour, and the worst severity is drawn on top."""
    gs = F.grids(nodes)
    incs = [F.incident(i, gs[40 * i + 5], sev) for i, sev in enumerate(Severity)]
    drill = F.incident(9, gs[333], Severity.MEDIUM, drill_id="D-1")
    under = F.incident(10, gs[40 * 3 + 5], Severity.LOW)                 # same place as the critical one
    gmap.set_incidents(incs + [drill, under])
    img = gmap.plot.grab().toImage()
    for inc in incs + [drill]:
        pt = gmap.map_to_widget(*F.centre(next(g for g in gs if g.id == inc.grid_id)))
        assert img.pixelColor(round(pt.x()), round(pt.y())).rgb() == theme.SEVERITY_COLOURS[inc.severity].rgb()
    pt = gmap.map_to_widget(*F.centre(gs[333]))
    ring = [img.pixelColor(round(pt.x()) + dx, round(pt.y())).rgb() for dx in range(4, 10)]
    assert theme.DRILL.rgb() in ring
    assert gmap.zoom_to(gs[40 * 3 + 5].id)              # zoomed in: markers keep their pixel size and place
    gmap.labels.setVisible(False)                       # (zoomed in, the grid's name is written over its centre)
    img = gmap.plot.grab().toImage()
    pt = gmap.map_to_widget(*F.centre(gs[40 * 3 + 5]))
    assert img.pixelColor(round(pt.x()), round(pt.y())).rgb() == theme.SEVERITY_COLOURS[Severity.CRITICAL].rgb()


def test_mouse_pan_stretches_the_old_raster_then_rebuilds(qtbot, gmap):
    gmap.plot.grab()
    builds = gmap.cells.raster_builds
    gmap.viewbox.translateBy(x=gmap.view_rect().width() * 0.1)
    gmap.viewbox.sigRangeChangedManually.emit([True, True])                 # as a mouse drag does
    gmap.plot.grab()
    assert gmap.cells.raster_builds == builds                               # stale raster, stretched
    qtbot.waitUntil(lambda: gmap.cells.raster_builds == builds + 1, timeout=3000)


def test_empty_and_unknown_inputs(qtbot):
    m = GridMap()
    qtbot.addWidget(m)
    m.resize(600, 400)
    m.set_territory([])
    m.set_load({"X": 3})
    m.set_incidents([])
    m.set_alerts([])
    m.set_resources([])
    assert not m.zoom_to("X")
    m.grab()
    assert m.hit_test(0.0, 0.0) is None


def test_with_the_simulator_city(qtbot):
    """The simulator's own 'street' profile city (every node has its own rectangle polygon)."""
    territory = pytest.importorskip("commandcenter.sim.territory")
    city = territory.generate("street", 1)
    nodes = list(city.nodes.values())
    m = GridMap()
    qtbot.addWidget(m)
    m.resize(900, 700)
    m.show()
    qtbot.waitExposed(m)
    m.set_territory(nodes)
    grids = [n for n in nodes if n.level is TerritoryLevel.GRID]
    assert m.geo.count == len(grids) == 197
    m.set_load({grids[0].id: 12})
    assert m.cells.step_of(grids[0].id) == 5
    g = grids[50]
    lon, lat = city.centre(g.id)
    with qtbot.waitSignal(m.grid_clicked, timeout=2000) as sig:
        click_at(qtbot, m, lon, lat)
    assert sig.args == [g.id]
    assert m.zoom_to(city.root.id)


def test_unchanged_records_are_not_redrawn(gmap, nodes):
    incs = F.incidents(nodes, 20)
    gmap.set_incidents(incs)
    fills = gmap.incidents.item.fills
    gmap.set_incidents(list(incs))                                          # same ids and versions
    assert gmap.incidents.item.fills == fills
    gmap.set_incidents([dataclasses.replace(incs[0], version=2, severity=Severity.CRITICAL)] + incs[1:])
    assert gmap.incidents.item.fills == fills + 1
    assert gmap.incidents.shown_by_severity[Severity.CRITICAL] >= 1


HIDPI_SCRIPT = r'''
from PySide6.QtWidgets import QApplication
app = QApplication([])
from tests.support import map_data as F
from commandcenter.ui.map import GridMap
from commandcenter.ui import theme
nodes = F.city(400, 2); gs = F.grids(nodes)
m = GridMap(); m.resize(900, 600); m.show(); app.processEvents()
m.set_territory(nodes); m.set_load({gs[100].id: 20, gs[101].id: 1}); app.processEvents()
img = m.plot.grab().toImage()
assert img.devicePixelRatio() == 2.0, img.devicePixelRatio()
for g, step in ((gs[100], 5), (gs[101], 1), (gs[300], 0)):
    pt = m.map_to_widget(*F.centre(g))
    assert m.cells.code_at_pixel(round(pt.x()), round(pt.y())) == m.geo.index[g.id], g.id
    assert img.pixelColor(round(pt.x() * 2), round(pt.y() * 2)).rgb() == theme.LOAD_RAMP[step].rgb(), g.id
print("hidpi ok")
'''


def test_hidpi_raster_is_built_in_physical_pixels():
    """At a device pixel ratio of 2 the raster has physical resolution and pixels still map to the right grid."""
    import subprocess
    env = subprocess_env(QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2")
    out = subprocess.run([sys.executable, "-c", HIDPI_SCRIPT], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "hidpi ok" in out.stdout


def test_legend_fits_the_tile_height(qtbot, nodes):
    for h in (450, 700, 1400):          # below ~400 px even 7 pt does not fit: the key is clipped
        m = GridMap()
        qtbot.addWidget(m)
        m.resize(1000, h)
        m.show()
        qtbot.waitExposed(m)
        m.set_territory(nodes)
        assert m.legend.sizeHint().height() <= h
        qtbot.waitUntil(lambda: m.legend.width() >= m.legend.sizeHint().width() - 1, timeout=2000)  # relaid out


# --- painting at wall size (issue 9): the background around the raster, run-length recolour, marker cache ---
MAGENTA = 0xFFFF00FF


def render_plot(m: GridMap):
    """The plot viewport rendered into an image pre-filled with magenta: any pixel nobody painted stays magenta."""
    from PySide6.QtGui import QImage

    vp = m.plot.viewport()
    img = QImage(vp.size(), QImage.Format.Format_ARGB32)
    img.fill(MAGENTA)
    vp.render(img)
    return img


def magenta_pixels(img) -> int:
    bits = np.frombuffer(img.constBits(), dtype=np.uint32, count=img.width() * img.height())
    return int((bits == MAGENTA).sum())


def test_every_viewport_pixel_is_painted_around_and_under_the_raster(gmap):
    # the viewport is opaque and its background is painted only around the grid raster: nothing may be left
    img = render_plot(gmap)
    assert magenta_pixels(img) == 0
    assert img.pixel(2, 2) == theme.BACKGROUND.rgba()       # outside the territory: the background colour
    # panned by the mouse, the old raster is drawn stretched and the background follows its new place
    gmap.viewbox.translateBy(x=gmap.view_rect().width() * 0.3, y=gmap.view_rect().height() * 0.2)
    gmap.viewbox.sigRangeChangedManually.emit([True, True])
    assert magenta_pixels(render_plot(gmap)) == 0
    gmap.zoom_by(0.3)                                         # far out: the territory small in the middle
    assert magenta_pixels(render_plot(gmap)) == 0
    gmap.cells.setVisible(False)                              # no raster: the whole viewport is background
    img = render_plot(gmap)
    assert magenta_pixels(img) == 0 and img.pixel(img.width() // 2, img.height() // 2) == theme.BACKGROUND.rgba()


def test_recolour_at_4k_keeps_every_grid_colour_correct(qtbot, cjk_font):
    nodes = F.city(6098, n_districts=5, streets_per_district=4)
    m = GridMap()
    qtbot.addWidget(m)
    m.resize(3840, 2160)
    m.show()
    m.set_territory(nodes)
    m.labels.setVisible(False)            # the names (sized for the room) would cover some of the sampled centres
    rnd = random.Random(5)
    for _ in range(2):
        load = F.random_load(nodes, rnd)
        m.set_load(load)
        img = render_plot(m)
        # the run-length recolour equals a per-pixel lookup of the index raster
        assert np.array_equal(m.cells._rgb, np.take(m.cells._lut, m.cells._index))
        for g in rnd.sample(F.grids(nodes), 40):
            pt = m.map_to_widget(*F.centre(g))
            assert img.pixel(round(pt.x()), round(pt.y())) == theme.LOAD_RAMP[load_step(load.get(g.id, 0))].rgba()


def test_markers_are_cached_only_while_the_cached_image_fits_the_pixmap_cache(qtbot, cjk_font):
    from PySide6.QtGui import QPixmapCache
    from PySide6.QtWidgets import QGraphicsItem

    m = GridMap()
    qtbot.addWidget(m)
    m.resize(1400, 800)
    m.show()
    assert m.incidents.item.cacheMode() is QGraphicsItem.CacheMode.DeviceCoordinateCache
    limit_px = QPixmapCache.cacheLimit() * 1024 // 4
    m.resize(round(limit_px ** 0.5 * 1.5), round(limit_px ** 0.5 * 1.5))   # a viewport-sized image would not fit
    assert m.incidents.item.cacheMode() is QGraphicsItem.CacheMode.NoCache
    assert m.resources.item.cacheMode() is QGraphicsItem.CacheMode.NoCache
    m.resize(1400, 800)
    assert m.incidents.item.cacheMode() is QGraphicsItem.CacheMode.DeviceCoordinateCache


def test_the_legend_speaks_the_wall_language(qapp):
    from PySide6.QtCore import QLocale

    from commandcenter.ui.map.legend import MapLegend
    from commandcenter.ui.resources import install_language

    def legend() -> MapLegend:
        lg = MapLegend()
        lg.step_counts = [1200, 3, 0, 0, 0, 0]
        lg.alerts = 2
        return lg

    before = QLocale()
    rows = legend().rows()
    assert rows[0] == ("title", "每网格在办事件数")                            # Chinese first
    assert dict(rows)["step0"].endswith("个网格") and ("drill", "演练（虚线框）") in rows
    try:
        assert install_language("en")
        rows = legend().rows()
        assert rows[0] == ("title", "Open events / grid")
        assert dict(rows)["step0"] == "0    1,200 grids"
        assert ("drill", "Drill (outlined)") in rows and ("title", "Public warnings (2)") in rows
        assert dict(rows)["rst-available"] == "Available"                 # domain names through ui.labels
    finally:
        install_language("zh_CN")
        QLocale.setDefault(before)


def test_the_map_keeps_its_width_as_the_legend_counts_grow(qtbot, gmap, nodes):
    # a legend widening with each new digit resized the map (a new grid raster) again and again during a burst
    qtbot.wait(20)
    legend_w, plot_w, builds = gmap.legend.width(), gmap.plot.width(), gmap.cells.raster_builds
    gs = F.grids(nodes)
    gmap.set_load({g.id: 30 for g in gs})                  # every grid in the top step: "1,000 个网格"
    gmap.set_incidents(F.incidents(nodes, 2500))           # "事件标记（2,000 / 2,500）"
    gmap.legend.alerts = 120
    gmap.set_resources(F.resources(nodes, 40))
    qtbot.wait(50)                                          # any relayout done
    assert gmap.legend.width() == legend_w and gmap.plot.width() == plot_w
    gmap.plot.grab()
    assert gmap.cells.raster_builds == builds
    assert "1000 个网格" in dict(gmap.legend.rows())["step5"].replace(",", "")


def test_labels_are_placed_once_per_view_and_redrawn_as_placed(qtbot, gmap, nodes):
    # a recolour (twice a second in a burst) redraws the names where they were; a zoom places them again
    gs = F.grids(nodes)
    assert gmap.zoom_to(gs[400].id)                        # zoomed in far enough for grid names
    gmap.plot.grab()
    placed, drawn = gmap.labels.placements_made, list(gmap.labels.drawn["grid"])
    assert gs[400].id in drawn
    gmap.set_load({gs[400].id: 12})
    img = gmap.plot.grab().toImage()
    assert gmap.labels.placements_made == placed and gmap.labels.drawn["grid"] == drawn
    pt = gmap.map_to_widget(*F.centre(gs[400]))
    area = QRect(round(pt.x()) - 15, round(pt.y()) - 6, 30, 12)
    gmap.labels.setVisible(False)
    bare = gmap.plot.grab().toImage()
    gmap.labels.setVisible(True)
    assert img.copy(area) != bare.copy(area)               # the name is still written over the grid
    gmap.zoom_by(0.5)
    gmap.plot.grab()
    assert gmap.labels.placements_made == placed + 1


def test_the_markers_shown_are_the_most_severe_then_the_most_recent(gmap, nodes):
    from datetime import timedelta

    rnd = random.Random(7)
    incs = [dataclasses.replace(i, reported_at=i.reported_at - timedelta(minutes=rnd.randrange(600)))
            for i in F.incidents(nodes, MAX_INCIDENT_MARKERS + 700)]
    unplaced = dataclasses.replace(incs[0], id="NOWHERE", grid_id="NOT-A-GRID", lon=None, lat=None,
                                   severity=Severity.CRITICAL)
    closed = dataclasses.replace(incs[1], id="CLOSED", status=Status.CLOSED, severity=Severity.CRITICAL)
    gmap.set_incidents(incs + [unplaced, closed])
    expected = sorted(incs, key=lambda i: (i.severity, i.reported_at), reverse=True)[:MAX_INCIDENT_MARKERS]
    assert gmap.incidents.ids == [i.id for i in reversed(expected)]         # worst drawn last, on top
    assert gmap.incidents.total == len(incs)                                 # open incidents with a place


def test_a_name_at_the_edge_of_the_view_is_moved_inside_it_not_cut(qtbot, gmap, nodes):
    target = F.grids(nodes)[400].id
    assert gmap.zoom_to(target)
    k = list(gmap.geo.ids).index(target)
    r = gmap.view_rect()                                   # the grid's centre just inside the view's west edge
    gmap.viewbox.translateBy(x=gmap.geo.cx[k] - r.left() - 0.02 * r.width(), y=0)
    gmap.plot.grab()
    assert target in gmap.labels.drawn["grid"]
    vb = gmap.viewbox
    view = vb.mapViewToDevice(vb.viewRect()).boundingRect()
    boxes = {nid: box for (_f, _p, placed), kind in zip(gmap.labels._placements, ("grid", "street"), strict=False)
             for (_k, _tl, box, _st), nid in zip(placed, gmap.labels.drawn[kind], strict=False)}
    assert all(view.adjusted(-0.5, -0.5, 0.5, 0.5).contains(box) for box in boxes.values())
    assert abs(boxes[target].left() - view.left()) < 1     # centred on its grid it would have started off-screen


def test_the_legend_repaints_changed_counts_over_its_kept_symbols_as_a_fresh_legend_draws_them(qtbot):
    # the key's symbols and count-free rows are kept in a pixmap; a flush that changes the marker, resource and
    # alert counts (every flush of a busy wall) draws only the rows holding a count over it
    from PySide6.QtGui import QImage

    from commandcenter.domain import ResourceKind
    from commandcenter.ui.map.legend import MapLegend

    def legend(n: int) -> MapLegend:
        lg = MapLegend()
        qtbot.addWidget(lg)
        lg.resize(lg.sizeHint())
        lg.step_counts = [1200 + n, 3 * n, n, 0, 0, 1]
        lg.incidents_total, lg.incidents_shown = 40 + n, {Severity.HIGH: 2 + n, Severity.LOW: 30}
        lg.resources_by_kind, lg.alerts = {ResourceKind.TEAM: 4 + n}, 2 + n
        return lg

    def render(lg: MapLegend) -> QImage:
        image = QImage(lg.size(), QImage.Format.Format_ARGB32_Premultiplied)
        lg.render(image)
        return image

    kept = legend(0)
    render(kept)
    pixmap = kept._static
    fresh = legend(7)
    kept.step_counts, kept.incidents_total, kept.incidents_shown = (fresh.step_counts, fresh.incidents_total,
                                                                    fresh.incidents_shown)
    kept.resources_by_kind, kept.alerts = fresh.resources_by_kind, fresh.alerts
    assert render(kept) == render(fresh)
    assert kept._static is pixmap                  # the symbols were not drawn again
