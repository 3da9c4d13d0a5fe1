"""A wall or console that follows the store instead of the backends: what the recorder (or any writer) committed
reaches the live state in commit order, exactly once, through the live state's one writer (LiveCommits).

Each transaction a wall shows has a position in the store's commit log (store/commits.py). The follower keeps the
position it has shown up to; when told something was committed it reads everything after that position (records
from the record log, decoded with the domain codec; territory; devices; operator actions; drills started or
stopped) and hands it on, oldest first. Nothing is read on a timer: it is told.

- PostgreSQL: `PgListener` LISTENs on a connection of its own, on a thread of its own; the writing transaction's
  NOTIFY (payload: its position) wakes the follower at commit. After a reconnect it reads whatever came after its
  position, so nothing sent while it was away is lost.
- SQLite (one machine): `SqliteWatcher` reads `PRAGMA data_version` on a connection of its own every
  SQLITE_WATCH_S (a counter in the WAL index: every event on the wall waits up to that long for it): it changes
  when another connection committed. Chosen over a notification socket because it needs no
  server, port or recorder to be up, sees every writer (the recorder, a console's action, `drill start` from a
  terminal) and reads only a counter in the WAL index, never a table.

A follower behind the store's retention (the rows after its position are gone) reloads the whole state through the
explicit reset path (LiveCommits.reload) and goes on from the position it read before reloading. A lost listener
or a failing read is shown like a feed's: a FeedHealth entry named `store`, stale until it recovers by itself.

Qt-free. Reads and decoding run on the follower's own thread; the live state is written on the caller's loop.
"""
from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from ..config import Config
from ..domain import Alert, FeedHealth, FeedState, Incident, OperatorAction, Resource
from ..domain.record_json import decode_stored_json
from ..feeds import CATALOGUE_KINDS
from ..store import Store
from ..store.commits import CHANNEL, StoredCommit
from .initial_load import read_first_screen, read_rest
from .live_commits import Committed, LiveCommits

log = logging.getLogger(__name__)

STORE_FEED = "store"          # the follower's FeedHealth entry
READ_LIMIT = 500              # commits read per round trip while catching up
SQLITE_WATCH_S = 0.01         # how often the SQLite watcher reads data_version
PG_WAIT_S = 1.0               # a listener's longest wait for notifications before it checks it should stop
PG_KEEPALIVE_S = 5.0          # silence after which the listener asks its server whether it is still there
RETRY_S = (0.2, 0.5, 1.0, 2.0, 5.0)      # waits before reconnecting or reading again after a failure
HEALTH_INTERVAL_S = 1.0
RECORDER_SILENT = "recorder silent: no heartbeat for more than 5 s"

_DECODED: dict[str, type[Any]] = {"incident": Incident, "resource": Resource, "alert": Alert}
T = TypeVar("T")


class ListenerEvents(Protocol):
    """What a listener reports, from its own thread (the follower hands each to its loop)."""

    def connected(self) -> None: ...
    def notified(self, position: int | None) -> None: ...
    def lost(self, reason: str) -> None: ...


class Listener(Protocol):
    def start(self, events: ListenerEvents) -> None: ...
    def stop(self) -> None: ...


