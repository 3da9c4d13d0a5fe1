"""Watching the config file: a valid edit is applied live, an invalid one is refused with its error.

Editors save by writing a new file and renaming it over the old one, which drops a QFileSystemWatcher's
watch; so the directory is watched too, the file's watch is re-added after every event, and a slow
poll of (mtime, size, content hash) catches whatever the watcher misses (network filesystems).
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from ..config import Config, ConfigError, load_config

log = logging.getLogger(__name__)


class ConfigWatcher(QObject):
    applied = Signal(object)    # Config: the new, valid config
    refused = Signal(object)    # ConfigError: the running wall stays as it is

    def __init__(self, path: str | Path, *, debounce_ms: int = 300, poll_ms: int = 1000, parent: QObject | None = None):
        super().__init__(parent)
        self.path = Path(path).resolve()
        self.last_error: ConfigError | None = None
        self._digest = self._read_digest()
        self._stat = self._read_stat()
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_event)
        self._watcher.directoryChanged.connect(self._on_event)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.check)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self._on_poll)

    def start(self) -> None:
        self._rewatch()
        self._poll.start()

    def stop(self) -> None:
        self._poll.stop()
        self._debounce.stop()
        paths = self._watcher.files() + self._watcher.directories()
        if paths:
            self._watcher.removePaths(paths)

    def _rewatch(self) -> None:
        if self.path.exists() and str(self.path) not in self._watcher.files():
            self._watcher.addPath(str(self.path))
        if self.path.parent.exists() and str(self.path.parent) not in self._watcher.directories():
            self._watcher.addPath(str(self.path.parent))

    def _read_stat(self) -> tuple[float, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime, st.st_size

    def _read_digest(self) -> str | None:
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            return None

    def _on_event(self, _path: str) -> None:
        self._rewatch()
        self._debounce.start()

    def _on_poll(self) -> None:
        self._rewatch()
        if self._read_stat() != self._stat:
            self._debounce.start()

    def check(self) -> bool:
        """Reload if the content changed; True when a new config was applied."""
        self._stat = self._read_stat()
        digest = self._read_digest()
        if digest is None or digest == self._digest:
            return False   # a rename in progress, or a touch without a change
        self._digest = digest
        try:
            config = load_config(self.path)
        except ConfigError as exc:
            self.last_error = exc
            log.warning("config edit refused; the wall keeps running as it was:\n%s", exc)
            self.refused.emit(exc)
            return False
        self.last_error = None
        log.info("config %s changed; applying", self.path)
        self.applied.emit(config)
        return True

    @staticmethod
    def describe(config: Config) -> str:
        return f"{len(config.pages)} pages, {len(config.screens) or 1} windows"
