"""Every colour, size and font of the wall in one place: a dark theme for a dark room.

Colours pair with a symbol or word wherever they carry meaning, so colour is never the only signal.
"""
from __future__ import annotations

import math
from weakref import WeakKeyDictionary

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetricsF
from PySide6.QtWidgets import QWidget

from ..domain import AlertLevel, DeadlineLevel, FeedState, ResourceStatus, Severity
from ..domain.legibility import MIN_ARCMIN, READ_ARCMIN, Room

BACKGROUND = QColor("#0b1220")
PANEL = QColor("#111a2e")
PANEL_BORDER = QColor("#24345a")
TEXT = QColor("#e6edf7")
TEXT_DIM = QColor("#8da2c0")
ACCENT = QColor("#3fa7ff")
ROW_ALT = QColor("#0f1829")
FLASH = QColor("#2d4f86")
DRILL = QColor("#b36bff")          # drill badge / banner: unmistakably not real
REPLAY = QColor("#1fb5a8")
SELECTION = QColor("#24477a")      # a selected table row
PANEL_RAISED = QColor("#16223b")   # boxes on a tile: KPI cards, the alert guidance, table headers
ALARM_TEXT = QColor("#ff3b3b")     # text that must be acted on (supplies under their threshold)
SENSOR_NORMAL = QColor("#3cc48b")  # a city sensor reading within its lines
SENSOR_OFFLINE = QColor("#6b7a93")  # a city sensor not heard from (or its last will said so)
WARNING_TEXT = QColor("#ffb020")   # the wall itself is not right: backend clock off, alarm unable to sound

#: Drill scoring (tiles/drill.py): a stage met, missed, still running.
VIDEO_BACKGROUND = QColor("#05080f")   # a camera cell before and between frames
VIDEO_CAPTION = QColor(5, 8, 15, 170)   # the bands under a camera's name, state and time
VIDEO_LIVE = QColor("#3cc48b")
VIDEO_STALLED = QColor("#ffb020")
VIDEO_OFFLINE = QColor("#ff3b3b")
DRILL_STAGE_MET = QColor("#3cc48b")
DRILL_STAGE_MISSED = QColor("#ff3b3b")
DRILL_STAGE_RUNNING = QColor("#ffb020")

#: KPI charts (tiles/kpis.py): one colour per chart, never the only signal (each has a caption).
KPI_COMPLETION = QColor("#3cc48b")
KPI_RESOLUTION_LEVELS = QColor("#2a7f78")
KPI_CATEGORIES = QColor("#3fa7ff")
KPI_GRIDS = QColor("#e0702a")
SELECTION_TEXT = QColor("#ffffff")
#: A rate's gauge (KPI cards): the track and the target's tick.
GAUGE_TRACK = QColor("#1c2b4a")
GAUGE_TARGET = QColor("#e6edf7")
#: The band of an unacknowledged red warning (banner.py): its flash rate (capped at 3 a second there), its two
#: phases and its text against reading size.
RED_BAND_FLASHES_PER_S = 1.0
RED_BAND_ON = QColor("#d40000")
RED_BAND_OFF = QColor("#4a0b0b")
RED_BAND_TEXT_SCALE = 1.5
#: The incident tile's bar counting the open emergencies its table does not show (tiles/incidents.py).
UNSEEN_EMERGENCY_BG = QColor("#b3261e")
#: A KPI card's figure against reading text: the number the room reads first.
KPI_VALUE_SCALE = 1.6

FONT_FAMILY = "WenQuanYi Micro Hei"

ALERT_COLOURS: dict[AlertLevel, QColor] = {
    AlertLevel.BLUE: QColor("#2f7de1"),
    AlertLevel.YELLOW: QColor("#f2c230"),
    AlertLevel.ORANGE: QColor("#ff8a1f"),
    AlertLevel.RED: QColor("#ff3b3b"),
}
ALERT_SYMBOLS: dict[AlertLevel, str] = {
    AlertLevel.BLUE: "Ⅳ", AlertLevel.YELLOW: "Ⅲ", AlertLevel.ORANGE: "Ⅱ", AlertLevel.RED: "Ⅰ",
}

