"""A child that ends with its parent: when `PARENT_WATCH_ENV` is "stdin", a thread reads stdin (a pipe whose only
writer is the parent, services/recorder_child.py) and, at end-of-file, sends this process SIGTERM, so the
command stops the way it does on SIGTERM (feeds cancelled, the batch in flight committed or not started). The
kernel closes the pipe when the parent dies, kill -9 included. Should that clean stop hang, the process
exits anyway after GRACE_S."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time

from ..services.recorder_child import PARENT_WATCH_ENV

GRACE_S = 15.0
STDIN_FD = 0
EXIT_PARENT_GONE = 75     # EX_TEMPFAIL: the clean stop did not finish in time


def watch_parent_if_asked() -> None:
    """Start the watch when the environment asks for it; the variable is removed so this process's own children
    do not inherit it."""
    if os.environ.pop(PARENT_WATCH_ENV, "") != "stdin":
        return
    threading.Thread(target=_wait_for_eof, name="parent-watch", daemon=True).start()


def _wait_for_eof() -> None:
    # the file descriptor, not sys.stdin: a daemon thread blocked in a buffered read holds its lock at interpreter
    # shutdown, and Python aborts on it
    try:
        while os.read(STDIN_FD, 4096):
            pass    # the parent never writes: anything read is ignored
    except OSError:
        pass    # no stdin to watch is a closed pipe too
    print("parent gone: stopping", file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_S)
    os._exit(EXIT_PARENT_GONE)
