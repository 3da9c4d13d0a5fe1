"""Composing the running wall: store, ingest pipeline, live state and windows, under qasync.

The GUI thread only paints and reacts: feeds are asyncio tasks on the qasync loop, and the
store works on its own thread (IngestPipeline.in_store).
"""
from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ..config import Config, PageSection
from ..services import IngestPipeline, LiveState
from ..store import Store
from . import format as fmt
from . import theme
from .resources import install_language, register_fonts
from .tiles import TILE_BUILDERS, TileContext
from .wall import WallWindow

log = logging.getLogger(__name__)


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
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("commandcenter")
    register_fonts(app)
    install_language(config.wall.language)
    fmt.set_timezone(config.wall.timezone)
    app.setStyleSheet(theme.stylesheet())
    return app


@dataclass
class Snapshot:
    out: Path
    width: int
    height: int
    after_s: float


class WallApp:
    """One wall: its store, pipeline, live state and window."""

    def __init__(self, config: Config, store_url: str, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.config = config
        self.store_url = store_url
        self.clock = clock
        self.live = LiveState()
        self.store: Store | None = None
        self.pipeline: IngestPipeline | None = None
        self.window: WallWindow | None = None

    async def start(self, *, show: bool = True) -> None:
        loop = asyncio.get_running_loop()
        self.store = await loop.run_in_executor(None, Store.open, self.store_url)
        self.pipeline = IngestPipeline(self.config, self.store, self.live, clock=self.clock)
        await self.pipeline.load_initial_state()
        self.window = self.build_window(self.config.pages[0] if self.config.pages else default_page())
        if show:
            self.window.show()
        await self.pipeline.start()

    def build_window(self, page: PageSection) -> WallWindow:
        ctx = TileContext(self.live, self.config, self.clock, open_details=self.open_details)

        def build(section):
            builder = TILE_BUILDERS.get(section.kind)
            if builder is None:
                raise ValueError(f"tile kind {section.kind!r} is not available in this build")
            return builder(ctx, section)

        return WallWindow(self.config.wall.title, self.live, page, build, clock=self.clock)

    def open_details(self, kind: str, record_id: str) -> None:
        log.info("details requested: %s %s", kind, record_id)

    async def stop(self) -> None:
        if self.pipeline is not None:
            await self.pipeline.close()
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None
        if self.store is not None:
            self.store.close()
            self.store = None


def default_page() -> PageSection:
    return PageSection(name="总览", rows=1, columns=1, tiles=[{"kind": "incidents", "row": 0, "column": 0}])


def run_wall(config: Config, store_url: str, *, snapshot: Snapshot | None = None) -> int:
    """Run the wall until the user quits (or, for a snapshot, until the PNG is written)."""
    app = make_app(config)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    quit_event = asyncio.Event()
    app.aboutToQuit.connect(quit_event.set)
    wall = WallApp(config, store_url)
    result = 0

    async def main() -> None:
        nonlocal result
        try:
            await wall.start(show=snapshot is None)
            if snapshot is None:
                wall.window.closed.connect(quit_event.set)
                await quit_event.wait()
            else:
                result = await take_snapshot(wall.window, snapshot)
        finally:
            await wall.stop()

    with loop:
        loop.run_until_complete(main())
    return result


async def take_snapshot(window: WallWindow, snap: Snapshot) -> int:
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.resize(snap.width, snap.height)
    window.show()
    await asyncio.sleep(snap.after_s)
    for tile in window.tiles():
        model = getattr(tile, "model", None)
        if model is not None and hasattr(model, "flush"):
            model.flush()
    QGuiApplication.processEvents()
    image = window.grab().toImage()
    if image.width() != snap.width or image.height() != snap.height:
        image = image.scaled(snap.width, snap.height)
    snap.out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(snap.out)):
        print(f"snapshot: could not write {snap.out}", file=sys.stderr)
        return 1
    print(f"snapshot: wrote {snap.out} ({image.width()}x{image.height()})")
    return 0
