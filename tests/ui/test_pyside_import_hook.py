"""Modules imported after the wall's Qt keep no copy of their source in memory, and PySide6 still learns which
of them use it (its `__feature__` switch depends on that)."""
from __future__ import annotations

import linecache
import sys

import commandcenter.ui  # noqa: F401  (installs the fix)


def _import(tmp_path, monkeypatch, name: str, text: str):
    (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        return __import__(name)       # an import statement's path (builtins.__import__), which PySide hooks
    finally:
        sys.modules.pop(name, None)


def test_a_module_imported_after_qt_leaves_no_source_lines_in_linecache(tmp_path, monkeypatch):
    module = _import(tmp_path, monkeypatch, "cc_plain_module", "VALUE = 1\n" * 1000)
    assert module.VALUE == 1
    assert module.__file__ not in linecache.cache


def test_pyside_still_tells_modules_that_use_it_from_those_that_do_not(tmp_path, monkeypatch):
    feature = sys.modules["PySide6.support.feature"]
    _import(tmp_path, monkeypatch, "cc_qt_module", "from PySide6 import QtCore\n")
    _import(tmp_path, monkeypatch, "cc_other_module", "import json\n")
    assert feature.pyside_feature_dict["cc_qt_module"] == 0        # uses PySide: feature switching applies
    assert feature.pyside_feature_dict["cc_other_module"] == -1    # ignored