SEVERITY_COLOURS: dict[Severity, QColor] = {
    Severity.LOW: QColor("#5b8def"),
    Severity.MEDIUM: QColor("#3cc48b"),
    Severity.HIGH: QColor("#ff8a1f"),
    Severity.CRITICAL: QColor("#ff3b3b"),
}
SEVERITY_SYMBOLS: dict[Severity, str] = {
    Severity.LOW: "▽", Severity.MEDIUM: "◇", Severity.HIGH: "▲", Severity.CRITICAL: "⬣",
}

DEADLINE_COLOURS: dict[DeadlineLevel, QColor] = {
    DeadlineLevel.OK: QColor("#3cc48b"),
    DeadlineLevel.AMBER: QColor("#ffb020"),
    DeadlineLevel.OVERDUE: QColor("#ff3b3b"),
    DeadlineLevel.MET: QColor("#8da2c0"),
}
DEADLINE_SYMBOLS: dict[DeadlineLevel, str] = {
    DeadlineLevel.OK: "", DeadlineLevel.AMBER: "⚠", DeadlineLevel.OVERDUE: "✖", DeadlineLevel.MET: "✓",
}

RESOURCE_COLOURS: dict[ResourceStatus, QColor] = {
    ResourceStatus.AVAILABLE: QColor("#3cc48b"),
    ResourceStatus.DISPATCHED: QColor("#ffb020"),
    ResourceStatus.ON_SCENE: QColor("#ff8a1f"),
    ResourceStatus.OUT_OF_SERVICE: QColor("#6b7a90"),
}

FEED_COLOURS: dict[FeedState, QColor] = {
    FeedState.LIVE: QColor("#3cc48b"),
    FeedState.LAGGING: QColor("#ffb020"),
    FeedState.STALE: QColor("#ff8a1f"),
    FeedState.DOWN: QColor("#ff3b3b"),
}
FEED_SYMBOLS: dict[FeedState, str] = {
    FeedState.LIVE: "●", FeedState.LAGGING: "◐", FeedState.STALE: "○", FeedState.DOWN: "✕",
}

#: Map load ramp: open events per grid, low to high.
LOAD_RAMP: list[QColor] = [QColor(c) for c in ("#13233f", "#1d4e6e", "#2a7f78", "#b9a43a", "#e0702a", "#e23b3b")]
LOAD_BREAKS: list[int] = [0, 1, 2, 4, 7, 11]   # lower bounds of each ramp step

#: Base point size at a 1080-px-high tile area; tiles scale from it with their height.
BASE_POINT_SIZE = 14
TILE_TITLE_SCALE = 1.0
#: Radius of a tile's rounded corners (style sheet) plus a pixel: the squares a tile paints in page background.
TILE_CORNER_PX = 7
#: The tile frame (数据大屏 style, subdued): its title bar, and the accent of its corners and title rule.
TILE_TITLE_BAR = QColor("#14203a")
TILE_ACCENT = QColor(63, 167, 255, 150)


def scaled_point_size(tile_height: int, factor: float = 1.0) -> int:
    """Font size that grows with the tile so text reads from across the room on any wall size."""
    return max(9, round(BASE_POINT_SIZE * factor * max(tile_height, 200) / 540))


# --- Type sized for the room (issue 19) ---
#: Text read from the seats (incident titles, statuses, countdowns, KPI values); every other text is at least MIN.
TEXT_READ_ARCMIN = READ_ARCMIN
TEXT_MIN_ARCMIN = MIN_ARCMIN
#: Sizes relative to reading text: the smallest (captions, headers, status bar) stays at the minimum angle.
SMALL_TEXT_SCALE = MIN_ARCMIN / READ_ARCMIN
#: A table row's height as a multiple of its font's pixel size: room for the glyphs and a little air.
TABLE_ROW_SCALE = 1.3
#: A paged table (more rows than fit) turns its page this often: a readable pace from the seats (≥ 8 s).
TABLE_PAGE_SECONDS = 10.0

_default_room = Room()
_rooms: WeakKeyDictionary[QWidget, Room] = WeakKeyDictionary()
_cap_ratio: dict[str, float] = {}


def set_room(room: Room, window: QWidget | None = None) -> None:
    """The room the wall is read in: for every window (the composition root, once at start), or for one window
    whose screen differs ([[screens]] diagonal_inches / dpi)."""
    global _default_room
    if window is None:
        _default_room = room
    else:
        _rooms[window] = room


