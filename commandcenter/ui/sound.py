"""The red-alert alarm: a QSoundEffect that loops while any red alert is unacknowledged (and not shelved).

Mutable at runtime; enabled and volume from config `[alerts] sound / volume`. The player is created
lazily and can be replaced (tests pass a fake: no audio device on the test machines).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QUrl, Signal

from ..config import AlertsSection
from .models.alerts import AlertBoard
from .resources import RESOURCES

log = logging.getLogger(__name__)

ALARM_WAV = RESOURCES / "sounds" / "alarm.wav"


class Player(Protocol):
    def play(self) -> None: ...
    def stop(self) -> None: ...
    def setVolume(self, volume: float) -> None: ...  # noqa: N802 (Qt naming)


def qt_player(path: Path = ALARM_WAV) -> Player:
    from PySide6.QtMultimedia import QSoundEffect

    effect = QSoundEffect()
    effect.setSource(QUrl.fromLocalFile(str(path)))
    effect.setLoopCount(QSoundEffect.Loop.Infinite.value)
    return effect


class NullPlayer:
    """Headless (offscreen) walls have no speakers: the alarm's state is kept, nothing is played."""

    def __init__(self) -> None:
        self.playing = False
        self.volume = 1.0

    def play(self) -> None:
        self.playing = True

    def stop(self) -> None:
        self.playing = False

    def setVolume(self, volume: float) -> None:  # noqa: N802
        self.volume = volume


def default_player() -> Player:
    import os

    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return NullPlayer()
    return qt_player()


class AlarmSound(QObject):
    playing_changed = Signal(bool)

    def __init__(self, board: AlertBoard, config: AlertsSection, *,
                 player_factory: Callable[[], Player] = default_player, parent: QObject | None = None):
        super().__init__(parent)
        self.board = board
        self.enabled = config.sound
        self.volume = config.volume
        self.muted = False
        self._factory = player_factory
        self._player: Player | None = None
        self.playing = False
        board.changed.connect(self.update)
        board.new_red.connect(lambda _id: self.update())
        self.update()

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        self.update()

    def set_volume(self, volume: float) -> None:
        self.volume = min(1.0, max(0.0, volume))
        if self._player is not None:
            self._player.setVolume(self.volume)

    def should_play(self) -> bool:
        return self.enabled and not self.muted and self.volume > 0 and bool(self.board.unacknowledged_red())

    def update(self) -> None:
        want = self.should_play()
        if want == self.playing:
            return
        if want:
            if self._player is None:
                try:
                    self._player = self._factory()
                except Exception:   # no multimedia backend: the banner and tile still show the alert
                    log.exception("alarm sound unavailable")
                    self.enabled = False
                    return
            self._player.setVolume(self.volume)
            self._player.play()
        elif self._player is not None:
            self._player.stop()
        self.playing = want
        self.playing_changed.emit(want)
