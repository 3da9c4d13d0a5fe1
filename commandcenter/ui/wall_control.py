"""The operator console's view of a running wall: `WallControl`'s verbs and read models
(ui.console.wall_port), carried out on the services the composition root (ui.app.WallApp) built."""
from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from datetime import datetime

from ..config import Config
from ..domain import ActionKind, Incident, OperatorAction
from ..services import LiveState
from ..services.drill_report import ReportData, assemble
from ..services.drills import Drill, DrillManager
from ..services.replay import ReplayController
from ..store import Store
from .app import WallApp
from .console.wall_port import AlertStanding, AreaView, ReplayState, RotationView, WallListener
from .replay_bar import present_live, present_now


class WallConsoleControl:
    """One wall, steered from a console (satisfies ui.console.wall_port.WallControl)."""

    def __init__(self, wall: WallApp) -> None:
        self._wall = wall

    # --- reads --------------------------------------------------------------------------------
    @property
    def config(self) -> Config:
        return self._wall.config

    @property
    def config_error(self) -> Exception | None:
        return self._wall.config_error

    def clock(self) -> datetime:
        return self._wall.clock()

    def present(self) -> LiveState:
        return present_live(self._wall)

    def present_now(self) -> datetime:
        return present_now(self._wall)

    def rotation_view(self) -> RotationView:
        wall, rot = self._wall, self._wall.rotation
        areas = []
        for key in wall.windows:
            plan = wall.plans.get(key)
            surface = rot.surfaces.get(key)
            areas.append(AreaView(
                key=key, screens=tuple(str(t) for t in plan.targets) if plan is not None else (),
                pages=tuple(surface.pages) if surface is not None else (),
                current=rot.current(key) if surface is not None else "",
                pinned=bool(surface.pinned) if surface is not None else False,
                seconds_left=rot.seconds_left(key) if surface is not None else None))
        return RotationView(paused=rot.paused, holding=rot.is_holding, takeover_alert=rot.takeover_alert,
                            areas=tuple(areas))

    def alert_standing(self, alert_id: str) -> AlertStanding:
        actions, rot = self._wall.alert_actions, self._wall.rotation
        if actions is not None:
            if actions.is_acknowledged(alert_id):
                return AlertStanding.ACKNOWLEDGED
            if actions.is_shelved(alert_id):
                return AlertStanding.SHELVED
            if actions.is_escalated(alert_id):
                return AlertStanding.ESCALATED
        elif rot.is_acknowledged(alert_id):
            return AlertStanding.ACKNOWLEDGED
        if alert_id in rot.pending_alerts():
            return AlertStanding.PENDING_TAKEOVER if rot.takeover_alert == alert_id else AlertStanding.PENDING
        return AlertStanding.NONE

    def warnings(self) -> tuple[dict[str, float], str]:
        return self._wall.clock_offsets(), self._wall.alarm_problem()

    @property
    def can_read(self) -> bool:
        return self._wall.store is not None

    @property
    def drills_available(self) -> bool:
        return self._wall.drills is not None

    def running_drill(self) -> Drill | None:
        drills = self._wall.drills
        return drills.current if drills is not None else None

    def reportable_drill(self) -> Drill | None:
        drills = self._wall.drills
        return (drills.current or drills.last) if drills is not None else None

    @property
    def replay(self) -> ReplayController | None:
        return self._wall.replay

    # --- events -------------------------------------------------------------------------------
    def subscribe(self, listener: WallListener) -> Callable[[], None]:
        listeners = self._wall.listeners
        listeners.append(listener)

        def unsubscribe() -> None:
            if listener in listeners:
                listeners.remove(listener)

        return unsubscribe

    def on_alert_state(self, listener: Callable[[str], None]) -> None:
        actions = self._wall.alert_actions
        if actions is not None:
            actions.changed.connect(listener)

    # --- verbs --------------------------------------------------------------------------------
    def push_details(self, kind: str, record_id: str, *, area: str | None = None) -> None:
        self._wall.open_details(kind, record_id, area=area)

    def push_cameras(self, title: str, camera_ids: list[str]) -> int:
        return self._wall.push_cameras(title, camera_ids)

    async def acknowledge(self, alert_id: str, *, actor: str, seat: str) -> None:
        actions = self._wall.alert_actions
        if actions is not None:
            await actions.acknowledge(alert_id, actor, console=socket.gethostname(), seat=seat)
        else:
            await self.record(self._alert_action(ActionKind.ACKNOWLEDGE, alert_id, actor, seat))
        self._wall.rotation.acknowledged(alert_id)

    async def shelve(self, alert_id: str, until: datetime, *, actor: str, seat: str) -> None:
        actions = self._wall.alert_actions
        if actions is not None:
            await actions.shelve(alert_id, actor, until, console=socket.gethostname(), seat=seat)
        else:
            await self.record(self._alert_action(ActionKind.SHELVE, alert_id, actor, seat, expires_at=until))
        self._wall.rotation.shelved(alert_id, until)

    async def escalate(self, alert_id: str, *, actor: str, seat: str, reason: str, recipient: str) -> None:
        actions = self._wall.alert_actions
        if actions is not None:
            await actions.escalate(alert_id, actor, reason, console=socket.gethostname(), recipient=recipient,
                                   seat=seat)
        else:
            await self.record(self._alert_action(ActionKind.ESCALATE, alert_id, actor, seat, reason=reason,
                                                 recipient=recipient))

    def _alert_action(self, kind: ActionKind, alert_id: str, actor: str, seat: str, *, reason: str = "",
                      recipient: str = "", expires_at: datetime | None = None) -> OperatorAction:
        alert = self.present().alerts.get(alert_id)
        return OperatorAction(kind=kind, target_kind="alert", target_id=alert_id, actor=actor,
                              console=socket.gethostname(), at=self.present_now(), reason=reason,
                              expires_at=expires_at, drill_id=alert.drill_id if alert else None, seat=seat,
                              recipient=recipient)

    async def record(self, action: OperatorAction) -> OperatorAction:
        recorded: OperatorAction = await self._wall.in_store(self._store().record_action, action)
        return recorded

    def pause_rotation(self, paused: bool) -> None:
        if paused:
            self._wall.rotation.pause()
        else:
            self._wall.rotation.resume()

    def next_page(self, area: str) -> None:
        if area in self._wall.rotation.surfaces:
            self._wall.rotation.next_page(area)

    def pin(self, area: str, page: str | None) -> None:
        if area in self._wall.rotation.surfaces:
            self._wall.rotation.pin(area, page)

    async def start_drill(self, scenario: str, *, actor: str, reason: str, seat: str) -> Drill:
        return await self._drills().start_async(scenario, actor=actor, reason=reason, seat=seat)

    async def stop_drill(self, *, actor: str, reason: str, seat: str) -> str:
        drills = self._drills()
        await drills.stop_async(actor=actor, reason=reason, seat=seat)
        return drills.backend_error

    async def drill_report(self, drill_id: str) -> ReportData:
        data: ReportData = await self._wall.in_store(assemble, self._store(), drill_id)
        return data

    async def actions_since(self, last_id: int) -> list[OperatorAction]:
        actions: list[OperatorAction] = await self._wall.in_store(self._store().actions_since, last_id)
        return actions

    async def search_incidents(self, *, text: str | None, grid_ids: Sequence[str] | None,
                               limit: int) -> list[Incident]:
        found: list[Incident] = await self._wall.in_store(self._store().incidents, text=text, grid_ids=grid_ids,
                                                          limit=limit, drill=None)
        return found

    def play_window(self, start: datetime, end: datetime, *, speed: float) -> None:
        replay = self._wall.replay
        if replay is not None:
            replay.play_window(start, end, speed=speed)

    def replay_state(self) -> ReplayState:
        replay = self._wall.replay
        if replay is None or not replay.replaying:
            return ReplayState.LIVE
        return ReplayState.PAUSED if replay.paused else ReplayState.PLAYING

    def pause_replay(self, paused: bool) -> None:
        replay = self._wall.replay
        if replay is None or not replay.replaying:
            return
        if paused:
            replay.pause()
        else:
            replay.resume()

    def back_to_live(self) -> bool:
        replay = self._wall.replay
        if replay is None or not replay.replaying:
            return False
        replay.go_live()
        return True

    def _store(self) -> Store:
        store = self._wall.store
        if store is None:
            raise RuntimeError("this wall has no store")
        return store

    def _drills(self) -> DrillManager:
        drills = self._wall.drills
        if drills is None:
            raise RuntimeError("this wall has no drills")
        return drills


__all__ = ["WallConsoleControl"]
