"""What operators do to alerts: acknowledge, shelve (until a time) and escalate, each recorded in the store.

`AlertActions` is the one service the console, the alert tile, the banner and the alarm sound share:
the console calls its coroutine methods (who / why / which console); the action is written with
`store.record_action` on the store thread (`in_store`), and only once it is committed does the wall's
view of the alert change (signals). `sync()` picks up actions other consoles recorded.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, UTC
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..domain import ActionKind, OperatorAction
from ..services import Change, LiveState

log = logging.getLogger(__name__)
#: How many of its own recorded actions a wall remembers until the store tells them back.
ECHO_MEMORY = 1000

InStore = Callable[..., Awaitable[Any]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AlertActions(QObject):
    """Operator state of alerts (acknowledged / shelved / escalated) backed by the store's action log."""

    changed = Signal(str)            # alert id whose operator state changed
    acknowledged = Signal(str)
    shelved = Signal(str)
    escalated = Signal(str)
    failed = Signal(str, str)        # alert id, error text

    def __init__(self, live: LiveState, in_store: InStore | None = None, store: Any = None, *,
                 clock: Callable[[], datetime] = _utcnow, console: str = "wall", parent: QObject | None = None):
        super().__init__(parent)
        self.live = live
        self._in_store = in_store
        self._store = store
        self.clock = clock
        self.console = console
        self._acked: dict[str, OperatorAction] = {}
        self._shelved: dict[str, OperatorAction] = {}
        self._escalated: dict[str, OperatorAction] = {}
        self._last_id = 0
        self._awaiting_echo: dict[int, None] = {}    # ids of actions this wall recorded, oldest first
        # an alert gone from the live state takes its operator state along: a wall runs for weeks
        self._unsubscribe = live.on_change(self._forget_removed)

    # --- commands (the console calls these) ------------------------------------------------
    async def acknowledge(self, alert_id: str, actor: str, reason: str = "", console: str | None = None, *,
                          seat: str = "") -> OperatorAction:
        return await self._record(ActionKind.ACKNOWLEDGE, alert_id, actor, reason, console, seat=seat)

    async def shelve(self, alert_id: str, actor: str, until: datetime | timedelta, reason: str = "",
                     console: str | None = None, *, seat: str = "") -> OperatorAction:
        expires = self.clock() + until if isinstance(until, timedelta) else until
        if expires <= self.clock():
            raise ValueError("shelve expiry must lie in the future")
        return await self._record(ActionKind.SHELVE, alert_id, actor, reason, console, expires, seat=seat)

    async def escalate(self, alert_id: str, actor: str, reason: str, console: str | None = None, *,
                       recipient: str, seat: str = "") -> OperatorAction:
        """Escalate to `recipient` (a person or department), saying why: both are required."""
        if not recipient.strip():
            raise ValueError("an escalation goes to someone: give the recipient")
        if not reason.strip():
            raise ValueError("an escalation says why: give the reason")
        return await self._record(ActionKind.ESCALATE, alert_id, actor, reason.strip(), console, seat=seat,
                                  recipient=recipient.strip())

    async def _record(self, kind: ActionKind, alert_id: str, actor: str, reason: str, console: str | None,
                      expires: datetime | None = None, *, seat: str = "", recipient: str = "") -> OperatorAction:
        if not actor.strip():
            raise ValueError("an action needs the operator's name")
        alert = self.live.alerts.get(alert_id)
        action = OperatorAction(kind=kind, target_kind="alert", target_id=alert_id, actor=actor.strip(),
                                console=console or self.console, at=self.clock(), reason=reason, expires_at=expires,
                                drill_id=alert.drill_id if alert else None, seat=seat.strip(),
                                recipient=recipient)
        if self._in_store is not None and self._store is not None:
            try:
                action = await self._in_store(self._store.record_action, action)
            except Exception as exc:   # the store said no: nothing changes on the wall
                log.exception("could not record %s of alert %s", kind, alert_id)
                self.failed.emit(alert_id, str(exc))
                raise
        else:
            log.warning("alert action %s on %s not persisted: no store", kind.value, alert_id)
        if action.id is not None:
            self._awaiting_echo[action.id] = None
            while len(self._awaiting_echo) > ECHO_MEMORY:    # a wall that does not follow hears no echo
                del self._awaiting_echo[next(iter(self._awaiting_echo))]
        self.apply(action)
        return action

    def is_own_echo(self, action: OperatorAction) -> bool:
        """Whether `action`, told back by the store's follower, is one this wall recorded and applied already
        (then forgotten: each is told back once)."""
        if action.id is None or action.id not in self._awaiting_echo:
            return False
        del self._awaiting_echo[action.id]
        return True

    # --- state -----------------------------------------------------------------------------
    def _forget_removed(self, change: Change) -> None:
        for aid in change.removed_alerts:
            for d in (self._acked, self._shelved, self._escalated):
                d.pop(aid, None)

    def apply(self, action: OperatorAction) -> None:
        """Take an action into the wall's state (ours just recorded, or another console's from sync())."""
        if action.target_kind != "alert":
            return
        if action.id is not None:
            self._last_id = max(self._last_id, action.id)
        aid = action.target_id
        if action.kind is ActionKind.ACKNOWLEDGE:
            self._acked[aid] = action
            self.acknowledged.emit(aid)
        elif action.kind is ActionKind.SHELVE:
            self._shelved[aid] = action
            self.shelved.emit(aid)
        elif action.kind is ActionKind.ESCALATE:
            self._escalated[aid] = action
            self.escalated.emit(aid)
        else:
            return
        self.changed.emit(aid)

    def restore(self, actions: list[OperatorAction]) -> None:
        """Actions recorded before this wall started, oldest first: its state as if it had seen them, without the
        signals of a new action (nothing reacts to an old acknowledgement as if it had just happened)."""
        kinds = {ActionKind.ACKNOWLEDGE: self._acked, ActionKind.SHELVE: self._shelved,
                 ActionKind.ESCALATE: self._escalated}
        for action in actions:
            if action.id is not None:
                self._last_id = max(self._last_id, action.id)
            state = kinds.get(action.kind)
            if action.target_kind == "alert" and state is not None:
                state[action.target_id] = action
                self.changed.emit(action.target_id)

    async def sync(self) -> int:
        """Read actions recorded since the last one seen (other consoles); returns how many were new."""
        if self._in_store is None or self._store is None:
            return 0
        actions = await self._in_store(self._store.actions_since, self._last_id)
        for a in actions:
            self.apply(a)
        return len(actions)

    async def poll(self, interval_s: float = 2.0) -> None:
        while True:
            try:
                await self.sync()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("alert action sync failed")
            await asyncio.sleep(interval_s)

    def is_acknowledged(self, alert_id: str) -> bool:
        return alert_id in self._acked

    def acknowledgement(self, alert_id: str) -> OperatorAction | None:
        return self._acked.get(alert_id)

    def shelved_until(self, alert_id: str, now: datetime | None = None) -> datetime | None:
        a = self._shelved.get(alert_id)
        if a is None or a.expires_at is None:
            return None
        return a.expires_at if a.expires_at > (now or self.clock()) else None

    def is_shelved(self, alert_id: str, now: datetime | None = None) -> bool:
        return self.shelved_until(alert_id, now) is not None

    def is_escalated(self, alert_id: str) -> bool:
        return alert_id in self._escalated

    def history(self, alert_id: str) -> list[OperatorAction]:
        out = [d[alert_id] for d in (self._acked, self._shelved, self._escalated) if alert_id in d]
        return sorted(out, key=lambda a: a.at)
