"""Fixtures for the wall's tile tests. Nothing here is autouse: the map tests keep their own set-up."""
from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture
def ui(qapp):
    """The wall's fonts (real CJK glyphs), stylesheet and time zone, as the running wall has them."""
    from commandcenter.ui import format as fmt
    from commandcenter.ui import theme
    from PySide6.QtCore import QLocale

    from commandcenter.ui.resources import install_language, register_fonts

    before = QLocale()
    register_fonts(qapp)
    install_language("zh_CN")          # numbers in the wall's locale: 1,234
    fmt.set_timezone("Asia/Shanghai")
    qapp.setStyleSheet(theme.stylesheet())
    yield qapp
    qapp.setStyleSheet("")
    QLocale.setDefault(before)


@pytest.fixture
def clock():
    from tests.support import wall_data

    return wall_data.Clock()


def run_until(loop: asyncio.AbstractEventLoop, predicate, timeout: float = 5.0, step: float = 0.02) -> bool:
    """`eventually_holds` from outside the loop (a test that is not one coroutine)."""
    from tests.support.fixtures import eventually_holds

    return loop.run_until_complete(eventually_holds(predicate, timeout, step))


@pytest.fixture
def until(qloop):
    return lambda predicate, timeout=5.0: run_until(qloop, predicate, timeout)
