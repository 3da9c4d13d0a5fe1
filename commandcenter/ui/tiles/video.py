"""The video tile (kind "video"): 1, 4 or 9 cameras in a square grid, each live with its name, state and time.

The cameras come from the tile's config (`cameras = [...]`), else the first cameras of the catalogue; the console
or a preset rule puts others there (`show_cameras`). Decoding runs in QtMultimedia's threads (ui/video.py).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from ...services import LiveState
from ...services.cameras import CameraDirectory
from .. import labels
from ..video import CameraPlayer, CameraView, PlayState
from .base import Tile, plain_label

SLOT_COUNTS = (1, 4, 9)


class VideoTile(Tile):
    kind = "video"
    camera_activated = Signal(str)

    def __init__(self, live: LiveState, directory: CameraDirectory | None, clock: Callable[[], datetime], *,
                 slots: int = 4, cameras: Sequence[str] = (), title: str = "", protocol: str = "hls",
                 parent: QWidget | None = None) -> None:
        if slots not in SLOT_COUNTS:
            raise ValueError(f"a video tile shows 1, 4 or 9 cameras, not {slots}")
        super().__init__(live, title or self.tr("视频监控"), feeds=[], parent=parent)
        self.directory = directory
        self.configured = list(cameras)
        self.badge = plain_label()          # 【演练】 and the preset's name while a preset holds the tile
        self.badge.hide()
        self.body.addWidget(self.badge)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        side = math.isqrt(slots)
        self.players: list[CameraPlayer] = []
        self.views: list[CameraView] = []
        for i in range(slots):
            player = CameraPlayer(directory, self, protocol=protocol)
            view = CameraView(player, clock)
            view.clicked.connect(self.camera_activated)
            grid.addWidget(view, i // side, i % side)
            self.players.append(player)
            self.views.append(view)
        self.body.addLayout(grid, 1)
        self._held: list[str] | None = None        # what the tile showed before a preset took it
        self.retired = False                       # stopped for good (its window retired): takes no cameras
        if directory is not None:
            self._unsubscribe = directory.on_change(self._catalogue_changed)
            self.destroyed.connect(lambda *_: self._unsubscribe())
        self._fill()

    def _fill(self) -> None:
        """The configured cameras, and the catalogue's first ones in the slots left over."""
        wanted = list(self.configured)[:len(self.players)]
        if self.directory is not None and len(wanted) < len(self.players):
            spare = [cid for cid in self.directory.cameras if cid not in wanted]
            wanted += spare[:len(self.players) - len(wanted)]
        if wanted != self.showing():
            self.show_cameras(wanted)

    def _catalogue_changed(self) -> None:
        if self._held is None and any(not p.camera_id for p in self.players):
            self._fill()

    def showing(self) -> list[str]:
        return [p.camera_id for p in self.players if p.camera_id]

    def show_cameras(self, camera_ids: Sequence[str], *, badge: str = "") -> None:
        """Put these cameras in the slots, in order (extra ids are left out, missing ones leave slots empty)."""
        for player, camera_id in zip(self.players, [*camera_ids, *[""] * len(self.players)], strict=False):
            if not camera_id:
                player.stop()
            elif camera_id != player.camera_id or player.state is PlayState.IDLE:
                player.play(camera_id)
        self.badge.setText(badge)
        self.badge.setVisible(bool(badge))

    def take_for_preset(self, camera_ids: Sequence[str], name: str, drill: bool) -> None:
        """A preset brings its cameras here until `release_preset`; a drill's preset says so."""
        if self._held is None:
            self._held = self.showing()
        prefix = f"【{labels.drill_badge()}】" if drill else ""
        self.show_cameras(camera_ids, badge=f"{prefix}{self.tr('预案')} {name}")

    def release_preset(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            self.show_cameras(held)

    @property
    def preset_active(self) -> bool:
        return self._held is not None

    def stop_all(self) -> None:
        for player in self.players:
            player.stop()

    def stop(self) -> None:
        """The tile's window is retired or the wall stops: its streams end with it."""
        self.retired = True
        self.stop_all()
