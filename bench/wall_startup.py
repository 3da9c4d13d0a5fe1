"""startup_first_frame_s: from launching the wall process to its first painted frame.

A child process runs the real `WallApp.start()` (store open and migrate, initial state from the store, the
3840×2160 window with every tile, feeds none) under qasync; an application event filter records the
first Paint event of the wall window, after it was handled. The time is measured from just before the
parent launched the child (imports included). Twice: an empty store, and a big store — the one named
by COMMANDCENTER_BENCH_BIG_STORE (e.g. the store engineer's 10M store) or else one filled here with
--big open+closed incidents (100,000 by default; 20,000 --quick).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import emit, make_incidents, note, parser


def child(url: str) -> None:
    import asyncio

    from PySide6.QtCore import QEvent, QObject

    from common import app, qasync_loop, wall_config
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.wall import WallWindow

    config = wall_config()
    qapp = app(config)
    loop = qasync_loop(qapp)
    painted: list[float] = []

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if not painted and event.type() == QEvent.Type.Paint and hasattr(obj, "window") \
                    and isinstance(obj.window(), WallWindow):
                painted.append(-1.0)   # the frame is painted when the event loop returns to us
            return False

    spy = FirstPaint()
    qapp.installEventFilter(spy)

    async def run() -> None:
        wall = WallApp(config, url)
        orig = wall.build_window

        def build(page):
            w = orig(page)
            w.resize(3840, 2160)
            return w

        wall.build_window = build
        await wall.start(show=True)
        while not painted:
            await asyncio.sleep(0.001)
        painted[0] = time.time()
        qapp.removeEventFilter(spy)
        n = len(wall.live.incidents)
        await wall.stop()
        print(json.dumps({"first_frame": painted[0], "incidents": n}), flush=True)

    with loop:
        loop.run_until_complete(run())


def launch(url: str) -> tuple[float | None, int]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    t0 = time.time()
    proc = subprocess.run([sys.executable, __file__, "--child", url], capture_output=True, text=True, env=env,
                          timeout=240)
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            d = json.loads(line)
            return d["first_frame"] - t0, d["incidents"]
    note(proc.stderr[-2000:])
    return None, 0


def main() -> None:
    a = parser(__doc__)
    a.add_argument("--child")
    a.add_argument("--big", type=int, default=None)
    args = a.parse_args()
    if args.child:
        child(args.child)
        return
    tmp = tempfile.TemporaryDirectory(prefix="bench-startup-")
    empty_s, _ = launch(f"sqlite:///{Path(tmp.name) / 'empty.db'}")
    emit("startup_first_frame_s", empty_s, "s", 3.0, store="empty")
    big_url = os.environ.get("COMMANDCENTER_BENCH_BIG_STORE", "")
    if big_url:
        label = big_url.rsplit("/", 1)[-1]
    else:
        n = args.big or (20_000 if args.quick else 100_000)
        big_url = f"sqlite:///{Path(tmp.name) / 'big.db'}"
        from commandcenter.store import Store
        store = Store.open(big_url)
        for start in range(0, n, 5000):
            store.apply("bench", incidents=make_incidents(min(5000, n - start), start=start, open_share=0.5))
        store.close()
        label = f"{n:,} incidents (half open), filled by this bench"
    big_s, loaded = launch(big_url)
    emit("startup_first_frame_s_big", big_s, "s", 3.0, store=label, n=loaded)


if __name__ == "__main__":
    main()
