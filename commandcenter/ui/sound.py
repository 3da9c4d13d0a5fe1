"""The red-warning alarm: a QSoundEffect that loops while any red public warning (预警; never a device alarm or a
supervision notice) is unacknowledged (and not shelved).

Mutable at runtime; enabled and volume from config `[alerts] sound / volume`. The player is created
lazily and can be replaced (tests pass a fake: no audio device on the test machines).

`AlarmCheck` makes a silent siren visible: at start, every few minutes and whenever the audio outputs change, it
checks that an output device is there and accepts the alarm's format; when not, the wall and the console say
警报音不可用 (a QSoundEffect that cannot play only says so in the log).
"""
from __future__ import annotations

import logging
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, QTimer, QUrl, Signal

from ..config import AlertsSection
from .models.alerts import AlertBoard
from .resources import ALARM_WAV

log = logging.getLogger(__name__)


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


def system_outputs() -> list[Any]:
    """The audio output devices Qt Multimedia sees (none on a headless machine)."""
    from PySide6.QtMultimedia import QMediaDevices

    return list(QMediaDevices.audioOutputs())


def default_output(outputs: list[Any]) -> Any:
    from PySide6.QtMultimedia import QMediaDevices

    device = QMediaDevices.defaultAudioOutput()
    return outputs[0] if device.isNull() else device


def wav_format(path: Path) -> Any:
    """The QAudioFormat of a PCM WAV file (QSoundEffect plays it as it is, without conversion)."""
    from PySide6.QtMultimedia import QAudioFormat

    with wave.open(str(path), "rb") as w:
        width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
    sample = {1: QAudioFormat.SampleFormat.UInt8, 2: QAudioFormat.SampleFormat.Int16,
              4: QAudioFormat.SampleFormat.Int32}.get(width)
    if sample is None:
        raise ValueError(f"{width * 8}-bit samples")
    fmt = QAudioFormat()
    fmt.setSampleRate(rate)
    fmt.setChannelCount(channels)
    fmt.setSampleFormat(sample)
    return fmt


class AlarmCheck(QObject):
    """Whether the alarm can sound here: a device, and one that takes the alarm file's format."""

    changed = Signal(bool)      # usable or not, when that changes
    EVERY_MS = 3 * 60 * 1000

    def __init__(self, path: Path = ALARM_WAV, *, outputs: Callable[[], list[Any]] = system_outputs,
                 pick: Callable[[list[Any]], Any] = default_output, parent: QObject | None = None):
        super().__init__(parent)
        self.path = path
        self._outputs = outputs
        self._pick = pick
        self.problem = ""
        self._timer = QTimer(self, interval=self.EVERY_MS)
        self._timer.timeout.connect(self.check)
        self._devices: Any = None

    def start(self) -> None:
        """Check now, then every few minutes and when a device comes or goes."""
        self._timer.start()
        try:
            from PySide6.QtMultimedia import QMediaDevices

            self._devices = QMediaDevices(self)
            self._devices.audioOutputsChanged.connect(self.check)
        except ImportError:      # no Qt Multimedia at all: check() says so
            pass
        self.check()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def usable(self) -> bool:
        return not self.problem

    def check(self) -> bool:
        problem = self._find_problem()
        if problem != self.problem:
            was = self.usable
            self.problem = problem
            if problem:
                log.warning("alarm sound unavailable: %s", problem)
            else:
                log.info("alarm sound available again")
            if was != self.usable:
                self.changed.emit(self.usable)
        return self.usable

    def _find_problem(self) -> str:
        try:
            fmt = wav_format(self.path)
        except (OSError, EOFError, wave.Error, ValueError) as exc:
            return QCoreApplication.translate("AlarmCheck", "警报音文件无法读取") + f" ({exc})"
        try:
            outputs = self._outputs()
        except ImportError:
            return QCoreApplication.translate("AlarmCheck", "没有多媒体组件")
        if not outputs:
            return QCoreApplication.translate("AlarmCheck", "没有音频输出设备")
        device = self._pick(outputs)
        if not device.isFormatSupported(fmt):
            return QCoreApplication.translate("AlarmCheck", "音频设备不支持警报音格式")
        return ""

    def text(self) -> str:
        """警报音不可用：没有音频输出设备 ("" while the alarm can sound)."""
        if not self.problem:
            return ""
        return QCoreApplication.translate("AlarmCheck", "警报音不可用：{why}").format(why=self.problem)


class AlarmSound(QObject):
    playing_changed = Signal(bool)

    def __init__(self, board: AlertBoard, config: AlertsSection, *,
                 player_factory: Callable[[], Player] = default_player, check: AlarmCheck | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.check = check if check is not None else AlarmCheck(parent=self)
        self.breakthrough = False     # a live red alert or overdue emergency during a replay (ui.replay_bar)
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

    def should_play(self) -> bool:
        wanted = bool(self.board.unacknowledged_red()) or self.breakthrough
        return self.enabled and not self.muted and self.volume > 0 and wanted

    def set_breakthrough(self, on: bool) -> None:
        self.breakthrough = on
        self.update()

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
