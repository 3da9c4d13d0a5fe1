"""The shape of a wall's TOML config. Unknown keys are errors (extra="forbid")."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from ..domain import Category
from ..domain import kpis as DK
from ..domain.legibility import Room

#: A wall's screens when [wall] does not say: the 98-inch 16:9 panel of the seeds' command centers.
DEFAULT_DIAGONAL_INCHES = 98.0

#: The tile kinds the wall can build: the one list (ui.tiles.TILE_BUILDERS has a builder for each, a test checks).
#: "warnings" (预警), "alarms" (告警) and "supervision" (督办) are the three kinds of signal, each in its own tile;
#: "alerts" is the older name of "warnings".
TILE_KINDS: tuple[str, ...] = ("incidents", "warnings", "alerts", "alarms", "supervision", "resources", "kpis", "map",
                               "drill", "sensors", "video")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WallSection(_Strict):
    title: str = "城市运行指挥中心"
    language: Literal["zh_CN", "en"] = "zh_CN"
    timezone: str = "Asia/Shanghai"
    territory_node: str = ""        # the node KPI tiles follow; "" = the whole territory
    rotate_seconds: float = Field(default=30.0, ge=0, le=86400)   # 0 = never rotate
    kiosk: bool = True              # full screen, frameless, cursor hidden when idle
    cursor_idle_seconds: float = Field(default=5.0, gt=0, le=3600)
    inhibit_screensaver: bool = True
    alert_takeover: bool = True     # a new red alert brings its page forward until acknowledged
    # Ended incidents and warnings stay in the live state this long after they ended (the detail panel reads older
    # ones from the store); at most a week, so the live state stays bounded.
    keep_ended_minutes: int = Field(default=180, ge=1, le=7 * 24 * 60)
    # The room (issue 19): text is sized so it subtends enough arc minutes from the farthest seat. A screen's size is
    # its diagonal in inches (of the area one wall window covers) or its pixel density; [[screens]] may override.
    screen_diagonal_inches: float | None = Field(default=None, gt=5, le=2000)
    screen_dpi: float | None = Field(default=None, gt=1, le=1200)
    viewing_distance_m: float = Field(default=5.0, gt=0.3, le=100)   # the farthest seat that reads the wall
    # Set by `commandcenter demo` / `snapshot --demo` when the simulator adds events to the city's natural rate: the
    # title says so in the wall's language, so nobody takes them for the city.
    demo_extra_events_per_s: float = Field(default=0.0, ge=0, le=1000)

    @model_validator(mode="after")
    def _one_screen_size(self) -> WallSection:
        if self.screen_diagonal_inches is not None and self.screen_dpi is not None:
            raise ValueError("give either screen_diagonal_inches or screen_dpi, not both")
        return self

    def room(self) -> Room:
        """The wall's default room: its screens' size (98-inch panels when unsaid) and the farthest seat."""
        if self.screen_dpi is not None:
            return Room(distance_m=self.viewing_distance_m, diagonal_inches=None, dpi=self.screen_dpi)
        return Room(distance_m=self.viewing_distance_m,
                    diagonal_inches=self.screen_diagonal_inches or DEFAULT_DIAGONAL_INCHES)


def _whole_hour_zone(name: str) -> str:
    """`name` if it is an IANA time zone whose UTC offset is a whole number of hours from 1970 to 2040.

    The store buckets KPI days and months in this zone as runs of whole UTC hours (store/rollup.py Calendar),
    so a zone such as Asia/Kolkata (UTC+05:30) cannot be used: refused here, with the config key, rather than
    when the store is opened."""
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected an IANA time zone name such as Asia/Shanghai (no such zone)") from None
    t, end = datetime(1970, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC)
    while t < end:   # twice a year: either side of any daylight-saving change
        off = int((t.astimezone(zone).utcoffset() or timedelta()).total_seconds())
        if off % 3600:
            hhmm = f"{'-' if off < 0 else '+'}{abs(off) // 3600:02d}:{abs(off) % 3600 // 60:02d}"
            raise ValueError(f"expected a time zone whose UTC offset is a whole number of hours, such as "
                             f"Asia/Shanghai (this one is UTC{hhmm} on {t.date()}; KPI days are runs of whole hours)")
        t += timedelta(days=182)
    return name


def known_crs(v: str) -> str:
    """`v` if pyproj knows it as a CRS ("" passes: the default applies)."""
    if not v:
        return v
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(v)
    except CRSError:
        raise ValueError(f"expected a CRS pyproj knows, such as \"EPSG:4490\" (CGCS2000) or \"EPSG:4550\" "
                         f"(CGCS2000 Gauss-Kruger zone 41); {v[:40]!r} is not one") from None
    return v


class StoreSection(_Strict):
    url: str = ""                   # "" = sqlite file in the user data directory
    retention_days: int = Field(default=90, ge=1)
    timezone: str = "Asia/Shanghai"   # the calendar of KPI days and months (a Chinese center's "today" is UTC+8)
    # the wall shows what a recorder committed to this store instead of running the feeds itself (also without
    # feeds); unset: on for `run`/`demo` on SQLite (they start their own recorder child), off on PostgreSQL
    follow: StrictBool | None = None

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        return _whole_hour_zone(v)


class FeedSection(_Strict):
    name: str = Field(min_length=1)
    # What the wall's health bar calls the feed (城市事件平台); empty: what its kind is, in the wall's language
    title: str = ""
    kind: Literal["native", "open311", "cap", "geojson", "shapefile", "mqtt", "cameras"] = "native"
    url: str = Field(min_length=1)
    mode: Literal["poll", "sse", "ws"] = "poll"
    interval: float = Field(default=2.0, gt=0, le=3600)
    timeout: float = Field(default=10.0, gt=0, le=600)
    token_env: str = ""             # name of an environment variable holding a bearer token
    max_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    categories: dict[str, Category] = Field(default_factory=dict)  # open311 service_name → category
    # Where else than the feed's own origin (scheme://host:port) a redirect may lead; credentials never go there.
    redirect_origins: list[str] = Field(default_factory=list)
    # Where else than the feed's own origin the photos its records name may be fetched from.
    media_origins: list[str] = Field(default_factory=list)
    # Private, loopback or link-local networks (CIDR) a photo's host may resolve to; none by default.
    media_allow_networks: list[str] = Field(default_factory=list)
    # shapefile feeds: the CRS of the coordinates ("EPSG:4550"...); "" = the .prj file's, else WGS84
    crs: str = ""

    @field_validator("crs")
    @classmethod
    def _crs(cls, v: str) -> str:
        return known_crs(v)

    @model_validator(mode="after")
    def _crs_only_for_shapefiles(self) -> FeedSection:
        if self.crs and self.kind != "shapefile":
            raise ValueError(f"crs: only a shapefile feed takes a crs (this feed is {self.kind})")
        return self

    # mqtt: the topic filters to subscribe (wildcards + and #), the client id that names the broker's persistent
    # session, environment variables holding the user name and password, and a CA file for mqtts:// (TLS)
    topics: list[str] = Field(default_factory=lambda: ["city/sensors/#"])
    client_id: str = ""
    username_env: str = ""
    password_env: str = ""
    ca_file: str = ""

    @field_validator("topics")
    @classmethod
    def _topics(cls, v: list[str]) -> list[str]:
        for i, topic in enumerate(v):
            parts = topic.split("/")
            if not topic or any(("#" in p and (p != "#" or j != len(parts) - 1)) or ("+" in p and p != "+")
                                for j, p in enumerate(parts)):
                raise ValueError(f"[{i}]: expected an MQTT topic filter such as \"city/sensors/+/#\" "
                                 "(+ a whole level, # only as the last level)")
        return v

    @model_validator(mode="after")
    def _mqtt_url(self) -> FeedSection:
        if (self.kind == "mqtt") != self.url.startswith(("mqtt://", "mqtts://")):
            raise ValueError(f"url: expected mqtt://HOST:PORT or mqtts://HOST:PORT for kind \"mqtt\" "
                             f"(and only for it), got {self.url[:80]!r}")
        return self

    @field_validator("redirect_origins", "media_origins")
    @classmethod
    def _origins(cls, v: list[str]) -> list[str]:
        from urllib.parse import urlsplit

        for i, origin in enumerate(v):
            try:
                u = urlsplit(origin)
                u.port    # noqa: B018 - raises on a bad port
            except ValueError:
                u = None
            if u is None or u.scheme not in ("http", "https") or not u.hostname or u.username or u.password \
                    or u.path not in ("", "/") or u.query or u.fragment:
                raise ValueError(f"[{i}]: expected an origin such as \"https://cdn.example.org\" or "
                                 f"\"http://10.1.2.3:8080\" (scheme, host and optional port; no path or user)")
        return v

    @field_validator("media_allow_networks")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        import ipaddress

        for i, net in enumerate(v):
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ValueError(f"[{i}]: expected an IP network such as \"127.0.0.1/32\" or "
                                 f"\"10.20.0.0/16\"") from None
        return v

    @field_validator("url")
    @classmethod
    def _url_scheme(cls, v: str) -> str:
        if not v.startswith(("http://", "https://", "file://", "/", "./", "embedded:", "mqtt://", "mqtts://")):
            raise ValueError("expected an http(s):// URL, an mqtt(s):// URL, a file path or embedded:")
        return v


class TileSection(_Strict):
    kind: str
    row: int = Field(ge=0)
    column: int = Field(ge=0)
    row_span: int = Field(default=1, ge=1)
    column_span: int = Field(default=1, ge=1)
    title: str = ""
    territory_node: str = ""
    #: KPI tiles: the indicators on its cards (domain/kpis.py keys, default: the ten of ui.models.kpis), and the
    #: period they start on (今日 / 本月 / 今年以来).
    cards: list[str] = Field(default_factory=list)
    period: Literal["today", "month", "year"] = "today"
    #: KPI tiles: a headline strip of the day's key figures (names, large figures, rates on gauges; no charts).
    headline: bool = False
    #: video tiles: how many cameras (a 1×1, 2×2 or 3×3 grid) and which (catalogue ids; the rest of the slots
    #: take the catalogue's first cameras)
    slots: Literal[1, 4, 9] = 4
    cameras: list[str] = Field(default_factory=list)
    #: video tiles: the stream protocol asked of the platform (a camera that does not offer it plays its first)
    protocol: Literal["hls", "rtsp"] = "hls"

    @model_validator(mode="after")
    def _cameras_fit(self) -> TileSection:
        if len(self.cameras) > self.slots:
            raise ValueError(f"cameras: {len(self.cameras)} cameras named for {self.slots} slots")
        return self

    @field_validator("cards")
    @classmethod
    def _known_cards(cls, v: list[str]) -> list[str]:
        unknown = [k for k in v if k not in DK.BY_KEY]
        if unknown:
            raise ValueError(f"unknown KPI {', '.join(map(repr, unknown))}: expected some of {', '.join(DK.BY_KEY)}")
        return v

    @field_validator("kind")
    @classmethod
    def _buildable(cls, v: str) -> str:
        if v not in TILE_KINDS:
            raise ValueError(f"no such tile kind; the wall can build: {', '.join(TILE_KINDS)}")
        return v


class PageSection(_Strict):
    name: str = Field(min_length=1)
    rows: int = Field(default=3, ge=1, le=24)
    columns: int = Field(default=4, ge=1, le=24)
    tiles: list[TileSection] = Field(default_factory=list)

    @model_validator(mode="after")
    def _tiles_fit(self) -> PageSection:
        for i, t in enumerate(self.tiles):
            if t.row + t.row_span > self.rows or t.column + t.column_span > self.columns:
                raise ValueError(
                    f"tiles[{i}] ({t.kind}) at row {t.row}+{t.row_span}, column {t.column}+{t.column_span} "
                    f"does not fit a {self.rows}x{self.columns} page"
                )
        return self


class ScreenSection(_Strict):
    """One wall window: on the QScreen with this index or name, or spanning several (`span`)."""

    index: int | None = Field(default=None, ge=0)
    name: str = ""                  # QScreen.name(), e.g. "HDMI-1"; wins over index when present
    span: list[int | str] = Field(default_factory=list)   # several screens → one window over their union
    pages: list[str] = Field(default_factory=list)        # playlist; empty = every page
    rotate_seconds: float | None = Field(default=None, ge=0, le=86400)   # None = [wall] rotate_seconds
    pin: str = ""                   # a page of the playlist this window stays on (the console can unpin)
    # This window's screen size, when it differs from [wall]'s: diagonal inches of the area it covers, or dpi.
    diagonal_inches: float | None = Field(default=None, gt=5, le=2000)
    dpi: float | None = Field(default=None, gt=1, le=1200)

    @model_validator(mode="after")
    def _one_target(self) -> ScreenSection:
        if self.span and (self.index is not None or self.name):
            raise ValueError("give either span or index/name, not both")
        if self.diagonal_inches is not None and self.dpi is not None:
            raise ValueError("give either diagonal_inches or dpi, not both")
        return self

    def room(self, wall: Room) -> Room:
        """The wall's room with this window's screen size, if it has its own."""
        if self.dpi is not None:
            return Room(distance_m=wall.distance_m, diagonal_inches=None, dpi=self.dpi)
        if self.diagonal_inches is not None:
            return Room(distance_m=wall.distance_m, diagonal_inches=self.diagonal_inches)
        return wall

    def targets(self) -> list[int | str]:
        """The screens this window covers, by index or name (empty = the primary screen)."""
        if self.span:
            return list(self.span)
        if self.name:
            return [self.name]
        return [self.index] if self.index is not None else []


class DutySection(_Strict):
    """One person on the duty roster (值班表) shown in the wall header."""

    name: str = Field(min_length=1)
    role: str = ""
    phone: str = ""
    seat: str = ""                  # the console seat (席位) they usually take; the sign-in can change it
    from_: str = Field(default="00:00", alias="from")   # HH:MM local time, or an ISO date-time
    until: str = "24:00"

    @field_validator("from_", "until")
    @classmethod
    def _time(cls, v: str) -> str:
        import re
        from datetime import datetime as _dt

        if re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d|24:00", v):
            return v
        try:
            _dt.fromisoformat(v)
        except ValueError:
            raise ValueError("expected HH:MM or an ISO date-time such as 2026-11-23T08:00") from None
        return v


class DeadlinesSection(_Strict):
    """Hours allowed to close a non-emergency event, per category."""

    hours: dict[Category, float] = Field(default_factory=dict)


class AlertsSection(_Strict):
    sound: bool = True
    volume: float = Field(default=0.8, ge=0, le=1)
    # public warnings' guidance (what to do, whom to call): a hazard found in the warning's title (暴雨, 高温…),
    # else the alert type (weather, flood, forest_fire)
    guidance: dict[str, str] = Field(default_factory=dict)


class SensorRuleSection(_Strict):
    """One sensor type's alarm lines (domain/sensors.py SensorRule): [[threshold, level], ...] least severe first."""

    levels: list[tuple[float, int]] = Field(min_length=1)
    hysteresis: float = Field(ge=0)
    below: bool = False
    rate: float | None = Field(default=None, gt=0)
    rate_level: int = Field(default=2, ge=1, le=4)
    incident_level: int = Field(default=4, ge=0, le=4)

    @field_validator("levels")
    @classmethod
    def _levels(cls, v: list[tuple[float, int]]) -> list[tuple[float, int]]:
        if any(not 1 <= lvl <= 4 for _, lvl in v):
            raise ValueError("expected levels 1 (Ⅳ, blue) to 4 (Ⅰ, red)")
        return v


