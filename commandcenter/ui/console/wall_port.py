"""What the operator console may see of and do to the wall: verbs (push, acknowledge, shelve, escalate, pin,
start/stop a drill, replay…) and a few typed read models, as a `typing.Protocol`. The composition root's
`ui.wall_control.WallConsoleControl` satisfies it; the console depends on this contract, not on the wall's insides."""
from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ...config import Config
from ...domain import Incident, OperatorAction
from ...services import LiveState
from ...services.drill_report import ReportData
from ...services.drills import Drill
from ...services.replay import ReplayController

WallListener = Callable[[str, object], None]


class AlertStanding(enum.Enum):
    """Where an alert stands with the operators (the console's alert list shows it)."""

    NONE = "none"
    ACKNOWLEDGED = "acknowledged"
    SHELVED = "shelved"
    ESCALATED = "escalated"
    PENDING = "pending"                  # waiting for an acknowledgement
    PENDING_TAKEOVER = "takeover"        # waiting, and holding the wall


class ReplayState(enum.Enum):
    """What the wall shows: the present, or a past window playing or paused."""

    LIVE = "live"
    PLAYING = "playing"
    PAUSED = "paused"


@dataclass(frozen=True)
class AreaView:
    """One wall window as the console lists it: its key, the screens it covers, its pages and what it shows."""

    key: str
    screens: tuple[str, ...]     # empty: the primary screen
    pages: tuple[str, ...]       # the pages it rotates through (empty: no rotation configured for it)
    current: str                 # the page shown now
    pinned: bool
    seconds_left: float | None   # until the next page (None: it does not rotate)


@dataclass(frozen=True)
class RotationView:
    """The page rotation as the console's status shows it."""

    paused: bool
    holding: bool                # waiting while an operator looks at pushed details
    takeover_alert: str | None   # a red alert holding the wall until acknowledged
    areas: tuple[AreaView, ...]

    def area(self, key: str | None) -> AreaView | None:
        return next((a for a in self.areas if a.key == key), None)


class WallControl(Protocol):
    """The wall as the console steers it."""

    # --- what the console reads -------------------------------------------------------------
    @property
    def config(self) -> Config: ...

    @property
    def config_error(self) -> Exception | None: ...

    def clock(self) -> datetime:
        """The wall's now (its reference backend's time)."""

    def present(self) -> LiveState:
        """The live state of the present, also while the wall replays the past (the console's lists follow it)."""

    def present_now(self) -> datetime:
        """Present time, also while the wall's clock is the replay's (actions are recorded at it)."""

    def rotation_view(self) -> RotationView: ...

    def alert_standing(self, alert_id: str) -> AlertStanding: ...

    def warnings(self) -> tuple[dict[str, float], str]:
        """The backend clock offsets worth showing and why the red-alert alarm cannot sound ("" when it can)."""

    @property
    def can_read(self) -> bool:
        """Whether the wall has a store to search and record in."""

    @property
    def drills_available(self) -> bool: ...

    def running_drill(self) -> Drill | None: ...

    def reportable_drill(self) -> Drill | None:
        """The running drill, or else the last one (None: none this session)."""

    @property
    def replay(self) -> ReplayController | None:
        """The replay the console's scrubber (ui.replay_bar.ReplayBar) drives; None: this wall cannot replay."""

    # --- what the console is told -----------------------------------------------------------
    def subscribe(self, listener: WallListener) -> Callable[[], None]:
        """Wall events ("config_applied", "config_refused", "details", "page", "takeover", "replay"); returns the
        unsubscribe."""

    def on_alert_state(self, listener: Callable[[str], None]) -> None:
        """An alert's operator state changed (acknowledged, shelved, escalated: here or on another console)."""

    # --- what the console does --------------------------------------------------------------
    def push_details(self, kind: str, record_id: str, *, area: str | None = None) -> None:
        """Push a record's details onto the wall (window `area`, default the first)."""

    def push_cameras(self, title: str, camera_ids: list[str]) -> int:
        """Put cameras on every video tile titled `title`; how many tiles took them (0: no such tile)."""

    async def acknowledge(self, alert_id: str, *, actor: str, seat: str) -> None: ...

    async def shelve(self, alert_id: str, until: datetime, *, actor: str, seat: str) -> None: ...

    async def escalate(self, alert_id: str, *, actor: str, seat: str, reason: str, recipient: str) -> None: ...

    async def record(self, action: OperatorAction) -> OperatorAction:
        """Record an operator action in the store (a push, for instance)."""

    def pause_rotation(self, paused: bool) -> None: ...

    def next_page(self, area: str) -> None: ...

    def pin(self, area: str, page: str | None) -> None:
        """Keep `area` on `page` (None: rotate again)."""

    async def start_drill(self, scenario: str, *, actor: str, reason: str, seat: str) -> Drill: ...

    async def stop_drill(self, *, actor: str, reason: str, seat: str) -> str:
        """Stop the running drill; what went wrong telling the backend ("" if nothing)."""

    async def drill_report(self, drill_id: str) -> ReportData: ...

    async def actions_since(self, last_id: int) -> list[OperatorAction]: ...

    async def search_incidents(self, *, text: str | None, grid_ids: Sequence[str] | None,
                               limit: int) -> list[Incident]: ...

    def play_window(self, start: datetime, end: datetime, *, speed: float) -> None:
        """Play a past window on the wall (every tile, the REPLAY banner)."""

    def replay_state(self) -> ReplayState: ...

    def pause_replay(self, paused: bool) -> None: ...

    def back_to_live(self) -> bool:
        """Show the present again; False when the wall was not replaying."""
