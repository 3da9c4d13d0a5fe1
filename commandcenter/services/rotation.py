"""Which page each wall surface shows, and when it changes: playlists, pins, pauses, red-alert takeover.

Qt-free and driven by an injected clock so tests control time; `ui.pages.RotationTimer` calls
`tick()` from a QTimer. A surface is one wall window (one screen, or several spanned).

Rules:
- a surface cycles through its playlist, one page every `seconds` (0 or one page = no rotation);
- a pinned surface stays on its pinned page;
- `pause()` (the console) stops every surface until `resume()`; `hold(seconds)` (an operator pulling
  details) stops them until the hold runs out;
- a red, active, live public warning (预警; never a device alarm or a supervision notice) that has not been
  acknowledged (or shelved) brings the surface's alert
  page forward and keeps it there, overriding pins and pauses, until `acknowledged(alert_id)` for
  every such alert. Afterwards the surface returns to where its playlist was and its timer restarts.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC

from ..domain import Alert, AlertLevel, AlertStatus, SignalKind, signal_kind
from .live_state import Change, LiveState

log = logging.getLogger(__name__)

PageListener = Callable[[str, str], None]          # (surface key, page name)
TakeoverListener = Callable[[str | None], None]    # the alert now taking over, or None when released


@dataclass
class Surface:
    key: str
    pages: list[str]
    seconds: float
    alert_page: str | None = None
    index: int = 0
    shown_since: datetime | None = None
    pinned: str | None = None

    @property
    def rotates(self) -> bool:
        return self.seconds > 0 and len(self.pages) > 1


@dataclass
class RotationController:
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    takeover_enabled: bool = True
    surfaces: dict[str, Surface] = field(default_factory=dict)
    paused: bool = False
    hold_until: datetime | None = None
    _pending: dict[str, Alert] = field(default_factory=dict)      # red alerts waiting for acknowledgement
    _acknowledged: set[str] = field(default_factory=set)
    _shelved: dict[str, datetime | None] = field(default_factory=dict)
    _shown: dict[str, str] = field(default_factory=dict)
    _page_listeners: list[PageListener] = field(default_factory=list)
    _takeover_listeners: list[TakeoverListener] = field(default_factory=list)
    _takeover_shown: str | None = None

    # ------------------------------------------------------------------ configuration
    def configure(self, surfaces: Iterable[Surface]) -> None:
        """Replace the surfaces (a config reload), keeping alert state; a surface keeps its page if it still has it."""
        now = self.clock()
        new: dict[str, Surface] = {}
        for s in surfaces:
            if not s.pages:
                raise ValueError(f"surface {s.key!r} has no pages")
            old = self.surfaces.get(s.key)
            if old is not None and old.pages and old.pages[old.index] in s.pages:
                s.index = s.pages.index(old.pages[old.index])
                s.shown_since = old.shown_since
                if s.pinned is None:                 # no pin in the new config: keep the console's
                    s.pinned = old.pinned if old.pinned in s.pages else None
            s.shown_since = s.shown_since or now
            new[s.key] = s
        self.surfaces = new
        self._shown = {k: v for k, v in self._shown.items() if k in new}
        self._publish()

    def on_page(self, listener: PageListener) -> Callable[[], None]:
        self._page_listeners.append(listener)
        return lambda: self._page_listeners.remove(listener)

    def on_takeover(self, listener: TakeoverListener) -> Callable[[], None]:
        self._takeover_listeners.append(listener)
        return lambda: self._takeover_listeners.remove(listener)

    def attach(self, live: LiveState) -> Callable[[], None]:
        """Follow a LiveState's alerts (those already there count too); returns the unsubscribe function."""
        self.observe_alerts(live.alerts.values())

        def listener(change: Change) -> None:
            if change.alerts:
                self.observe_alerts(change.alerts)
            if change.removed_alerts:           # taken off the live state (a finished drill's warnings)
                for aid in change.removed_alerts:
                    self._pending.pop(aid, None)
                self._after_takeover_change()

        return live.on_change(listener)

    # ------------------------------------------------------------------ queries
    def current(self, key: str) -> str:
        s = self.surfaces[key]
        if self.takeover_alert is not None and s.alert_page:
            return s.alert_page
        if s.pinned:
            return s.pinned
        return s.pages[s.index]

    @property
    def takeover_alert(self) -> str | None:
        """The id of the red alert holding the wall (the oldest unacknowledged one), if any."""
        if not self.takeover_enabled:
            return None
        self._expire_shelves()
        live = [a for a in self._pending.values() if self._wants_takeover(a)]
        if not live:
            return None
        return min(live, key=lambda a: (a.issued_at, a.id)).id

    def is_acknowledged(self, alert_id: str) -> bool:
        return alert_id in self._acknowledged

    def pending_alerts(self) -> list[str]:
        return [a.id for a in sorted(self._pending.values(), key=lambda a: (a.issued_at, a.id)) if self._wants_takeover(a)]

    @property
    def is_holding(self) -> bool:
        return self.hold_until is not None and self.clock() < self.hold_until

    def seconds_left(self, key: str) -> float | None:
        """Until the surface's next page, or None while it does not rotate."""
        s = self.surfaces[key]
        if not self._rotating(s) or s.shown_since is None:
            return None
        return max(0.0, s.seconds - (self.clock() - s.shown_since).total_seconds())

    # ------------------------------------------------------------------ operator controls
    def pin(self, key: str, page: str | None) -> None:
        s = self.surfaces[key]
        if page is not None and page not in s.pages and page != s.alert_page:
            raise ValueError(f"surface {key!r} has no page {page!r}")
        s.pinned = page
        if page is None:
            s.shown_since = self.clock()
        self._publish()

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False
        self.hold_until = None
        now = self.clock()
        for s in self.surfaces.values():
            s.shown_since = now

    def hold(self, seconds: float) -> None:
        """An operator is pulling details: rotation waits `seconds` from now (extends, never shortens)."""
        until = self.clock() + timedelta(seconds=seconds)
        if self.hold_until is None or until > self.hold_until:
            self.hold_until = until

    def next_page(self, key: str) -> None:
        s = self.surfaces[key]
        s.index = (s.index + 1) % len(s.pages)
        s.shown_since = self.clock()
        self._publish()

    def acknowledged(self, alert_id: str) -> None:
        """An operator acknowledged the alert (an OperatorAction in the store): it no longer holds the wall."""
        self._acknowledged.add(alert_id)
        self._pending.pop(alert_id, None)
        self._after_takeover_change()

    def shelved(self, alert_id: str, until: datetime | None = None) -> None:
        self._shelved[alert_id] = until
        self._after_takeover_change()

    # ------------------------------------------------------------------ driving
    def observe_alerts(self, alerts: Iterable[Alert]) -> None:
        for a in alerts:
            if (a.level >= AlertLevel.RED and signal_kind(a.type) is SignalKind.WARNING
                    and a.status is AlertStatus.ACTIVE and a.id not in self._acknowledged):
                self._pending[a.id] = a   # red public warnings only: alarms and supervision never take the wall
            else:
                self._pending.pop(a.id, None)
        self._after_takeover_change()

    def tick(self) -> None:
        """Advance whatever is due; call it often (the Qt adapter: twice a second)."""
        now = self.clock()
        if self.hold_until is not None and now >= self.hold_until:
            self.hold_until = None
            for s in self.surfaces.values():
                s.shown_since = now
        for s in self.surfaces.values():
            if not self._rotating(s) or s.shown_since is None:
                continue
            if (now - s.shown_since).total_seconds() >= s.seconds:
                s.index = (s.index + 1) % len(s.pages)
                s.shown_since = now
        self._after_takeover_change()

    # ------------------------------------------------------------------ internals
    def _rotating(self, s: Surface) -> bool:
        if not s.rotates or s.pinned or self.paused or self.is_holding:
            return False
        return not (self.takeover_alert is not None and s.alert_page)

    def _wants_takeover(self, a: Alert) -> bool:
        if a.id in self._acknowledged or a.id in self._shelved:
            return False
        return a.is_live(self.clock())

    def _expire_shelves(self) -> None:
        now = self.clock()
        for alert_id, until in list(self._shelved.items()):
            if until is not None and until <= now:
                del self._shelved[alert_id]

    def _after_takeover_change(self) -> None:
        alert = self.takeover_alert
        if alert != self._takeover_shown:
            released = alert is None
            self._takeover_shown = alert
            if released:
                now = self.clock()
                for s in self.surfaces.values():
                    s.shown_since = now
            for listener in list(self._takeover_listeners):
                listener(alert)
        self._publish()

    def _publish(self) -> None:
        for key in self.surfaces:
            page = self.current(key)
            if self._shown.get(key) != page:
                self._shown[key] = page
                for listener in list(self._page_listeners):
                    listener(key, page)