class SensorsSection(_Strict):
    """Devices of mqtt feeds: when a silent one is offline, how long readings are kept, and alarm lines per type
    (keys: water_level, manhole, smoke, temperature, gas, lamp_pole)."""

    offline_after: float = Field(default=60.0, gt=0, le=86400)
    raw_days: int = Field(default=7, ge=1)
    hourly_months: int = Field(default=6, ge=1)
    rules: dict[str, SensorRuleSection] = Field(default_factory=dict)

    @field_validator("rules")
    @classmethod
    def _types(cls, v: dict[str, SensorRuleSection]) -> dict[str, SensorRuleSection]:
        from ..domain.sensors import SensorType

        unknown = sorted(set(v) - {t.value for t in SensorType})
        if unknown:
            raise ValueError(f"no sensor type {', '.join(unknown)}; expected one of "
                             f"{', '.join(t.value for t in SensorType)}")
        return v


class VideoPreset(_Strict):
    """A set of cameras brought onto a video tile when a rule fires (issue 21): the tile is named by its page and
    its title; `cameras` fill its first slots, the cameras nearest the event the rest."""

    name: str = Field(min_length=1)
    page: str = Field(min_length=1)
    tile: str = Field(min_length=1)          # the video tile's title on that page
    cameras: list[str] = Field(default_factory=list)
    #: what brings it up: "red_warning" (a red public warning), "emergency" (an emergency incident),
    #: "device_alarm" (a device alarm 告警); drills fire the same rules, badged 演练
    on: list[Literal["red_warning", "emergency", "device_alarm"]] = Field(min_length=1)
    area: str = ""                            # a territory node id: only events inside it ("" = anywhere)


