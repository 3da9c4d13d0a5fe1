"""The running wall's composition root: every service built once (store, pipeline, the live state and its one
writer, alert actions and board, alarm, drills, replay, rotation), typed, and handed to windows, tiles and console.

The GUI thread (the qasync loop) only paints, reacts and applies committed records to the live state: the feeds
run on a thread of their own with their own asyncio loop (services.ingest.FeedThread), the store's writes on the
store thread and its reads on reader threads (IngestPipeline.in_store). docs/architecture.md has the picture.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import httpx
import qasync
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

from ..config import Config, PageSection, TileSection
from ..domain import Category, OperatorAction
from ..domain import kpis as DK
from ..services import IngestPipeline, LiveState
from ..services.drills import DrillBackend, DrillManager, ended_drill_ids
from ..services.follower import StoreFollower, follows
from ..services.initial_load import load_rest, read_first_screen
from ..services.live_commits import LiveCommits, committed
from ..services.replay import LiveDetour, ReplayController
from ..services.cameras import CameraDirectory, camera_sections
from ..services.recorder_child import RecorderStatus, RecorderSupervisor
from ..services.runtime import RUNTIME
from ..store import CalendarMismatch, Store
from ..store.store import CalendarMode
from . import format as fmt
from . import theme
from .alert_actions import AlertActions
from .models.alerts import AlertBoard
from .resources import install_language, register_fonts
from .services import AlertServices, DetailClients, StoreAccess, acknowledge_on_wall, feed_url, media_policy
from .sound import AlarmSound
from .tiles import TILE_BUILDERS, TileContext
from .video_presets import PresetController, VideoTileRegistry
from .wall import WallWindow, feed_titles, wall_title

if TYPE_CHECKING:    # the wall's helpers, imported when it starts them (not with the module)
    from .config_watch import ConfigWatcher
    from .kiosk import CursorHider, ScreenSaverInhibitor
    from .screens import ScreenWatcher, WindowPlan

log = logging.getLogger(__name__)


class Helper(Protocol):
    """A timer or watcher of the wall (rotation, screens, config, watchdog…): stopped, then deleted, at stop()."""

    def stop(self) -> None: ...
    def deleteLater(self) -> None: ...  # noqa: N802 - Qt's name


def has_display() -> bool:
    """False when Qt would abort for want of a screen: no X11/Wayland and no explicit platform."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


HEADLESS_HINT = (
    "没有可用的显示器 / no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
    "Render the wall headless instead:\n"
    "  commandcenter snapshot --demo --out wall.png --size 3840x2160 --after 5\n"
    "or run under a virtual display: xvfb-run commandcenter demo"
)