def room_of(widget: QWidget) -> Room:
    return _rooms.get(widget.window(), _default_room)


def cap_height_ratio(family: str | None = None) -> float:
    """Cap height over pixel size of the wall's font: the part of a font's size a capital letter (and a digit,
    shorter than a Chinese character) really fills; the legibility angle is measured on it."""
    font = QFont(family or FONT_FAMILY)
    font.setPixelSize(200)
    resolved = QFontInfo(font).family()    # the font really used: the CJK font once registered, a fallback before
    ratio = _cap_ratio.get(resolved)
    if ratio is None:
        ratio = _cap_ratio[resolved] = QFontMetricsF(font).capHeight() / 200
    return ratio


def text_pixel_size(widget: QWidget, arc_minutes: float = TEXT_READ_ARCMIN) -> int:
    """The font pixel size whose capital letters subtend `arc_minutes` from the room's farthest seat, on the
    window that holds `widget` (its size is taken as the screen area the room's diagonal describes)."""
    window = widget.window()
    w, h = max(window.width(), 1), max(window.height(), 1)
    glyph = room_of(widget).glyph_px(w, h, arc_minutes)
    return max(6, math.ceil(glyph / cap_height_ratio()))


def room_points(widget: QWidget, arc_minutes: float = TEXT_READ_ARCMIN) -> int:
    """`text_pixel_size` as a point size at the widget's logical dpi, rounded up (tiles speak in points)."""
    dpi = widget.logicalDpiY() or 96
    return max(6, math.ceil(text_pixel_size(widget, arc_minutes) * 72 / dpi))


def stylesheet() -> str:
    """The application style sheet. The wall window paints the background once; the full-screen containers
    inside it (central widget, page, header) are transparent, because every full-screen fill costs paint time."""
    return f"""
    QWidget {{ background: {BACKGROUND.name()}; color: {TEXT.name()}; font-family: "{FONT_FAMILY}"; }}
    QWidget#wallCentre, PageView, PageStack, WallHeader {{ background: transparent; }}
    QFrame#tile {{ background: {PANEL.name()}; border: 1px solid {PANEL_BORDER.name()};
                   border-radius: {TILE_CORNER_PX - 1}px; }}
    QLabel#tileTitle {{ color: {ACCENT.name()}; font-weight: bold; background: transparent; }}
    QLabel#staleBadge {{ color: #ffffff; background: #b3261e; border-radius: 4px; padding: 2px 8px; }}
    QTableView {{ background: {PANEL.name()}; alternate-background-color: {ROW_ALT.name()};
                  gridline-color: {PANEL_BORDER.name()}; border: none; selection-background-color: {SELECTION.name()}; }}
    QHeaderView::section {{ background: {PANEL_RAISED.name()}; color: {TEXT_DIM.name()}; border: none; padding: 4px; }}
    QStatusBar {{ background: #0a1020; color: {TEXT_DIM.name()}; }}
    """

# --- Grid map (commandcenter.ui.map) ---
from ..domain import ResourceKind, TerritoryLevel  # noqa: E402