class VideoSection(_Strict):
    presets: list[VideoPreset] = Field(default_factory=list)


class DrillSection(_Strict):
    """Where drills are played: `backend` names a native feed whose server runs a scenario player
    (the simulator's /_control/drills); the drill's events then arrive through that feed. "" = the wall
    plays drills itself (a wall without a simulator backend)."""

    backend: str = ""


BASEMAP_LAYER_KINDS: tuple[str, ...] = ("water", "roads", "places")


class MapLayerSection(_Strict):
    """A vector basemap layer: GeoJSON or Shapefile (lines for roads, polygons for water, points for places)."""

    kind: Literal["water", "roads", "places"]
    path: str = Field(min_length=1)
    #: the file's CRS (a pyproj one, or "GCJ-02"); "" = a Shapefile's .prj, else WGS84 longitude/latitude
    crs: str = ""

    @field_validator("path")
    @classmethod
    def _vector_file(cls, v: str) -> str:
        if not v.lower().endswith((".geojson", ".json", ".shp")):
            raise ValueError("expected a .geojson, .json or .shp file")
        return v

    @field_validator("crs")
    @classmethod
    def _crs(cls, v: str) -> str:
        return v if v == "GCJ-02" else known_crs(v)


class MapSection(_Strict):
    """The basemap under the grids: a raster source (`basemap`) and/or vector layers (`[[map.layers]]`)."""

    #: "PATH.mbtiles" (a local MBTiles file) or an XYZ/WMTS URL template "http://host/…/{z}/{x}/{y}.png" on the
    #: centre's own network; "" = no raster basemap
    basemap: str = ""
    basemap_crs: Literal["WGS84", "GCJ-02"] = "WGS84"
    #: networks (CIDR) a tile server's address may be in: a centre's own server is private, which the wall
    #: otherwise refuses (docs/security.md)
    basemap_allow_networks: list[str] = Field(default_factory=list)
    #: tiles fetched from a URL template are kept here (the wall then works offline); "" = the user cache directory
    cache_dir: str = ""
    layers: list[MapLayerSection] = Field(default_factory=list)

    @field_validator("basemap")
    @classmethod
    def _basemap(cls, v: str) -> str:
        if not v:
            return v
        if v.startswith(("http://", "https://")):
            missing = [k for k in ("{z}", "{x}", "{y}") if k not in v]
            if missing:
                raise ValueError(f"a tile URL template needs {{z}}, {{x}} and {{y}} (missing {', '.join(missing)})")
            return v
        if not v.lower().endswith(".mbtiles"):
            raise ValueError("expected a PATH.mbtiles file or an http(s) tile URL template with {z}/{x}/{y}")
        return v

    @field_validator("basemap_allow_networks")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        return FeedSection._networks(v)


