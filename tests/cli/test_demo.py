"""The demo as a newcomer meets it: it ends on Ctrl+C, other commands find it without --config while it runs
(the README's `drill` and `report` lines work as written), and no command leaves a store behind that it was not
asked to make. The quit keys: Ctrl+Q in a window, Ctrl+Alt+Q then a typed "quit" on a kiosk wall."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from commandcenter.cli import main
from commandcenter.cli.common import default_config, demo_runtime_config, published_demo
from commandcenter.config import DEFAULT_CONFIG, load_config
from commandcenter.config import SCENARIOS_DIR
from tests.support.recorder_child import incidents_in

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = SCENARIOS_DIR / "sample-drill.toml"


@pytest.fixture
def own_dirs(tmp_path, monkeypatch):
    """A runtime and a data directory of the test's own (the user's are never touched)."""
    monkeypatch.setenv("COMMANDCENTER_RUNTIME_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


def test_while_a_demo_runs_its_config_is_every_commands_default(own_dirs):
    config = load_config(DEFAULT_CONFIG)
    store = f"sqlite:///{own_dirs / 'demo.db'}"
    assert default_config() == DEFAULT_CONFIG
    with published_demo(config, store) as path:
        assert default_config() == path == demo_runtime_config()
        shown = load_config(path)
        assert shown.store.url == store and shown.feeds == config.feeds and shown.pages == config.pages
    assert default_config() == DEFAULT_CONFIG and not path.exists()

    path.parent.mkdir(parents=True, exist_ok=True)          # a demo that died: its pid is gone
    path.write_text("", encoding="utf-8")
    path.with_suffix(".pid").write_text("999999999", encoding="utf-8")
    assert default_config() == DEFAULT_CONFIG


def _env(own_dirs: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COMMANDCENTER_RUNTIME_DIR=str(own_dirs / "run"),
               XDG_DATA_HOME=str(own_dirs / "data"), **extra)
    env.pop("COMMANDCENTER_DEMO_CONFIG", None)
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from commandcenter.cli import main; sys.exit(main())", *args]


def test_the_readme_drill_and_report_commands_work_against_the_demo_as_written(own_dirs, capsys, monkeypatch):
    from commandcenter.cli.common import demo_city

    with demo_city("street", 3) as (config, store_url), published_demo(config, store_url):
        # as the README has it, from any folder: `drill start sample-drill` (the bundled scenario)
        drill = subprocess.Popen(_cli("drill", "start", "sample-drill"), cwd=own_dirs,
                                 env=_env(own_dirs), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            started = drill.stdout.readline()
            assert started.startswith("drill: started drill-"), (started, drill.stderr.read())
            drill_id = started.split()[2]
            assert "_control/drills" in started          # played by the demo's simulator
            monkeypatch.chdir(own_dirs)                  # the other commands from anywhere
            assert main(["drill", "stop"]) == 0
            assert drill.wait(timeout=30) == 0
        finally:
            if drill.poll() is None:
                drill.kill()
        report = own_dirs / "report.html"
        assert main(["report", "--drill", drill_id, "--out", str(report)]) == 0
        assert report.exists() and drill_id in capsys.readouterr().out + report.read_text(encoding="utf-8")
    assert not (own_dirs / "data" / "commandcenter").exists()     # the user's default store was never made


def test_a_failing_or_reading_command_creates_no_store(own_dirs, capsys, monkeypatch):
    monkeypatch.chdir(own_dirs)
    with pytest.raises(SystemExit) as end:
        main(["report", "--list"])
    assert end.value.code == 2 and "no store at" in capsys.readouterr().err
    config = own_dirs / "unreachable.toml"
    config.write_text('[[feeds]]\nname = "city"\nurl = "http://127.0.0.1:9/api/v1"\n[drill]\nbackend = "city"\n',
                      encoding="utf-8")
    assert main(["drill", "start", str(SCENARIO), "--config", str(config)]) == 2
    assert "unreachable" in capsys.readouterr().err
    assert not (own_dirs / "data" / "commandcenter").exists()


def _children(pid: int) -> list[list[str]]:
    """The command lines of a process's children (from /proc)."""
    kids: list[list[str]] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                kids.append(Path(f"/proc/{child}/cmdline").read_bytes().decode().split("\0")[:-1])
            except OSError:
                pass       # ended meanwhile
    return kids


def test_the_demo_records_in_a_child_of_its_own_and_ends_with_it_on_ctrl_c(own_dirs):
    demo = subprocess.Popen(_cli("demo"), cwd=own_dirs, env=_env(own_dirs, QT_QPA_PLATFORM="offscreen"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    runtime = own_dirs / "run" / "demo.toml"
    try:
        line = demo.stdout.readline()          # printed once the wall is about to show
        assert line.startswith("演示运行中 / demo running"), (line, demo.stderr.read() if demo.poll() else "")
        assert runtime.exists()
        end = time.monotonic() + 30
        while not (recorders := [a for a in _children(demo.pid) if "record" in a]) and time.monotonic() < end:
            time.sleep(0.2)        # started by the wall, after the line above
        assert len(recorders) == 1, _children(demo.pid)
        argv = recorders[0]
        recorded = load_config(argv[argv.index("--config") + 1])
        assert recorded.feeds == load_config(runtime).feeds      # the simulator and broker the wall shows
        store = argv[argv.index("--store") + 1]
        end = time.monotonic() + 60
        while incidents_in(store) == 0 and time.monotonic() < end:     # the child records the demo's city
            time.sleep(0.5)
        assert incidents_in(store) > 0
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 0, demo.stderr.read()[-2000:]
    finally:
        if demo.poll() is None:
            demo.kill()
    assert not runtime.exists()
    assert not Path(argv[argv.index("--config") + 1]).exists()


def test_ctrl_q_quits_a_windowed_wall_and_a_kiosk_wall_asks_for_quit_to_be_typed(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    from commandcenter.ui.kiosk import install_quit_keys

    quits = []
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    assert install_quit_keys(window, lambda: quits.append("window"), kiosk=False) is None
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert quits == ["window"]

    kiosk = QWidget()
    qtbot.addWidget(kiosk)
    kiosk.resize(1200, 800)
    prompt = install_quit_keys(kiosk, lambda: quits.append("kiosk"), kiosk=True)
    kiosk.show()
    kiosk.activateWindow()
    qtbot.waitActive(kiosk)
    qtbot.keyClick(kiosk.windowHandle(), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert quits == ["window"] and prompt.isHidden()             # one stray key does not end a wall
    qtbot.keyClick(kiosk.windowHandle(), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert prompt.isVisible() and "quit" in prompt.text.text()
    qtbot.keyClicks(prompt.entry, "qiut")
    qtbot.keyClick(prompt.entry, Qt.Key.Key_Return)
    assert quits == ["window"] and prompt.isVisible()            # a typo: still there, asking
    qtbot.keyClicks(prompt.entry, "quit")
    qtbot.keyClick(prompt.entry, Qt.Key.Key_Return)
    assert quits == ["window", "kiosk"] and prompt.isHidden()
