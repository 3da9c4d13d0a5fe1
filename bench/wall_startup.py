"""startup_first_frame_s: from launching the wall process to its first painted frame.

A child process runs the real `WallApp.start()` (store open and migrate, initial state from the store, the
window with every tile, feeds none) under qasync on one virtual 3840×2160 screen (the offscreen platform with a
screens configfile: the wall fills it as it fills a real 4K screen); an application event filter records the
first Paint event of the wall window, after it was handled. The time is measured from just before the
parent launched the child (imports included). Twice: an empty store, and a big store — the one named
by COMMANDCENTER_BENCH_BIG_STORE (e.g. the store engineer's 10M store) or else one filled here with
--big open+closed incidents (100,000 by default; 20,000 --quick).

Beside the figure: `cpu_s` (the child's CPU time, all threads, at the first frame: the shared machine's load
moves it far less than the wall-clock figure), the phases (`imports_s`, `store_open_s`, `first_read_s`,
`windows_built_s`, `first_paint_s` …, seconds from the launch; WallApp.marks), `at_first_frame` (incidents in
the live state when the first frame was painted) and `loaded_s` (everything the first frame did not wait
for is in: WallApp.wait_loaded).
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

    imported = time.time()

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
        await wall.start(show=True)
        while not painted:
            await asyncio.sleep(0.001)
        painted[0] = time.time()
        cpu = time.process_time()     # every thread's CPU time: a figure the shared machine's load barely moves
        qapp.removeEventFilter(spy)
        at_first_frame = len(wall.live.incidents)
        if hasattr(wall, "wait_loaded"):     # (also runs against code from before the staged start, for comparisons)
            await wall.wait_loaded()
        loaded = time.time()
        n = len(wall.live.incidents)
        phases = dict(getattr(wall, "marks", {}))
        size = wall.window.size()
        phases = {k: v for k, v in phases.items() if k != "start"}
        await wall.stop()
        print(json.dumps({"first_frame": painted[0], "incidents": n, "at_first_frame": at_first_frame,
                          "loaded": loaded, "imported": imported, "phases": phases,
                          "cpu": cpu, "size": f"{size.width()}x{size.height()}"}), flush=True)

    with loop:
        loop.run_until_complete(run())


def launch(url: str) -> tuple[float | None, int, dict]:
    """(first frame s, incidents once loaded, details: phases as seconds from the launch)."""
    screens = Path(tempfile.mkdtemp(prefix="bench-startup-screen-")) / "screens.json"
    screens.write_text(json.dumps({"screens": [{"name": "wall", "x": 0, "y": 0, "width": 3840, "height": 2160,
                                                "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={screens}")   # one 4K screen: the wall fills it
    t0 = time.time()
    proc = subprocess.run([sys.executable, __file__, "--child", url], capture_output=True, text=True, env=env,
                          timeout=240)
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            d = json.loads(line)
            detail = {"cpu_s": d["cpu"], "imports_s": d["imported"] - t0, "loaded_s": d["loaded"] - t0,
                      "at_first_frame": d["at_first_frame"], "window": d["size"]}
            detail.update({f"{k}_s": v - t0 for k, v in d["phases"].items()})
            return d["first_frame"] - t0, d["incidents"], detail
    note(proc.stderr[-2000:])
    return None, 0, {}


def main() -> None:
    a = parser(__doc__)
    a.add_argument("--child")
    a.add_argument("--big", type=int, default=None)
    args = a.parse_args()
    if args.child:
        child(args.child)
        return
    tmp = tempfile.TemporaryDirectory(prefix="bench-startup-")
    empty_s, _, detail = launch(f"sqlite:///{Path(tmp.name) / 'empty.db'}")
    emit("startup_first_frame_s", empty_s, "s", 3.0, store="empty", **detail)
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
    big_s, loaded, detail = launch(big_url)
    emit("startup_first_frame_s_big", big_s, "s", 3.0, store=label, n=loaded, **detail)


if __name__ == "__main__":
    main()
