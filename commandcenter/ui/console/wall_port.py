"""What the operator console may see of and do to the wall: a `typing.Protocol` that ui.app.WallApp (the
composition root) satisfies, so the console depends on this contract and not on the wall's insides."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from ...config import Config
from ...feeds.clock import BackendClocks
from ...services import LiveState
from ...services.drills import DrillManager
from ...services.replay import LiveDetour, ReplayController
from ...services.rotation import RotationController
from ...store import Store
from ..alert_actions import AlertActions

WallListener = Callable[[str, object], None]


class WallControl(Protocol):
    """The wall as the console steers it: push details, alert actions (acknowledge, shelve, escalate through
    `alert_actions`), pages and pins (`rotation`), drills (`drills`), replay (`replay`), and the store."""

    config: Config
    config_error: Exception | None
    live: LiveState
    rotation: RotationController
    drills: DrillManager | None
    replay: ReplayController | None
    replay_detour: LiveDetour | None
    clocks: BackendClocks
    clock: Callable[[], datetime]
    store: Store | None
    listeners: list[WallListener]
    windows: dict[str, Any]       # window key → its WallWindow, in the wall's order
    plans: dict[str, Any]         # window key → its screens.WindowPlan

    @property
    def alert_actions(self) -> AlertActions | None: ...

    def open_details(self, kind: str, record_id: str, *, area: str | None = None, hold: bool = True) -> None:
        """Push a record's details onto the wall (window `area`, default the first)."""

    def in_store(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Awaitable[Any]:
        """A store call off the GUI thread (the wall's current pipeline)."""

    def push_cameras(self, title: str, camera_ids: list[str]) -> int:
        """Put cameras on every video tile titled `title`; how many tiles took them (0: no such tile)."""

    def alarm_problem(self) -> str:
        """Why the red-alert alarm cannot sound here ("" when it can)."""