class Config(_Strict):
    wall: WallSection = WallSection()
    store: StoreSection = StoreSection()
    feeds: list[FeedSection] = Field(default_factory=list)
    pages: list[PageSection] = Field(default_factory=list)
    deadlines: DeadlinesSection = DeadlinesSection()
    alerts: AlertsSection = AlertsSection()
    screens: list[ScreenSection] = Field(default_factory=list)   # empty = one window on the primary screen
    duty: list[DutySection] = Field(default_factory=list)
    drill: DrillSection = DrillSection()
    map: MapSection = MapSection()
    sensors: SensorsSection = SensorsSection()
    video: VideoSection = VideoSection()

    @model_validator(mode="after")
    def _preset_tiles_exist(self) -> Config:
        for i, preset in enumerate(self.video.presets):
            page = next((p for p in self.pages if p.name == preset.page), None)
            if page is None:
                raise ValueError(f"video.presets[{i}].page: no page named {preset.page!r}")
            if not any(t.kind == "video" and t.title == preset.tile for t in page.tiles):
                raise ValueError(f"video.presets[{i}].tile: page {preset.page!r} has no video tile titled "
                                 f"{preset.tile!r}")
        return self

    @model_validator(mode="after")
    def _unique_feed_names(self) -> Config:
        names = [f.name for f in self.feeds]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"feed names must be unique; repeated: {', '.join(dupes)}")
        return self

    @model_validator(mode="after")
    def _screen_pages_exist(self) -> Config:
        pages = [p.name for p in self.pages]
        dupes = sorted({n for n in pages if pages.count(n) > 1})
        if dupes and self.screens:
            raise ValueError(f"page names must be unique when [[screens]] name them; repeated: {', '.join(dupes)}")
        for i, screen in enumerate(self.screens):
            unknown = [n for n in screen.pages if n not in pages]
            if unknown:
                raise ValueError(f"screens[{i}].pages: no page named {', '.join(map(repr, unknown))} "
                                 f"(pages are: {', '.join(map(repr, pages)) or 'none'})")
            if screen.pin and screen.pin not in (screen.pages or pages):
                raise ValueError(f"screens[{i}].pin: {screen.pin!r} is not one of this screen's pages")
        return self

    @model_validator(mode="after")
    def _drill_backend_is_a_native_feed(self) -> Config:
        name = self.drill.backend
        if not name:
            return self
        feed = next((f for f in self.feeds if f.name == name), None)
        if feed is None:
            raise ValueError(f"drill.backend: no feed named {name!r} "
                             f"(feeds are: {', '.join(repr(f.name) for f in self.feeds) or 'none'})")
        if feed.kind != "native" or not feed.url.startswith(("http://", "https://")):
            raise ValueError(f"drill.backend: feed {name!r} is {feed.kind} at {feed.url!r}; drills need a native "
                             "feed over http(s) whose server plays scenarios (/_control/drills)")
        return self
