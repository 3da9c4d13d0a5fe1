"""The layering rules (pyproject's import-linter contracts) hold: Qt only in ui, sim on domain only, no upward imports."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept():
    exe = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_contracts_have_no_ignore_lists():
    text = (ROOT / "pyproject.toml").read_text()
    assert "ignore_imports" not in text
