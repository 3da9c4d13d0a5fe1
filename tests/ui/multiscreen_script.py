"""Run a wall on several virtual screens in a process of its own (the offscreen platform's screens are fixed
when QApplication starts, and the test session's has one). Usage:

    QT_QPA_PLATFORM=offscreen:configfile=screens.json python multiscreen_script.py spec.json

spec: {"config": path, "store": sqlite url, "out": dir or "", "console": bool, "unplug": [screen names]}
Prints one JSON line: every window's key, screen(s), geometry, full-screen state, pages and tiles.
"""
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication, QImage, QPainter

from commandcenter.config import load_config
from commandcenter.domain import AlertLevel
from commandcenter.ui.app import WallApp, make_app

from tests.support.wall import Clock, alert, incident


def describe(wall: WallApp) -> list[dict]:
    out = []
    for key, w in wall.windows.items():
        g = w.geometry()
        handle = w.windowHandle()
        out.append({
            "key": key, "visible": w.isVisible(), "fullscreen": w.isFullScreen(),
            "frameless": bool(int(w.windowFlags()) & 0x800),
            "screen": handle.screen().name() if handle is not None and handle.screen() else None,
            "geometry": [g.x(), g.y(), g.width(), g.height()],
            "pages": list(w.page_view.views), "current": w.page_view.page_name,
            "tiles": [[t.kind, t.geometry().width(), t.geometry().height()] for t in w.page_view.tiles],
            "duty": w.header.duty_label.text(), "clock": w.header.clock_label.text(),
        })
    return out


async def main(spec: dict) -> dict:
    config = load_config(spec["config"]).model_copy(update={"feeds": []})
    clock = Clock()
    wall = WallApp(config, spec["store"], clock=clock, kiosk=spec.get("kiosk", True))
    await wall.start(show=True)
    await asyncio.wait_for(wall.wait_loaded(), 60)   # the tiles a shown wall builds after its first frame
    result: dict = {"screens": [s.name() for s in QGuiApplication.screens()]}
    try:
        incidents = [incident(n) for n in range(40)]
        alerts = [alert("A-RED-1", title="台风红色预警"), alert("A-Y-1", level=AlertLevel.YELLOW, title="大风黄色预警")]
        applied = await wall.pipeline.in_store(wall.store.apply, "test", incidents=incidents, alerts=alerts)
        wall.live.apply(incidents=applied.incidents, alerts=applied.alerts)
        await asyncio.sleep(0.6)
        await asyncio.sleep(0.05)
        result["windows"] = describe(wall)
        result["takeover"] = wall.rotation.takeover_alert
        desk = None
        if spec.get("console"):
            from commandcenter.ui.console import ConsoleWindow
            from commandcenter.ui.wall_control import WallConsoleControl

            desk = ConsoleWindow(WallConsoleControl(wall))
            desk.sign_in("王建国", "1号席")
            desk.resize(1600, 960)
            desk.show()
            desk.search_text.setText("纠纷")
            await desk.search()
            desk.refresh_alerts()
            await asyncio.sleep(0.3)
        out = spec.get("out")
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            images = {}
            for key, w in wall.windows.items():
                for tile in w.page_view.tiles:
                    model = getattr(tile, "model", None)
                    if model is not None and hasattr(model, "flush"):
                        model.flush()
                await asyncio.sleep(0.05)
                img = w.grab().toImage()
                img.save(str(Path(out) / f"wall-{key}.png"))
                images[key] = (img, w.geometry())
            union = None
            for _img, g in images.values():
                union = g if union is None else union.united(g)
            mosaic = QImage(union.width(), union.height(), QImage.Format.Format_RGB32)
            mosaic.fill(0)
            p = QPainter(mosaic)
            for img, g in images.values():
                p.drawImage(QPoint(g.x() - union.x(), g.y() - union.y()), img)
            p.end()
            mosaic.scaled(union.width() // 2, union.height() // 2).save(str(Path(out) / "wall-mosaic.png"))
            if desk is not None:
                desk.grab().toImage().save(str(Path(out) / "console.png"))
                desk.help.toggle()
                await asyncio.sleep(0.05)
                desk.grab().toImage().save(str(Path(out) / "console-help.png"))
            result["images"] = sorted(p.name for p in Path(out).glob("*.png"))
        if spec.get("ack"):
            assert desk is not None
            await desk._alert_action(__import__("commandcenter.domain", fromlist=["ActionKind"]).ActionKind.ACKNOWLEDGE,
                                     "A-RED-1")
            result["after_ack"] = {k: w.page_view.page_name for k, w in wall.windows.items()}
            result["takeover_after_ack"] = wall.rotation.takeover_alert
        unplug = spec.get("unplug")
        if unplug:
            from commandcenter.ui.screens import current_screens

            present = [s for s in current_screens() if s.name not in unplug]
            wall.relayout(present)
            await asyncio.sleep(0.05)
            result["after_unplug"] = describe(wall)
            wall.relayout(current_screens())
            await asyncio.sleep(0.05)
            result["after_replug"] = describe(wall)
        kill = spec.get("kill")
        if kill:
            old = wall.windows[kill]
            old.close()                        # a window dies (closed by the window manager, crashed tile…)
            await asyncio.sleep(1.6)           # kiosk: the wall restarts it about a second later
            new = wall.windows[kill]
            result["restarted"] = {"new_object": new is not old, "visible": new.isVisible(),
                                   "geometry": [new.geometry().x(), new.geometry().y(), new.width(), new.height()],
                                   "page": new.page_view.page_name}
        if desk is not None:
            desk.close_quietly()
    finally:
        await wall.stop()
    return result


if __name__ == "__main__":
    spec = json.loads(Path(sys.argv[1]).read_text())
    app = make_app(load_config(spec["config"]))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        res = loop.run_until_complete(main(spec))
    print("RESULT " + json.dumps(res, ensure_ascii=False))
