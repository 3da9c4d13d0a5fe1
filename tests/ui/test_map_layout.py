"""The map fills its tile (the key moves under it in a tall tile), names stay off markers and off each other, and
alert badges never cover one another."""
from __future__ import annotations


import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontDatabase, QTransform
from PySide6.QtWidgets import QBoxLayout

from commandcenter.domain import AlertLevel
from commandcenter.ui.map import GridMap
from commandcenter.ui.map.legend import LegendEntry, section_name, sections
from commandcenter.ui.resources import FONT_FILE as FONT
from tests.support import map_data as F



@pytest.fixture(scope="module")
def cjk_font(qapp):
    assert QFontDatabase.addApplicationFont(str(FONT)) >= 0


def shown(qtbot, nodes, w: int, h: int) -> GridMap:
    m = GridMap()
    qtbot.addWidget(m)
    m.resize(w, h)
    m.show()
    qtbot.waitExposed(m)
    m.set_territory(nodes)
    qtbot.wait(20)
    m.plot.grab()
    return m


def drawn_territory(m: GridMap) -> QRectF:
    """The territory's bounds in the plot viewport's pixels."""
    t = m.cells.sceneTransform() * m.plot.viewportTransform()
    return t.mapRect(m.geo.bounds())


@pytest.mark.parametrize(("w", "h", "below"), [(640, 1400, True), (1800, 700, False), (1300, 1380, True)])
def test_the_territory_fills_the_tile(qtbot, cjk_font, w: int, h: int, below: bool):
    """A wide territory in a tall tile (the 2×2 example's one-third column) gets the key under it and the tile's
    width; in a wide tile the key sits beside it and the territory takes the height."""
    nodes = F.city(1000, n_districts=3)               # wider than tall
    m = shown(qtbot, nodes, w, h)
    assert (m._box.direction() is QBoxLayout.Direction.TopToBottom) is below
    vp = m.plot.viewport()
    r = drawn_territory(m)
    scale = min(vp.width() / r.width(), vp.height() / r.height())
    assert scale < 1 / 0.9                           # fit: the limiting side spans ≥ 90 % of the map's area
    assert m.legend.isVisible() and m.legend.height() <= h and m.legend.width() <= w
    if h > 2 * w:                                    # the one-third column: the tile's whole width
        assert r.width() >= 0.9 * w


def test_grid_names_stay_off_markers(qtbot, cjk_font):
    nodes = F.city(120, n_districts=2, streets_per_district=2)
    m = shown(qtbot, nodes, 1400, 1000)
    incidents = F.incidents(nodes, 60)
    m.set_incidents(incidents)
    m.set_resources(F.resources(nodes, 12))
    m.plot.grab()
    placed = [box for _, _, boxes in m.labels._placements for kind, _, box, _ in boxes]
    grid_names = [box for _, _, boxes in m.labels._placements for kind, _, box, _ in boxes if kind == "grid"]
    assert len(m.labels.drawn["grid"]) > 20          # zoomed in enough for grid names
    t: QTransform = m.labels.sceneTransform() * m.plot.viewportTransform()
    markers = [t.map(m.geo.proj.point(i.lon, i.lat)) for i in incidents]
    markers += [t.map(m.geo.proj.point(r.lon, r.lat)) for r in F.resources(nodes, 12)]
    for pt in markers:
        assert not any(box.contains(pt) for box in grid_names), "a grid name drawn over a marker"
    for i, a in enumerate(placed):                   # and no two names on each other
        assert not any(a.intersects(b) for b in placed[i + 1:])


def test_alert_badges_never_cover_each_other(qtbot, cjk_font):
    nodes = F.city(200, n_districts=2)
    m = shown(qtbot, nodes, 900, 700)
    lon, lat = F.centre(F.grids(nodes)[50])
    alerts = [F.alert(f"A{i}", F.box(lon + i * 0.0005, lat, 0.02, 0.02), level) for i, level in
              enumerate([AlertLevel.RED, AlertLevel.ORANGE, AlertLevel.YELLOW, AlertLevel.BLUE, AlertLevel.ORANGE])]
    m.set_alerts(alerts)
    m.plot.grab()
    t = m.alerts.sceneTransform() * m.plot.viewportTransform()
    view = QRectF(m.plot.viewport().rect())
    badges = list(m.alerts.badge_rects(t, view).values())
    assert len(badges) == 5
    for i, a in enumerate(badges):
        assert view.contains(a)                      # whole, inside the map
        assert not any(a.intersects(b) for b in badges[i + 1:])
    # a click on each badge selects its own alert
    for aid, rect in m.alerts.badge_rects(t, view).items():
        inv, _ = t.inverted()
        p = inv.map(rect.center())
        assert m.alerts.hit(p.x(), p.y()) == aid