def make_app(config: Config, argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName("commandcenter")
    register_fonts(app)
    install_language(config.wall.language)
    fmt.set_timezone(config.wall.timezone)
    theme.set_room(config.wall.room())
    app.setStyleSheet(theme.stylesheet())
    return app


@dataclass
class Snapshot:
    out: Path
    width: int
    height: int
    after_s: float


class WallApp:
    """One wall: its store, pipeline, live state, and its windows (one per [[screens]] entry).

    `window` is the first (primary) window; `windows` maps a stable key to each. A RotationController
    decides which page every window shows; a red public warning takes over until acknowledged; the config file
    (when `config_path` is given) is watched and applied live.
    """

    DETAILS_HOLD_S = 120.0       # rotation waits this long after an operator pulls details
    WATCHDOG_MS = 3000

    def __init__(self, config: Config, store_url: str, *,
                 clock: Callable[[], datetime] | None = None,
                 config_path: str | Path | None = None, kiosk: bool | None = None,
                 screens: Callable[[], list] | None = None, recorder: RecorderSupervisor | None = None):
        """`clock`: the wall's "now"; by default its reference backend's time (feeds.clock), so countdowns,
        drill clocks and recorded actions run on the clock the events were stamped with. `recorder`: the wall's
        own recorder process (services/recorder_child.py), started with the wall, stopped with it and shown in
        every window's health bar."""
        from ..feeds.clock import BackendClocks
        from ..services.rotation import RotationController
        from .screens import current_screens

        self.config = config
        self.store_url = store_url
        self.clocks = BackendClocks(config.feeds, config.drill.backend)
        self.clock = clock if clock is not None else self.clocks.now
        self._feed_clock = clock if clock is not None else (lambda: datetime.now(UTC))   # feed health
        self.config_path = Path(config_path) if config_path else None
        self.kiosk = config.wall.kiosk if kiosk is None else kiosk
        self.live = LiveState()
        self.commits = LiveCommits(self.live)     # the live state's one writer, kept across pipeline restarts
        self.commits.keep_ended(timedelta(minutes=config.wall.keep_ended_minutes))
        self.recorder = recorder
        self.store: Store | None = None
        self.pipeline: IngestPipeline | None = None
        # following the store (`[store] follow`, or no feeds): a recorder runs the feeds, the pipeline none
        self.following = follows(config)
        self.follower: StoreFollower | None = None
        self._follow_from: int | None = None     # the store's position read before the state was loaded
        self.store_access = StoreAccess(lambda: self.pipeline)    # the current pipeline's in_store
        self.windows: dict[str, WallWindow] = {}
        self.plans: dict[str, WindowPlan] = {}
        self.rotation = RotationController(clock=self.clock, takeover_enabled=config.wall.alert_takeover)
        # Every QObject service is a child of this one: the wall deletes it (and them) on the GUI thread at stop.
        self._owner = QObject()
        self.alerts: AlertServices | None = None
        self.drills: DrillManager | None = None
        self.replay: ReplayController | None = None
        self.replay_detour: LiveDetour | None = None
        self.detail_clients = DetailClients()
        self.cameras: CameraDirectory | None = None       # the camera catalogue, when a camera feed is configured
        self._camera_client: httpx.AsyncClient | None = None
        self.video_tiles = VideoTileRegistry()             # the video tiles by title: presets and the console
        self.video_presets: PresetController | None = None
        self.config_error: Exception | None = None
        self.details_log: list[tuple[str, str, str | None]] = []   # (kind, id, window key) pushed to the wall
        self.listeners: list[Callable[[str, object], None]] = []   # ("config_applied"|"config_refused"|"details"|"page"|"takeover"|"actions", arg)
        self._screens = screens or current_screens
        self._shown = False
        self._defer_tiles = False
        self._loaded = asyncio.Event()
        self._history_pool: ThreadPoolExecutor | None = None
        self._pipeline_started = False
        self.marks: dict[str, float] = {}     # startup phase → time.time(), see start()
        self._stopping = False
        self._tasks: list[asyncio.Task] = []
        self._unsubs: list[Callable[[], None]] = []
        self._last_action_id = 0
        self._helpers: list[Helper] = []     # the wall's timers and watchers, stopped and deleted at stop()
        self._retired: list[WallWindow] = []     # disposed windows Qt has not deleted yet
        self._runtime_held = False
        self.screen_watcher: ScreenWatcher | None = None
        self.config_watcher: ConfigWatcher | None = None
        self.cursor_hider: CursorHider | None = None
        self.inhibitor: ScreenSaverInhibitor | None = None

    @property
    def window(self) -> WallWindow | None:
        return next(iter(self.windows.values()), None)

    def notify(self, what: str, arg: object = None) -> None:
        for fn in list(self.listeners):
            try:
                fn(what, arg)
            except Exception:  # noqa: BLE001
                log.exception("wall listener failed on %s", what)

    # Tile kinds built only after the first frame: they need pyqtgraph and numpy (imported then) and are the
    # slowest to construct; the first frame shows their title and 读取中… in their cell.
    DEFERRED_KINDS = frozenset({"map", "kpis"})
    FIRST_PAINT_WAIT_S = 5.0     # a window that never paints (its screen absent) does not hold the rest back longer

    async def start(self, *, show: bool = True) -> None:
        """Open the store, load the state it holds, build and (with `show`) place the windows, start the feeds.

        Shown (a real wall): the first frame comes before the history has loaded. Only what it shows is
        read first (territory, alerts, resources and the most recently updated open incidents:
        services.initial_load); the map and KPI tiles and the pages not shown first are stand-ins
        (pages.PendingTile). Right after the first paint the feeds start, the stand-ins are built and the rest of
        the history, read on a thread of its own, is applied in batches in the incident table's order, the GUI
        thread painting between them. `wait_loaded()` returns when all of that is done. Not shown (headless,
        snapshots, tests): everything is loaded and built before start() returns."""
        self.marks.clear()
        self._mark("start")
        loop = asyncio.get_running_loop()
        self._loaded = asyncio.Event()
        # a wall that follows a recorder it does not run shows the recorder's KPIs: it must not rebuild them
        calendar: CalendarMode = "require" if self.following and self.recorder is None else "adopt"
        store: Store = await loop.run_in_executor(None, functools.partial(
            Store.open, self.store_url, tz=self.config.store.timezone,
            limits=DK.limits_for_hours(self.config.deadlines.hours), calendar=calendar))
        self.store = store
        self._mark("store_open")
        if self.recorder is not None:
            self._unsubs.append(self.recorder.on_status(self._show_recorder))
            await self.recorder.start()
        self.pipeline = self._new_pipeline()
        if self.following:      # before reading the state: what is committed meanwhile comes through the follower
            self._follow_from = await self.pipeline.in_store(self.store.commit_position)
        # a finished drill's records are never shown live
        self.live.ended_drills.update(await self.pipeline.in_store(ended_drill_ids, self.store))
        if show:
            first = await self.pipeline.in_store(read_first_screen, self.store)
            self._mark("first_read")
            self.commits.publish(committed(first.incidents, first.resources, first.alerts, first.territory,
                                           first.sensors))
        else:
            await self.pipeline.load_initial_state()
            self._mark("first_read")
        self._mark("live_applied")
        self._compose()
        await self._load_actions()
        self._unsubs.append(self.rotation.attach(self.live))
        self._unsubs.append(self.rotation.on_page(self._on_page))
        self._unsubs.append(self.rotation.on_takeover(self._on_takeover))
        self._shown = show
        self._defer_tiles = show
        try:
            self.rebuild_windows()
        finally:
            self._defer_tiles = False
        self._mark("windows_built")
        if not show:
            await self._start_pipeline()
        self._start_helpers(show)
        if not self.following:      # a follower is told of actions with the other commits
            self._tasks.append(asyncio.create_task(self._follow_actions(), name="wall-actions"))
        if show:
            self._tasks.append(asyncio.create_task(self._after_first_frame(), name="wall-after-first-frame"))
        else:
            self._loaded.set()

    async def _start_pipeline(self) -> None:
        """The feeds (once per pipeline: a config reload may have restarted it meanwhile)."""
        if not self._pipeline_started:
            self._pipeline_started = True
            await self._running()[0].start()
            self._mark("feeds_started")
        if self.following and self.follower is None:
            await self._start_follower()

    async def _start_follower(self) -> None:
        """The store's commits into the live state, from the position read before the state was loaded."""
        assert self.store is not None
        from PySide6.QtCore import QCoreApplication

        name = QCoreApplication.translate("WallApp", "数据存储")    # its entry on the health bar, like a feed's
        self.follower = StoreFollower(self.store, self.commits, clock=self._feed_clock, name=name,
                                      on_actions=self._actions_committed, on_drill=self._drill_committed)
        await self.follower.start(after=self._follow_from)
        self._mark("follower_started")

    def _actions_committed(self, actions: list[OperatorAction]) -> None:
        """Operator actions any wall or console recorded (this one's included), told by the follower."""
        self._take_actions(actions)
        alert_actions = self.alert_actions
        if alert_actions is not None:
            for action in actions:
                if not alert_actions.is_own_echo(action):
                    alert_actions.apply(action)
        self.notify("actions", actions)      # the console's history shows them now

    def _drill_committed(self, _drill_id: str) -> None:
        """A drill started or stopped somewhere: the drill service reads the store's drill rows now."""
        if self.drills is not None and not self._stopping:
            self._tasks.append(asyncio.ensure_future(self.drills.sync_async()))

    def _mark(self, phase: str) -> None:
        """Startup phases: seconds since the epoch, so a bench can relate them to the process start."""
        self.marks[phase] = time.time()

    def category_limits(self) -> dict[Category, timedelta]:
        """The deadlines the incident tables use (the config's over the defaults), for ordering the history."""
        return TileContext(self.live, self.config, self.clock).category_limits

    def _running(self) -> tuple[IngestPipeline, Store]:
        """The pipeline and store of a started wall (start() opened them)."""
        if self.pipeline is None or self.store is None:
            raise RuntimeError("the wall has not started")
        return self.pipeline, self.store

    def _new_pipeline(self) -> IngestPipeline:
        """The store's threads and the feeds (none when following: the recorder runs them)."""
        assert self.store is not None
        config = self.config.model_copy(update={"feeds": []}) if self.following else self.config
        return IngestPipeline(config, self.store, clock=self._feed_clock, clocks=self.clocks,
                              commits=self.commits, runtime=None)     # the wall holds the runtime policy

    async def wait_loaded(self) -> None:
        """Until everything start() deferred past the first frame (stand-in tiles, the rest of the history) is in."""
        await self._loaded.wait()

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    async def _after_first_frame(self) -> None:
        """Once the first frame is painted (or FIRST_PAINT_WAIT_S passed): the feeds, then the stand-in tiles, one
        per event-loop turn, while the rest of the history is read on its own thread and applied batch by batch."""
        window = self.window
        if window is not None and not window.painted_once:
            painted = asyncio.get_running_loop().create_future()

            def on_painted() -> None:
                if not painted.done():
                    painted.set_result(None)

            window.first_painted.connect(on_painted)
            try:
                await asyncio.wait_for(painted, self.FIRST_PAINT_WAIT_S)
            except TimeoutError:
                log.warning("wall: no first frame after %.0f s; building the rest anyway", self.FIRST_PAINT_WAIT_S)
        self._mark("first_paint")
        await self._start_pipeline()    # after the first frame: the feeds' client (its SSL context) is slow to make
        # The history is read on a thread of its own (the store's readers are pooled): on a cold 15 GB store the
        # read takes seconds of I/O, and the store's thread must stay free for the feeds and the KPI tile.
        loop = asyncio.get_running_loop()
        self._history_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")

        def in_history_thread(fn, *args):
            return loop.run_in_executor(self._history_pool, lambda: fn(*args))

        history = asyncio.ensure_future(load_rest(in_history_thread, self._running()[1], self.commits.publish,
                                                  self.clock(), self.category_limits()))
        try:
            await self._build_pending()
            self._mark("tiles_built")
            n = await history
        finally:
            if not history.done():
                history.cancel()
        self._history_pool.shutdown(wait=False)    # its read is done: let the thread go
        self._history_pool = None
        RUNTIME.freeze_loaded()     # the history is startup heap too: no full collection walks it again
        self._mark("history_loaded")
        log.info("wall loaded: %d more incidents after the first frame; phases %s", n,
                 {k: round(v - self.marks["start"], 3) for k, v in self.marks.items()})
        self._loaded.set()

    async def _build_pending(self) -> None:
        """Every stand-in tile, the first window's shown page first, one per event-loop turn (the GUI paints
        and the feeds run between two)."""
        todo = []
        for window in list(self.windows.values()):
            todo += window.page_view.pending()
        for view, tile in todo:
            try:
                view.realize(tile)
            except RuntimeError:      # its window was retired meanwhile (a config reload rebuilt it, unfolded)
                log.debug("stand-in tile of a retired window skipped", exc_info=True)
            await asyncio.sleep(0)

    def _compose(self) -> None:
        """The wall's services, each built once (a config reload keeps them; the pipeline is reached through
        `store_access`, so a restarted pipeline serves them all)."""
        if self.alerts is not None:
            return
        console = socket.gethostname()
        self.alerts = AlertServices.build(self.live, self.clock, in_store=self.store_access, store=self.store,
                                          console=console, alarm=self.config.alerts, parent=self._owner)
        actions = self.alerts.actions
        actions.acknowledged.connect(self.rotation.acknowledged)
        actions.shelved.connect(lambda aid: self.rotation.shelved(aid, actions.shelved_until(aid)))
        self.drills = DrillManager(self.store, self.live, clock=self.clock, console=console,
                                   in_store=self.store_access, backend=DrillBackend.from_config(self.config),
                                   commits=self.commits)
        self._tasks.append(asyncio.create_task(self.drills.run(), name="drills"))
        from .replay_bar import attach_replay

        replay = attach_replay(self, in_store=self.store_access, parent=self._owner)
        self._tasks.append(asyncio.create_task(replay.run(), name="replay"))
        self.detail_clients.policy = media_policy(self.config)
        self._compose_video()

    def _compose_video(self) -> None:
        """The camera directory (read and refreshed in the background) and the presets' rules."""
        if camera_sections(self.config):
            from ..feeds.transport import make_client

            self._camera_client = make_client(follow_redirects=False)
            self.cameras = CameraDirectory.for_config(self.config, self._camera_client)
            self.cameras.start()
        if self.video_presets is not None:
            self.video_presets.reconfigure(list(self.config.video.presets), self.cameras)
        elif self.config.video.presets and self.alerts is not None:
            actions = self.alerts.actions
            self.video_presets = PresetController(
                self.live, list(self.config.video.presets), self.cameras, self.video_tiles,
                acknowledged=lambda done: actions.acknowledged.connect(done), parent=self._owner)

    def _reconfigure_video(self, old: Config) -> None:
        """A reload that changed the camera feeds or the presets: a new directory (the old one ends in the
        background) and the presets' rules anew, before the windows are rebuilt to take them."""
        if camera_sections(self.config) == camera_sections(old) and self.config.video == old.video:
            return
        if camera_sections(self.config) != camera_sections(old):
            cameras, client = self.cameras, self._camera_client
            self.cameras = self._camera_client = None
            self._tasks.append(asyncio.ensure_future(self._end_cameras(cameras, client)))
            self._compose_video()
        elif self.video_presets is not None or self.config.video.presets:
            if self.video_presets is not None:
                self.video_presets.reconfigure(list(self.config.video.presets), self.cameras)
            elif self.alerts is not None:
                actions = self.alerts.actions
                self.video_presets = PresetController(
                    self.live, list(self.config.video.presets), self.cameras, self.video_tiles,
                    acknowledged=lambda done: actions.acknowledged.connect(done), parent=self._owner)

    def push_cameras(self, title: str, camera_ids: list[str]) -> int:
        """Put cameras on every video tile titled `title` (each window's); how many tiles took them."""
        tiles = self.video_tiles.tiles(title)
        for tile in tiles:
            tile.show_cameras(camera_ids)
        return len(tiles)

    @property
    def alert_actions(self) -> AlertActions | None:
        return self.alerts.actions if self.alerts is not None else None

    @property
    def alert_board(self) -> AlertBoard | None:
        return self.alerts.board if self.alerts is not None else None

    @property
    def alarm(self) -> AlarmSound | None:
        return self.alerts.alarm if self.alerts is not None else None

    def acknowledge_on_wall(self, alert_id: str) -> None:
        """The red band's 确认 on the wall itself (ui.services.acknowledge_on_wall)."""
        acknowledge_on_wall(self, alert_id)

    def in_store(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Awaitable[Any]:
        """A store call off the GUI thread, through the current pipeline (the console's reads and writes)."""
        return self.store_access(fn, *args, **kwargs)

    def wall_windows(self) -> list[QWidget]:
        return list(self.windows.values())

    def set_breakthrough_alarm(self, on: bool) -> None:
        """A present danger broke through a replay (on) or the replay ended (off)."""
        if self.alarm is not None:
            self.alarm.set_breakthrough(on)

    on_quit: Callable[[], None] | None = None     # run_wall's clean stop (the wall's tasks end before the loop)

    def request_quit(self) -> None:
        """The quit key (or the kiosk's guarded exit): a clean stop where run_wall runs us, else Qt's quit."""
        if self.on_quit is not None:
            self.on_quit()
        else:
            QApplication.quit()

    def clock_offsets(self) -> dict[str, float]:
        """The backends' clock offsets worth showing (clocks.shown_offsets), each under what the wall calls its
        feed: the health bar and the console say the same."""
        titles = feed_titles(self.config.feeds)
        return {titles.get(feed, feed): offset for feed, offset in self.clocks.shown_offsets().items()}

    def alarm_problem(self) -> str:
        """警报音不可用：… while the red-alert alarm cannot sound here ("" when it can)."""
        alarm = self.alarm
        return alarm.check.text() if alarm is not None else ""

    def _start_helpers(self, show: bool) -> None:
        from PySide6.QtCore import QTimer

        from .config_watch import ConfigWatcher
        from .kiosk import CursorHider, ScreenSaverInhibitor
        from .pages import RotationTimer
        from .screens import ScreenWatcher

        # The runtime policy (services.runtime: collection on this thread only, short GIL slices), from the built
        # wall on: what exists now is frozen.
        RUNTIME.hold()
        self._runtime_held = True
        self._tasks.append(asyncio.create_task(RUNTIME.run_collector(), name="wall-gc"))
        alarm = self.alarm
        if alarm is not None:
            alarm.check.start()          # then every few minutes: a siren that cannot sound is shown, not logged
            self._helpers.append(alarm.check)
        self.rotation_timer = RotationTimer(self.rotation)
        self.rotation_timer.start()
        self._helpers.append(self.rotation_timer)
        self.screen_watcher = screens = ScreenWatcher()
        screens.changed.connect(self.relayout)
        self._helpers.append(screens)
        self.watchdog = QTimer(self._owner)
        self.watchdog.setInterval(self.WATCHDOG_MS)
        self.watchdog.timeout.connect(self.check_windows)
        self.watchdog.start()
        self._helpers.append(self.watchdog)
        if self.config_path is not None:
            self.config_watcher = watcher = ConfigWatcher(self.config_path)
            watcher.applied.connect(self.apply_config)
            watcher.refused.connect(self._config_refused)
            watcher.start()
            self._helpers.append(watcher)
        if show and self.kiosk:
            self.cursor_hider = hider = CursorHider(self.config.wall.cursor_idle_seconds)
            hider.start()
            if self.config.wall.inhibit_screensaver:
                self.inhibitor = inhibitor = ScreenSaverInhibitor()
                inhibitor.inhibit()

    # ------------------------------------------------------------------ windows
    def build_window(self, page: PageSection) -> WallWindow:
        """A window showing one page (kept for callers that want a single page, e.g. tests)."""
        return WallWindow(wall_title(self.config.wall), self.live, page, self._builder(), clock=self.clock,
                          drills=self.drills, replay=self.replay)

    def tile_context(self) -> TileContext:
        """What every tile of this wall shares."""
        has_store = self.store is not None
        return TileContext(self.live, self.config, self.clock, open_details=self.open_details, alerts=self.alerts,
                           in_store=self.store_access if has_store else None, store=self.store, drills=self.drills,
                           cameras=self.cameras, video_tiles=self.video_tiles)

    def _builder(self, first_page: PageSection | None = None):
        from .pages import deferring_builder, safe_builder

        ctx = self.tile_context()

        def build(section):
            builder = TILE_BUILDERS.get(section.kind)
            if builder is None:
                raise ValueError(f"tile kind {section.kind!r} is not available in this build")
            return builder(ctx, section)

        safe = safe_builder(build, self.live)
        if not self._defer_tiles:
            return safe
        shown_first = {id(t) for t in first_page.tiles} if first_page is not None else set()
        return deferring_builder(safe, self.live,
                                 lambda section: section.kind in self.DEFERRED_KINDS or id(section) not in shown_first)

    def _make_window(self, plan) -> WallWindow:
        from .pages import PageStack, duty_text

        pages = list(plan.pages)
        alert_page = self._alert_page_for(plan)
        if alert_page and alert_page not in [p.name for p in pages]:
            pages.append(next(p for p in self.config.pages if p.name == alert_page))
        shown = next((p for p in pages if p.name == plan.pin), pages[0] if pages else None)   # the page shown first
        body = PageStack(pages, self._builder(shown))
        window = WallWindow(wall_title(self.config.wall), self.live, body, self._builder(shown), clock=self.clock,
                            drills=self.drills, replay=self.replay)
        window.setObjectName(f"wall:{plan.key}")
        window.wall_key = plan.key
        if plan.section_index is not None:   # this window's screen may have its own size
            theme.set_room(self.config.screens[plan.section_index].room(self.config.wall.room()), window)
        duty = list(self.config.duty)
        window.header.duty_source = (lambda now: duty_text(duty, now)) if duty else None
        window.health_bar.offset_source = self.clock_offsets
        window.health_bar.wall_time = self.clocks.wall_time
        window.health_bar.alarm_source = self.alarm_problem
        window.health_bar.set_titles(feed_titles(self.config.feeds))
        if self.recorder is not None:
            window.health_bar.show_recorder(self.recorder.status)
        window.header.tick()
        from .kiosk import install_quit_keys

        window.exit_prompt = install_quit_keys(window, self.request_quit, kiosk=self.kiosk)
        window.closed.connect(lambda key=plan.key: self._window_closed(key))
        self._attach_alerts_and_details(window)
        return window

    def _attach_alerts_and_details(self, window: WallWindow) -> None:
        """The alert banner across the window and its detail panel controller."""
        from .banner import AlertBanner
        from .details import DetailController

        if self.alerts is not None:
            banner = AlertBanner(self.alerts.board)
            banner.alert_clicked.connect(lambda aid: self.open_details("alert", aid))
            banner.acknowledge_requested.connect(self.acknowledge_on_wall)
            window.set_banner(banner)
        cfg = self.config
        has_store = self.store is not None
        clients = self.detail_clients
        window.details = DetailController(
            self.live, window.place_detail, in_store=self.store_access if has_store else None, store=self.store,
            feed_url=feed_url(cfg), client=clients.http, clock=self.clock, limits=self.category_limits(),
            guidance=dict(cfg.alerts.guidance), alert_actions=self.alert_actions, node_id=cfg.wall.territory_node,
            media=clients.policy, media_client=clients.media, drills=self.drills, cameras=self.cameras,
            parent=window)

    def _alert_page_for(self, plan) -> str | None:
        from .pages import alert_page_of

        own = alert_page_of(list(plan.pages))
        if own:
            return own
        # No window plays an alerts page: the first window takes the alert over with the config's alerts page.
        if any(alert_page_of(list(p.pages)) for p in self.plans.values()):
            return None
        first = next(iter(self.plans), None)
        return alert_page_of(list(self.config.pages)) if plan.key == first else None

    def rebuild_windows(self) -> None:
        """(Re)build every window from the config and the screens present; place them if the wall is shown."""
        from ..services.rotation import Surface
        from .screens import plan_windows

        for window in self.windows.values():
            self._dispose(window)
        self.windows.clear()
        plans = plan_windows(self.config, self._screens(), [default_page()])
        self.plans = {p.key: p for p in plans}
        for plan in plans:
            self.windows[plan.key] = self._make_window(plan)
        self.rotation.takeover_enabled = self.config.wall.alert_takeover
        self.rotation.configure([Surface(p.key, [pg.name for pg in p.pages], p.rotate_seconds,
                                         self._alert_page_for(p), pinned=p.pin or None) for p in plans])
        for key, window in self.windows.items():
            window.page_view.show_page(self.rotation.current(key))
        self.place_windows()

    def place_windows(self) -> None:
        if not self._shown:
            return
        from .kiosk import place_window
        from .screens import qscreen_of

        placed_any = False
        for key, plan in self.plans.items():
            window = self.windows.get(key)
            if window is None:
                continue
            if plan.placed:
                qscreens = [s for s in (qscreen_of(i) for i in plan.screens) if s is not None]
                place_window(window, qscreens, plan.geometry, kiosk=self.kiosk)
                placed_any = True
            else:
                window.hide()
        if not placed_any and self.window is not None:
            self.window.show()     # nothing matched the config's screens: show the first window anywhere

    def relayout(self, screens: list | None = None) -> None:
        """Screens changed (plugged, unplugged, resized): move the windows, parking those whose screen is gone."""
        from .screens import plan_windows

        plans = plan_windows(self.config, screens if screens is not None else self._screens(), [default_page()])
        if [p.key for p in plans] != list(self.plans):
            self.rebuild_windows()
            return
        self.plans = {p.key: p for p in plans}
        self.place_windows()

    def check_windows(self) -> None:
        """The watchdog: a window that died or vanished while its screen is there is rebuilt and shown again."""
        if self._stopping or not self._shown:
            return
        for key, plan in self.plans.items():
            window = self.windows.get(key)
            alive = False
            if window is not None:
                try:
                    alive = window.isVisible() or not plan.placed
                except RuntimeError:     # the C++ object is gone
                    alive = False
            if not alive:
                log.warning("wall window %s failed; restarting it", key)
                self.restart_window(key)

    def restart_window(self, key: str) -> None:
        plan = self.plans.get(key)
        if plan is None:
            return
        old = self.windows.get(key)
        if old is not None:
            self._dispose(old)
        window = self._make_window(plan)
        self.windows = {k: (window if k == key else w) for k, w in self.windows.items()}
        if key not in self.windows:
            self.windows[key] = window
        window.page_view.show_page(self.rotation.current(key))
        self.place_windows()

    def _window_closed(self, key: str) -> None:
        if self._stopping or not self.kiosk:
            return
        from PySide6.QtCore import QTimer

        QTimer.singleShot(1000, lambda: self.check_windows())

    @staticmethod
    def _stop_tiles(window: WallWindow) -> None:
        """Every tile of the window (shown or not) stops its background work."""
        try:
            tiles = window.page_view.all_tiles()
        except RuntimeError:      # the window's C++ object is gone
            return
        for tile in tiles:
            try:
                tile.stop()
            except Exception:  # noqa: BLE001 - retiring a window must not fail
                log.debug("stopping a tile of a retired window failed", exc_info=True)

    def _dispose(self, window: WallWindow) -> None:
        """Retire a window: Qt deletes it from the event loop (deleteLater). Its Python wrapper is kept until then,
        so the garbage collector never deletes a window at some random moment (mid-paint of a child: a crash)."""
        import shiboken6

        self._retired = [w for w in self._retired if shiboken6.isValid(w)]
        self._stop_tiles(window)     # their background refreshes (KPI reads) end before their widgets go
        try:
            window.closed.disconnect()
        except (RuntimeError, TypeError):
            pass
        try:
            window.hide()
            window.deleteLater()
        except RuntimeError:
            return
        self._retired.append(window)

    # ------------------------------------------------------------------ rotation, alerts, details
    def _on_page(self, key: str, page: str) -> None:
        window = self.windows.get(key)
        if window is not None:
            try:
                window.page_view.show_page(page)
            except RuntimeError:
                pass
        self.notify("page", (key, page))

    def _on_takeover(self, alert_id: str | None) -> None:
        if alert_id is not None:
            key = next((k for k, s in self.rotation.surfaces.items() if s.alert_page), None)
            self.open_details("alert", alert_id, area=key, hold=False)
        self.notify("takeover", alert_id)

    def open_details(self, kind: str, record_id: str, *, area: str | None = None, hold: bool = True) -> None:
        """Bring a record's details onto the wall (in window `area`, default the first); rotation waits a while."""
        log.info("details requested: %s %s (window %s)", kind, record_id, area or "first")
        if hold:
            self.rotation.hold(self.DETAILS_HOLD_S)
        window = self.windows.get(area) if area else self.window
        window = window or self.window
        self.details_log.append((kind, record_id, area))
        if window is not None:
            try:
                window.show_detail(kind, record_id)
            except Exception:  # noqa: BLE001 - a detail that cannot show must not take the wall down
                log.exception("could not show %s %s", kind, record_id)
        self.notify("details", (kind, record_id, area))

    async def _load_actions(self) -> None:
        """Operator actions already in the store: a restarted wall shows acknowledged, shelved and escalated alerts
        as such (in its tables and on its console) and does not raise acknowledged ones again."""
        while True:
            pipeline, store = self._running()
            actions = await pipeline.in_store(store.actions_since, self._last_action_id)
            self._take_actions(actions)
            if self.alert_actions is not None:
                self.alert_actions.restore(actions)
            if len(actions) < 1000:
                return

    def _take_actions(self, actions) -> None:
        from ..domain import ActionKind

        for a in actions:
            self._last_action_id = max(self._last_action_id, a.id or 0)
            if a.target_kind != "alert":
                continue
            if a.kind is ActionKind.ACKNOWLEDGE:
                self.rotation.acknowledged(a.target_id)
            elif a.kind is ActionKind.SHELVE:
                self.rotation.shelved(a.target_id, a.expires_at)

    async def _follow_actions(self, interval_s: float = 1.0) -> None:
        """Actions recorded by any console (this process or another machine sharing the store)."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                pipeline, store = self._running()
                self._take_actions(await pipeline.in_store(store.actions_since, self._last_action_id))
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001
                log.exception("could not read operator actions")

    # ------------------------------------------------------------------ live config
    def apply_config(self, config: Config) -> None:
        """A new, valid config: the wall follows without a restart (if building it fails, the old one stays)."""
        previous = self.config
        try:
            self._apply_config(config)
        except Exception as exc:  # noqa: BLE001 - a config that validates but cannot be built must not kill the wall
            log.exception("config could not be applied; going back to the running one")
            from ..config import ConfigError

            self.config = previous
            try:
                if previous.wall.language != config.wall.language:
                    install_language(previous.wall.language)
                self.rebuild_windows()
            except Exception:  # noqa: BLE001
                log.exception("could not rebuild the previous wall either")

            path = self.config_path or "<config>"
            self._config_refused(ConfigError(path, [("", f"could not be applied: {exc}")]))

    def _apply_config(self, config: Config) -> None:
        old = self.config
        self.config = config
        self.config_error = None
        if config.wall.language != old.wall.language:
            install_language(config.wall.language)
        fmt.set_timezone(config.wall.timezone)
        theme.set_room(config.wall.room())
        self.commits.keep_ended(timedelta(minutes=config.wall.keep_ended_minutes))
        if config.feeds != old.feeds or config.deadlines != old.deadlines:
            self._tasks.append(asyncio.ensure_future(self._restart_pipeline()))
        if self.drills is not None and (config.drill != old.drill or config.feeds != old.feeds):
            self.drills.backend = DrillBackend.from_config(config)   # the next drill goes where the config says
        if self.cursor_hider is not None:
            self.cursor_hider.set_idle_seconds(config.wall.cursor_idle_seconds)
        self.detail_clients.policy = media_policy(config)
        if self.alerts is not None:          # the services are composed (a reload before then builds them anew)
            self._reconfigure_video(old)
        self.rebuild_windows()
        if self.video_presets is not None:
            self.video_presets.reshow()          # the rebuilt video tiles: the presets up take them again
        self.notify("config_applied", config)

    def _config_refused(self, error: Exception) -> None:
        self.config_error = error
        self.notify("config_refused", error)

    async def _restart_pipeline(self) -> None:
        old = self.pipeline
        if old is not None:
            await old.close()
        self.pipeline = self._new_pipeline()
        self._pipeline_started = True
        await self.pipeline.start()
        if self.recorder is not None and not self._stopping:    # the child reads the edited file when it starts
            await self.recorder.restart()

    def _show_recorder(self, status: RecorderStatus) -> None:
        for window in self.windows.values():
            window.health_bar.show_recorder(status)

    async def stop(self) -> None:
        self._stopping = True
        if self.recorder is not None:   # first: it commits its batch in flight while the wall winds down
            stopping_recorder = asyncio.ensure_future(self.recorder.stop())
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._history_pool is not None:   # a history read still running uses the store: wait (off the loop)
            await asyncio.get_running_loop().run_in_executor(None, self._history_pool.shutdown)
            self._history_pool = None
        if self.cursor_hider is not None:
            self.cursor_hider.stop()
            self._helpers.append(self.cursor_hider)
            self.cursor_hider = None
        for helper in self._helpers:
            helper.stop()
            # Deleted below on this thread: a Python-owned QObject with timers, collected later by a GC pass on a
            # worker thread, leaves a dangling timer that fires into freed memory (a segfault).
            helper.deleteLater()
        self._helpers.clear()
        if self.inhibitor is not None:
            self.inhibitor.release()
            self.inhibitor = None
        if self.drills is not None:
            self.drills.close()
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        for window in self.windows.values():   # no KPI read left in flight at shutdown
            self._stop_tiles(window)
        await self.detail_clients.aclose()
        await self._close_cameras()
        if self.alarm is not None:
            self.alarm.set_muted(True)
        if self.follower is not None:
            await self.follower.stop()
            self.follower = None
        if self.pipeline is not None:
            await self.pipeline.close()
        if self.recorder is not None:
            await stopping_recorder
        for window in self.windows.values():
            try:
                window.close()
            except RuntimeError:
                pass
            self._dispose(window)
        self.windows.clear()
        # Delete the windows and every service QObject (children of `_owner`) now, on this (the GUI) thread: left
        # to the garbage collector, one with a running timer can be destroyed from a worker thread (a segfault).
        from PySide6.QtCore import QCoreApplication, QEvent

        self._owner.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        import shiboken6

        self._retired = [w for w in self._retired if shiboken6.isValid(w)]
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._runtime_held:
            self._runtime_held = False
            RUNTIME.release()


    async def _close_cameras(self) -> None:
        """After the tiles stopped: the directory's refresh and its client end with the wall."""
        cameras, client = self.cameras, self._camera_client
        self.cameras = self._camera_client = None
        await self._end_cameras(cameras, client)

    @staticmethod
    async def _end_cameras(cameras: CameraDirectory | None, client: httpx.AsyncClient | None) -> None:
        if cameras is not None:
            await cameras.stop()
        if client is not None:
            await client.aclose()


def default_page() -> PageSection:
    from PySide6.QtCore import QCoreApplication

    name = QCoreApplication.translate("WallApp", "总览")     # the one page of a config without pages
    return PageSection(name=name, rows=1, columns=1, tiles=[TileSection(kind="incidents", row=0, column=0)])


def run_wall(config: Config, store_url: str, *, snapshot: Snapshot | None = None,
             config_path: str | Path | None = None, console: bool = False, kiosk: bool | None = None,
             recorder: RecorderSupervisor | None = None) -> int:
    """Run the wall until the user quits (or, for a snapshot, until the PNG is written); `recorder`: its own
    recorder process, started and stopped with it."""
    app = make_app(config)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    quit_event = asyncio.Event()
    app.aboutToQuit.connect(quit_event.set)
    wall = WallApp(config, store_url, config_path=config_path if snapshot is None else None,
                   kiosk=False if snapshot is not None else kiosk, recorder=recorder)
    result = 0

    async def main() -> None:
        nonlocal result
        desk = None
        from .kiosk import SignalQuit

        # Ctrl+C / SIGTERM: the same clean stop as the quit key (a snapshot ends on its own)
        ends = SignalQuit(quit_event.set) if snapshot is None else None
        wall.on_quit = quit_event.set
        try:
            try:
                await wall.start(show=snapshot is None)
            except CalendarMismatch as exc:
                print(exc.explain(str(config_path or "the config")), file=sys.stderr)
                result = 2
                return
            if snapshot is None:
                if console:
                    from .console import ConsoleWindow

                    from .console.placement import place_console

                    from .wall_control import WallConsoleControl

                    desk = ConsoleWindow(WallConsoleControl(wall))
                    desk.closed.connect(quit_event.set)
                    # on a screen of its own (remembered), never over the wall; one screen: beside a windowed wall
                    if not place_console(desk, wall.windows.values()):
                        desk.show()
                        if not wall.kiosk and wall.window is not None:
                            from .kiosk import side_by_side

                            side_by_side(wall.window, desk)
                if not wall.kiosk and wall.window is not None:
                    wall.window.closed.connect(quit_event.set)
                await quit_event.wait()
            else:
                window = wall.window
                if window is None:
                    raise RuntimeError("the wall built no window to photograph")
                result = await take_snapshot(window, snapshot)
        finally:
            if desk is not None:
                desk.close_quietly()
            await wall.stop()
            if ends is not None:
                ends.stop()

    with loop:
        loop.run_until_complete(main())
    return result


async def take_snapshot(window: WallWindow, snap: Snapshot) -> int:
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    # the window is the screen: its text is sized for that screen, so content must not make it grow
    window.setFixedSize(snap.width, snap.height)
    window.show()
    await asyncio.sleep(snap.after_s)
    for tile in window.tiles():
        tile.flush()
    await asyncio.sleep(0.2)   # let the flushes paint; no processEvents() inside a coroutine (nested qasync step)
    image = window.grab().toImage()
    if image.width() != snap.width or image.height() != snap.height:
        image = image.scaled(snap.width, snap.height)
    snap.out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(snap.out)):
        print(f"snapshot: could not write {snap.out}", file=sys.stderr)
        return 1
    print(f"snapshot: wrote {snap.out} ({image.width()}x{image.height()})")
    return 0
