"""The wall's own recorder as a child process: started with the wall, bound to its life, restarted after a crash.

On one machine (`commandcenter run`/`demo` on SQLite, with a wall that follows the store) the feeds → store work
runs in a process of its own, `python -m commandcenter RECORDER_COMMAND --config X --store URL`, so it gets the
second core and the wall's process only shows. `RecorderSupervisor` starts it, restarts it after a crash with a
growing pause (reset once it has run a while), gives up only when the recorder refused its config or store (exit
status 2: restarting cannot help) or cannot be started at all, and reports its state as a `RecorderStatus`.

The child's life is bound to the wall's through a pipe: its stdin is a pipe whose only writer is this process, and
the child, told so by PARENT_WATCH_ENV, stops as on SIGTERM when it reads end-of-file (cli/parent_watch.py). The
kernel closes the pipe when the parent dies however it dies, kill -9 included. (prctl(PR_SET_PDEATHSIG) fires when
the forking *thread* ends, and setting it needs a preexec_fn, which is unsafe in a process with threads.)
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from ..domain import FeedState

log = logging.getLogger(__name__)

#: The command the child runs: the recorder (`record` once it exists; `collect` is today's feeds → store process).
RECORDER_COMMAND = "record"

#: Set in the child's environment: "stdin" means "stop when stdin reaches end-of-file" (cli/parent_watch.py).
PARENT_WATCH_ENV = "COMMANDCENTER_EXIT_WITH_PARENT"

#: The exit status of a command that refused its arguments, config or store (argparse and cli.common use it).
EXIT_REFUSED = 2


class RecorderState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    RESTARTING = "restarting"      # it exited unasked; started again after a pause
    FAILED = "failed"              # given up: it refused its config or store, or could not be started
    STOPPED = "stopped"            # stopped by the wall


@dataclass(frozen=True, slots=True)
class RecorderStatus:
    state: RecorderState
    restarts: int = 0
    last_exit_code: int | None = None     # negative: killed by that signal
    pid: int | None = None
    since: datetime | None = None         # when the current state began
    reason: str = ""                      # why it failed, for whoever services the wall

    @property
    def feed_state(self) -> FeedState:
        """The state as the wall colours a feed's: running is live, restarting is stale, failed is down."""
        return {RecorderState.RUNNING: FeedState.LIVE, RecorderState.STARTING: FeedState.LAGGING,
                RecorderState.RESTARTING: FeedState.STALE}.get(self.state, FeedState.DOWN)


Listener = Callable[[RecorderStatus], None]


def recorder_argv(config_path: str | os.PathLike[str], store_url: str, *, python: str = sys.executable) -> list[str]:
    """The child's command line: this interpreter running the recorder on the wall's config and store."""
    return [python, "-m", "commandcenter", RECORDER_COMMAND, "--config", os.fspath(config_path), "--store", store_url]


class RecorderSupervisor:
    """Runs `argv` as a child process until stop(); see the module's docstring. Use on one asyncio loop."""

    def __init__(self, argv: Sequence[str], *, first_pause_s: float = 1.0, longest_pause_s: float = 60.0,
                 settled_s: float = 60.0, stop_timeout_s: float = 10.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """`first_pause_s` doubles after each crash up to `longest_pause_s`; a child that ran `settled_s` starts
        the count again. stop() gives the child `stop_timeout_s` to end cleanly before it is killed."""
        self.argv = list(argv)
        self.first_pause_s = first_pause_s
        self.longest_pause_s = longest_pause_s
        self.settled_s = settled_s
        self.stop_timeout_s = stop_timeout_s
        self._clock = clock
        self.status = RecorderStatus(RecorderState.STOPPED)
        self._listeners: list[Listener] = []
        self._process: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def on_status(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every new status (now with the current one); returns the unsubscribe."""
        self._listeners.append(listener)
        listener(self.status)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None and self._process.returncode is None else None

    async def start(self) -> None:
        """Start the child (returns once it is spawned, or has failed to be)."""
        if self._task is not None:
            return
        self._stopping = False
        spawned = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._supervise(spawned), name="recorder-supervisor")
        await spawned

    async def stop(self) -> int | None:
        """Stop the child cleanly (SIGTERM, then SIGKILL after `stop_timeout_s`); its exit status."""
        self._stopping = True
        process, task = self._process, self._task
        code: int | None = None
        if process is not None and process.returncode is None:
            try:
                process.send_signal(signal.SIGTERM)
                code = await asyncio.wait_for(process.wait(), self.stop_timeout_s)
            except ProcessLookupError:
                code = process.returncode
            except TimeoutError:
                log.warning("recorder %s did not stop in %.0f s: killed", process.pid, self.stop_timeout_s)
                process.kill()
                code = await process.wait()
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self._task = None
        self._set(RecorderState.STOPPED, last_exit_code=code if code is not None else self.status.last_exit_code,
                  pid=None)
        return code

    async def restart(self) -> None:
        """Stop the child cleanly and start a new one (it reads its config again: the wall's was edited)."""
        await self.stop()
        await self.start()

    async def _supervise(self, spawned: asyncio.Future[None]) -> None:
        pause = self.first_pause_s
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._set(RecorderState.STARTING, pid=None)
            try:
                self._process = await asyncio.create_subprocess_exec(
                    *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
                    env={**os.environ, PARENT_WATCH_ENV: "stdin"},
                    # a session of its own: a terminal's Ctrl+C reaches the wall only, which stops the child in turn
                    start_new_session=True)
            except OSError as exc:
                self._set(RecorderState.FAILED, reason=f"cannot start {self.argv[0]}: {exc}")
                break
            finally:
                if not spawned.done():
                    spawned.set_result(None)
            started = loop.time()
            self._set(RecorderState.RUNNING, pid=self._process.pid)
            code = await self._process.wait()
            if self._stopping:
                break
            log.warning("recorder %s exited with status %s", self._process.pid, code)
            if code == EXIT_REFUSED:
                self._set(RecorderState.FAILED, last_exit_code=code, pid=None,
                          reason="the recorder refused its config or store (see its messages above)")
                break
            if loop.time() - started >= self.settled_s:
                pause = self.first_pause_s
            self._set(RecorderState.RESTARTING, last_exit_code=code, pid=None)
            await asyncio.sleep(pause)
            pause = min(pause * 2, self.longest_pause_s)
            if not self._stopping:
                self.status = replace(self.status, restarts=self.status.restarts + 1)

    def _set(self, state: RecorderState, **changes: object) -> None:
        since = self.status.since if state is self.status.state else self._clock()
        self.status = replace(self.status, state=state, since=since, **changes)   # type: ignore[arg-type]
        for listener in list(self._listeners):
            listener(self.status)
