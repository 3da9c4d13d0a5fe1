"""The package is installable: a wheel built from the checkout carries its fonts, translations, sounds, default
config and scenarios, and once installed in a fresh virtual environment `commandcenter snapshot --demo` runs
from an unrelated folder and writes a picture of the wall.

The fresh environment has no site-packages of the system or of the checkout's venv; only the dependencies are
borrowed from the running interpreter's site-packages through a `.pth` line (a path, so that folder's own
`.pth` files — the checkout's editable install among them — are not run). The `commandcenter` that runs is the
wheel's: the test checks where it was imported from.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.slow

SHIPPED = ("commandcenter/config/default.toml", "commandcenter/config/scenarios/sample-drill.toml",
           "commandcenter/config/examples/wall-2x2.toml", "commandcenter/ui/assets/fonts/wqy-microhei.ttc",
           "commandcenter/ui/assets/i18n/commandcenter_en.qm", "commandcenter/ui/assets/sounds/alarm.wav",
           "commandcenter/store/migrations/env.py")


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{cmd[:4]} failed ({out.returncode}):\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built by `python -m build` from a copy of the sources (the checkout stays untouched)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    shutil.copy(ROOT / "pyproject.toml", src)
    shutil.copy(ROOT / "README.md", src)
    shutil.copytree(ROOT / "commandcenter", src / "commandcenter", ignore=shutil.ignore_patterns("__pycache__"))
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(src)], cwd=work, timeout=600)
    [built] = (work / "dist").glob("commandcenter-*.whl")
    return built


def test_the_wheel_carries_the_resources_config_and_scenarios(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not [n for n in SHIPPED if n not in names], sorted(n for n in SHIPPED if n not in names)
    assert not [n for n in names if n.startswith(("tests/", "bench/", "resources/", "config/"))]


def test_the_installed_wheel_renders_the_demo_wall_from_an_unrelated_folder(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--quiet",
          str(wheel)], cwd=tmp_path)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).strip())
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "data"),
               COMMANDCENTER_RUNTIME_DIR=str(tmp_path / "run"))
    where = _run([str(python), "-c", "import commandcenter; print(commandcenter.__file__)"], cwd=elsewhere, env=env)
    assert Path(where.strip()).is_relative_to(site), f"imported {where.strip()}, not the wheel's copy in {site}"

    out = elsewhere / "wall.png"
    _run([str(venv / "bin" / "commandcenter"), "snapshot", "--demo", "--out", str(out), "--size", "1280x720",
          "--after", "2"], cwd=elsewhere, env=env, timeout=240)

    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 720, 16)}
    assert len(colours) > 20, "the picture is nearly blank: the wall drew no tiles"
    assert list(elsewhere.iterdir()) == [out], "the command left files in the folder it ran from"
