"""Run by test_console_placement.py under the offscreen platform with three fake screens (a screens configfile):
the wall full screen on s0, the console placed twice, moved by the operator in between. Prints RESULT {json}."""
from __future__ import annotations

import json
import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMainWindow

from commandcenter.ui.console.placement import place_console

app = QApplication(sys.argv[:1])
settings_path = sys.argv[1]
screens = {s.name(): s for s in app.screens()}
wall = QMainWindow()
wall.setScreen(screens["s0"])
wall.setGeometry(screens["s0"].geometry())
wall.show()
app.processEvents()

out: dict[str, object] = {"screens": sorted(screens)}
first = QMainWindow()
out["first_placed"] = place_console(first, [wall], QSettings(settings_path, QSettings.Format.IniFormat))
app.processEvents()
out["first"] = first.screen().name()
# the operator drags it to the third screen
target = screens["s2"].geometry()
first.windowHandle().setScreen(screens["s2"])
first.setGeometry(target.x() + 40, target.y() + 30, 1200, 800)
app.processEvents()
first.close()
app.processEvents()

second = QMainWindow()            # the next run
out["second_placed"] = place_console(second, [wall], QSettings(settings_path, QSettings.Format.IniFormat))
app.processEvents()
out["second"] = second.screen().name()
g = second.geometry()
out["second_geometry"] = [g.x(), g.y(), g.width(), g.height()]
out["wall"] = wall.screen().name()
# every screen shows the wall: the console is not placed over it
walls = []
for name in ("s1", "s2"):
    w = QMainWindow()
    w.setScreen(screens[name])
    w.setGeometry(screens[name].geometry())
    w.show()
    walls.append(w)
app.processEvents()
third = QMainWindow()
out["third_placed"] = place_console(third, [wall, *walls], QSettings(settings_path, QSettings.Format.IniFormat))
print("RESULT " + json.dumps(out))