#: Thin line between neighbouring grids.
MAP_GRID_EDGE = QColor("#0a1322")
#: (colour, cosmetic pen width in px) of boundaries drawn heavier than grid edges.
MAP_BOUNDARY_PENS: dict[TerritoryLevel, tuple[str, float]] = {
    TerritoryLevel.STREET: ("#5d7396", 1.5),
    TerritoryLevel.DISTRICT: ("#c3d0e6", 3.0),
    TerritoryLevel.CITY: ("#e6edf7", 3.0),
}
#: pyqtgraph symbol per severity, matching SEVERITY_SYMBOLS (▽ ◇ ▲ ⬣) so shape carries severity too.
MAP_SEVERITY_MARKERS: dict[Severity, str] = {
    Severity.LOW: "t", Severity.MEDIUM: "d", Severity.HIGH: "t1", Severity.CRITICAL: "h",
}
#: Marker size in px per severity: worse is bigger.
MAP_SEVERITY_SIZES: dict[Severity, int] = {
    Severity.LOW: 9, Severity.MEDIUM: 11, Severity.HIGH: 13, Severity.CRITICAL: 15,
}
#: pyqtgraph symbol per resource kind (distinct from the severity shapes); colour from RESOURCE_COLOURS.
MAP_RESOURCE_MARKERS: dict[ResourceKind, str] = {
    ResourceKind.TEAM: "s", ResourceKind.VEHICLE: "star", ResourceKind.PERSON: "o", ResourceKind.SUPPLY: "p",
}
MAP_RESOURCE_OUTLINE = QColor("#e6edf7")
MAP_MARKER_OUTLINE = QColor("#05080f")
#: City sensors' dots in px (the map's device layer), on the map's marker scale as every marker: a device within
#: its lines small (a city has thousands), an offline one a little larger, an alarm larger by its level.
MAP_SENSOR_NORMAL_PX = 4
MAP_SENSOR_OFFLINE_PX = 5
MAP_SENSOR_ALARM_PX: dict[AlertLevel, int] = {
    AlertLevel.BLUE: 10, AlertLevel.YELLOW: 12, AlertLevel.ORANGE: 14, AlertLevel.RED: 16,
}
#: Map markers have their sizes above on a 1080p 98-inch wall read from 5 m, and grow as the room's legible glyph
#: does (twice on a 4K wall, more from farther seats), up to the cap; never smaller.
MAP_MARKER_BASE_ROOM = Room()
MAP_MARKER_BASE_SIZE_PX = (1920, 1080)
MAP_MARKER_MAX_SCALE = 2.5


def map_marker_scale(widget: QWidget) -> float:
    """How many times their theme size the map's markers are drawn in `widget`'s window, for its room."""
    window = widget.window()
    glyph = room_of(widget).glyph_px(max(window.width(), 1), max(window.height(), 1), MIN_ARCMIN)
    base = MAP_MARKER_BASE_ROOM.glyph_px(*MAP_MARKER_BASE_SIZE_PX, MIN_ARCMIN)
    return min(MAP_MARKER_MAX_SCALE, max(1.0, round(glyph / base, 2)))
#: A warning area on the map: a sparse hatch (most of each grid's load colour shows through), its alpha, and a
#: heavy outline (px) over a dark halo so it reads on any load colour.
MAP_ALERT_HATCH = Qt.BrushStyle.BDiagPattern
MAP_ALERT_HATCH_ALPHA = 150
MAP_ALERT_OUTLINE_PX = 4.0
MAP_ALERT_HALO = QColor(5, 8, 15, 220)
#: The minimum text size at which outline and hatch have the sizes above (a 98-inch 4K panel at 5 m); larger
#: text (a finer panel) scales them by as much.
MAP_ALERT_SCALE_TEXT_PX = 58
#: Alpha of the alert swatches in the map legend (stronger than the map's fill: a swatch is small).
MAP_LEGEND_ALERT_ALPHA = 110
#: Text halo behind map labels.
MAP_LABEL_HALO = QColor(5, 8, 15, 200)

# -- the map's basemap (ui/map/basemap.py): water and roads drawn over the grid fills, thin enough to keep the
# load colours readable; place names in the labels' halo
MAP_WATER_FILL = QColor(38, 120, 205, 120)
MAP_WATER_EDGE = QColor("#4a9be0")
#: road rank (1 main, 2 minor) → (colour, cosmetic pen width in px at a 1080-px-high map; scaled with the map)
MAP_ROAD_PENS: dict[int, tuple[QColor, float]] = {
    1: (QColor(236, 222, 186, 215), 2.2),
    2: (QColor(170, 160, 135, 150), 1.0),
}
MAP_PLACE_TEXT = QColor("#bfe0ff")
#: alpha (0-255) of the grid fills over a raster basemap (MBTiles / tile server), so its streets show through
MAP_RASTER_GRID_ALPHA = 150
#: the map's names by kind, as the angle (arc minutes) their capitals subtend from the room's farthest seat: the
#: minimum for grid and place names, more for the few names that say where everything is
MAP_LABEL_ARCMIN: dict[str, float] = {"grid": MIN_ARCMIN, "place": MIN_ARCMIN, "street": MIN_ARCMIN * 1.1,
                                      "district": READ_ARCMIN}