class _Thread(ABC):
    """A listener's thread: run `body` until stopped, reporting failures and retrying with growing waits."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0             # connection attempts failed in a row (the wait before the next grows)

    def start(self, events: ListenerEvents) -> None:
        self._thread = threading.Thread(target=self._loop, args=(events,), name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(PG_KEEPALIVE_S + PG_WAIT_S)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _loop(self, events: ListenerEvents) -> None:
        while not self._stop.is_set():
            try:
                self.body(events)
            except Exception as exc:  # noqa: BLE001 - any loss of the connection: report, wait, reconnect
                if self._stop.is_set():
                    return
                events.lost(f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
                self._stop.wait(RETRY_S[min(self.failures, len(RETRY_S) - 1)])
                self.failures += 1

    @abstractmethod
    def body(self, events: ListenerEvents) -> None:
        """Connect, report `connected`, then report commits until stopped (raise on any failure)."""


class PgListener(_Thread):
    """LISTEN on `CHANNEL` on a PostgreSQL connection of its own (`conninfo`: a libpq URL)."""

    def __init__(self, conninfo: str, channel: str = CHANNEL) -> None:
        super().__init__("store-listen")
        self.conninfo = conninfo
        self.channel = channel

    def body(self, events: ListenerEvents) -> None:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {self.channel}")
            self.failures = 0
            events.connected()
            quiet_since = time.monotonic()
            while not self.stopping:
                for note in conn.notifies(timeout=PG_WAIT_S):
                    quiet_since = time.monotonic()
                    events.notified(int(note.payload) if note.payload.isdigit() else None)
                if time.monotonic() - quiet_since >= PG_KEEPALIVE_S:
                    conn.execute("SELECT 1")      # a dead server or link shows here, not as endless silence
                    quiet_since = time.monotonic()


class SqliteWatcher(_Thread):
    """`PRAGMA data_version` of a SQLite database file on a connection of its own: a change is a commit by
    another connection (this process's writer, the recorder, a console)."""

    def __init__(self, path: str, interval_s: float = SQLITE_WATCH_S) -> None:
        super().__init__("store-watch")
        self.path = path
        self.interval_s = interval_s

    def body(self, events: ListenerEvents) -> None:
        conn = sqlite3.connect(self.path, timeout=5, check_same_thread=False)
        try:
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            self.failures = 0
            events.connected()
            while not self._stop.wait(self.interval_s):
                now = conn.execute("PRAGMA data_version").fetchone()[0]
                if now != version:
                    version = now
                    events.notified(None)
        finally:
            conn.close()


def follows(config: Config) -> bool:
    """A wall follows the store when its config says so (`[store] follow = true`; the commands resolve an unset key
    before the wall starts: cli.common.wall_follows_store) or names no feed of records."""
    return config.store.follow is True or not any(f.kind not in CATALOGUE_KINDS for f in config.feeds)


def listener_for(store: Store) -> Listener:
    """The store's notification mechanism: LISTEN on PostgreSQL, data_version on SQLite."""
    url = store.engine.url
    if store.dialect == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("a follower needs a SQLite store in a file (other processes write it)")
        return SqliteWatcher(url.database)
    return PgListener(url.set(drivername="postgresql").render_as_string(hide_password=False))


@dataclass(frozen=True, slots=True)
class Delivered:
    """One committed transaction as the follower handed it on."""

    position: int
    committed_at: datetime
    entry: Committed
    actions: list[OperatorAction]
    drill_id: str | None


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StoreFollower:
    """Follows the store's commits into `commits` (see the module's docstring).

    `on_actions`: operator actions others (and this process) recorded, in commit order; `on_drill`: a drill
    started or stopped (its id); `on_commit`: every delivered transaction (tests and benches observe it). All are
    called on the caller's loop."""

    def __init__(self, store: Store, commits: LiveCommits, *, listener: Listener | None = None,
                 clock: Callable[[], datetime] = _utcnow,
                 on_actions: Callable[[list[OperatorAction]], None] | None = None,
                 on_drill: Callable[[str], None] | None = None,
                 on_commit: Callable[[Delivered], None] | None = None,
                 read_limit: int = READ_LIMIT, name: str = STORE_FEED) -> None:
        self.store = store
        self.commits = commits
        self.listener = listener if listener is not None else listener_for(store)
        self.clock = clock
        self.on_actions = on_actions
        self.on_drill = on_drill
        self.on_commit = on_commit
        self.read_limit = read_limit
        self.name = name
        self.position = 0
        self.received = 0            # records handed on
        self.undecodable = 0         # records of the log the codec refused (logged, the rest goes on)
        self._recorded: list[FeedHealth] = []     # the recorder's feeds as last read from the store
        self.reloads = 0
        self._listening = False
        self._reloading = False
        self._failures = 0
        self._last_ok: datetime | None = None
        self._last_error = ""
        self._last_error_at: datetime | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-follow")

    # -- life ----------------------------------------------------------------------------------------------
    async def start(self, after: int | None = None) -> None:
        """Follow from position `after` (None: the store's newest now, when the caller already loaded what the
        store holds; read that position before loading, so nothing committed in between is missed)."""
        self._loop = asyncio.get_running_loop()
        self.commits.bind(self._loop)
        self.position = after if after is not None else await self._read(self.store.commit_position)
        self.listener.start(_LoopEvents(self, self._loop))
        self._tasks.append(asyncio.create_task(self._follow(), name="store-follow"))
        self._tasks.append(asyncio.create_task(self._report_health(), name="store-follow-health"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await asyncio.get_running_loop().run_in_executor(None, self.listener.stop)
        self._reader.shutdown(wait=True)

    # -- what the listener reports (on the caller's loop) --------------------------------------------------
    def _connected(self) -> None:
        self._listening = True
        self._last_ok = self.clock()
        self._wake.set()          # whatever was committed while nobody listened

    def _notified(self, position: int | None) -> None:
        if position is None or position > self.position:
            self._wake.set()

    def _lost(self, reason: str) -> None:
        if self._listening or reason != self._last_error:
            log.warning("store follower: lost the store's notifications (%s); reconnecting", reason)
        self._listening = False
        self._failed(reason)

    def _failed(self, reason: str) -> None:
        self._last_error = reason
        self._last_error_at = self.clock()

    # -- reading -------------------------------------------------------------------------------------------
    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._reader, lambda: fn(*args))

    async def _follow(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.catch_up()
                self._failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - an unreachable store: shown stale, read again later
                self._failed(f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
                log.warning("store follower: reading the commit log failed (%s)", self._last_error)
                await asyncio.sleep(RETRY_S[min(self._failures, len(RETRY_S) - 1)])
                self._failures += 1
                self._wake.set()

    async def catch_up(self) -> int:
        """Everything committed after the follower's position, handed on in commit order; how many commits."""
        n = 0
        while True:
            behind, batch = await self._read(self._read_after, self.position)
            if behind:
                await self._reload()
                continue
            for delivered in batch:
                await self._deliver(delivered)
            n += len(batch)
            self._last_ok = self.clock()
            if len(batch) < self.read_limit:
                return n

    def _read_after(self, position: int) -> tuple[bool, list[Delivered]]:
        """On the follower's thread: the commits after `position`, decoded."""
        got = self.store.commits_after(position, limit=self.read_limit)
        if got.behind:
            return True, []
        out, territory = [], got.territory
        for c in got.commits:
            out.append(self._decoded(c, territory if c.territory else None))
            if c.territory:
                territory = None      # the whole territory once: with the first commit that moved it
        return False, out

    def _decoded(self, c: StoredCommit, territory: Any) -> Delivered:
        lists: dict[str, list[Any]] = {"incident": [], "resource": [], "alert": []}
        for kind, data in c.records:
            cls = _DECODED.get(kind)
            try:
                if cls is None:
                    raise ValueError(f"unknown record kind {kind!r}")
                lists[kind].append(decode_stored_json(cls, data))
            except Exception as exc:  # noqa: BLE001 - one unreadable record must not stop the others
                self.undecodable += 1
                log.error("store follower: a %s of commit %d could not be decoded (%s: %s); skipped",
                          kind, c.position, type(exc).__name__, str(exc)[:200])
        entry = Committed(incidents=lists["incident"], resources=lists["resource"], alerts=lists["alert"],
                          territory=list(territory or ()), sensors=list(c.sensors))
        return Delivered(c.position, c.committed_at, entry, list(c.actions), c.drill_id)

    async def _deliver(self, d: Delivered) -> None:
        entry = d.entry
        if entry.records or entry.territory:
            await self.commits.show_committed(entry)
            self.received += entry.records
        self.position = d.position
        if d.actions and self.on_actions is not None:
            self.on_actions(d.actions)
        if d.drill_id is not None and self.on_drill is not None:
            self.on_drill(d.drill_id)
        if self.on_commit is not None:
            self.on_commit(d)

    async def _reload(self) -> None:
        """Behind the store's retention: the whole state again, through the reset path, then on from there."""
        self._reloading = True
        self.reloads += 1
        log.warning("store follower: position %d is older than the store keeps; reloading", self.position)
        try:
            position = await self._read(self.store.commit_position)
            now = self.clock()
            first, rest = await self._read(lambda: (read_first_screen(self.store), read_rest(self.store, now)))
            await self.commits.reload(rest, first.resources, first.alerts, first.sensors)
            if first.territory:
                await self.commits.show_committed(Committed(territory=first.territory))
            self.position = position
        finally:
            self._reloading = False

    # -- health --------------------------------------------------------------------------------------------
    def health(self, now: datetime) -> FeedHealth:
        """Live while told of every commit and reading them; stale when the listener or a read failed (until it
        recovers); lagging while reloading."""
        failing = self._last_error_at is not None and (self._last_ok is None or self._last_error_at >= self._last_ok)
        if not self._listening or failing:
            state = FeedState.STALE
        elif self._reloading:
            state = FeedState.LAGGING
        else:
            state = FeedState.LIVE
        return FeedHealth(feed=self.name, state=state, last_ok_at=self._last_ok, last_error=self._last_error,
                          last_error_at=self._last_error_at, received=self.received, quarantined=self.undecodable)

    async def _report_health(self) -> None:
        while True:
            await asyncio.sleep(HEALTH_INTERVAL_S)     # the first after the listener had its moment to connect
            now = self.clock()
            self.commits.health([self.health(now), *await self._recorded_feeds(now)], now)

    async def _recorded_feeds(self, now: datetime) -> list[FeedHealth]:
        """The recorder's feeds as it last wrote them (`Store.feed_status`); stale when its heartbeat stopped."""
        try:
            rows = await self._read(self.store.feed_status)
        except Exception as exc:      # unknown while the store is out of reach: the last known, shown stale
            log.debug("store follower: feed status unreadable: %s", exc)
            return [replace(h, state=FeedState.STALE, last_error=f"store unreachable: {exc}", last_error_at=now)
                    for h in self._recorded]
        self._recorded = [row.health if not row.is_stale(now) else
                          replace(row.health, state=FeedState.STALE, last_error=RECORDER_SILENT,
                                  last_error_at=row.heartbeat_at)
                          for row in rows if row.health.feed != self.name]
        return self._recorded


class _LoopEvents:
    """A listener's reports, handed to the follower on its loop (the follower's state has one writer).

    Notifications that arrive before the loop took the last one are handed on as one (the newest position): a
    burst of commits wakes the loop once, and one read answers them all."""

    def __init__(self, follower: StoreFollower, loop: asyncio.AbstractEventLoop) -> None:
        self._f = follower
        self._loop = loop
        self._lock = threading.Lock()
        self._waiting = False                # a notification is on its way to the loop
        self._newest: int | None = None      # the newest position told since (None: a change of unknown position)

    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn, *args)

    def connected(self) -> None:
        self._call(self._f._connected)

    def notified(self, position: int | None) -> None:
        with self._lock:
            if self._waiting:
                if self._newest is not None:
                    self._newest = None if position is None else max(self._newest, position)
                return
            self._waiting = True
            self._newest = position
        self._call(self._hand_on)

    def _hand_on(self) -> None:
        with self._lock:
            newest, self._waiting = self._newest, False
        self._f._notified(newest)

    def lost(self, reason: str) -> None:
        self._call(self._f._lost, reason)