def test_markers_grow_with_the_wall_and_the_room_and_stay_clickable(qtbot, cjk_font):
    from commandcenter.domain.legibility import Room
    from commandcenter.ui import theme

    nodes = F.city(300, n_districts=2)
    small = shown(qtbot, nodes, 1200, 800)
    assert small.incidents.item.scale == 1.0
    try:
        theme.set_room(Room(distance_m=7.5))
        farther = shown(qtbot, nodes, 1920, 1080)      # read from half as far again: markers half as large again
        assert farther.incidents.item.scale == farther.marker_scale == pytest.approx(1.5)
    finally:
        theme.set_room(Room())
    big = shown(qtbot, nodes, 3840, 2160)              # a 4K wall window
    assert big.incidents.item.scale == pytest.approx(2.0)
    inc = F.incidents(nodes, 30)
    big.set_incidents(inc)
    big.plot.grab()
    px_w, px_h = big.viewbox.viewPixelSize()
    style = big.incidents.style_of(inc[0].id)
    assert style is not None
    x, y = big.geo.proj.xy(inc[0].lon, inc[0].lat)
    # a click just inside the doubled marker's edge still selects it
    reach = style.size * 2 / 2 - 1
    hit = big.incidents.hit(float(x) + reach * px_w, float(y), px_w, px_h)
    assert hit is not None


def test_names_keep_off_alert_badges_and_a_farther_seat_shows_fewer_larger_names(qtbot, cjk_font):
    """Priority: the warnings' badges are placed first and no name covers one; where larger type (a seat farther
    from the wall) leaves no room, fewer names are drawn, never smaller ones."""
    from commandcenter.domain.legibility import Room
    from commandcenter.ui import theme

    nodes = F.city(120, n_districts=2, streets_per_district=2)
    drawn: dict[float, tuple[int, int]] = {}
    try:
        for distance in (3.0, 6.0):
            theme.set_room(Room(distance_m=distance, diagonal_inches=98.0))
            m = shown(qtbot, nodes, 1400, 1000)
            lon, lat = F.centre(F.grids(nodes)[60])
            m.set_alerts([F.alert(f"A{i}", F.box(lon + i * 0.002, lat, 0.01, 0.01), level) for i, level in
                          enumerate([AlertLevel.RED, AlertLevel.ORANGE, AlertLevel.YELLOW])])
            m.set_incidents(F.incidents(nodes, 40))
            m.plot.grab()
            t = m.labels.sceneTransform() * m.plot.viewportTransform()
            badges = list(m.alerts.badge_rects(t, QRectF(m.plot.viewport().rect())).values())
            names = [box for _, _, boxes in m.labels._placements for _, _, box, _ in boxes]
            assert len(badges) == 3 and names
            for name in names:
                assert not any(name.intersects(b) for b in badges), "a name over a warning's badge"
            for i, a in enumerate(names):
                assert not any(a.intersects(b) for b in names[i + 1:])
            drawn[distance] = (m.labels.font_px["grid"], len(m.labels.drawn["grid"]))
    finally:
        theme.set_room(Room())
    (near_px, near_n), (far_px, far_n) = drawn[3.0], drawn[6.0]
    assert far_px > near_px and far_n < near_n


def test_a_key_without_room_for_all_keeps_what_the_map_shows_warnings_first(qtbot, cjk_font):
    """A key too tall for its tile at room size leaves out whole sections, never shrinks: the incidents' while there
    are no warnings on the map, the warnings' first once there are."""
    nodes = F.city(200, n_districts=2)
    m = shown(qtbot, nodes, 1000, 420)
    m.set_incidents(F.incidents(nodes, 20))
    px = m.legend.font_px()
    shown_kinds = {kind for kind, _ in m.legend.shown_rows()}
    assert m.legend.dropped and "sev4" in shown_kinds and "alert4" not in shown_kinds
    lon, lat = F.centre(F.grids(nodes)[50])
    m.set_alerts([F.alert("A1", F.box(lon, lat, 0.02, 0.02), AlertLevel.RED)])
    shown_kinds = {kind for kind, _ in m.legend.shown_rows()}
    assert "alert4" in shown_kinds and m.legend.font_px() == px           # fewer sections, the same size
    assert m.legend.sizeHint().height() <= m.height()


def test_a_smaller_section_takes_the_room_a_larger_more_important_one_left(qtbot, cjk_font):
    """The sensors page's map: no room for the load ramp under the incidents' key, but room for the devices' rows;
    the key shows them rather than leaving the room empty."""
    nodes = F.city(200, n_districts=2)
    m = shown(qtbot, nodes, 1000, 420)
    m.set_incidents(F.incidents(nodes, 20))
    m.add_legend_source(lambda: [LegendEntry("title", "城市感知设备"), LegendEntry("sensor-normal", "正常  12")])
    lg = m.legend
    by_name = {section_name(lg.rows(), sec): len(sec) for sec in sections(lg.rows())}
    assert by_name["step0"] > by_name["sensor-normal"]
    assert lg.fit(1, lg._height_for(by_name["sev4"] + by_name["sensor-normal"]))
    assert lg.dropped >= {"step0", "res-team"} and not lg.dropped & {"sev4", "sensor-normal"}
