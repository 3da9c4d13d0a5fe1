"""The drill banner across the top of a wall: a long scenario name or reason is elided on the banner (whole in its
tooltip and text) and never widens the wall's window past its screen."""
from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from commandcenter.services import LiveState
from commandcenter.services.drills import DrillManager
from commandcenter.store import Store
from commandcenter.ui.drill_banner import DrillBanner
from tests.support.drills import SCENARIO, FakeClock


def test_a_long_reason_is_elided_on_the_banner_and_leaves_the_windows_width_alone(qtbot, tmp_path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'wall.db'}") as store:
        drills = DrillManager(store, LiveState(), clock=FakeClock(), console="wall-1")
        reason = "夜间联合演练，" * 40
        drills.start(SCENARIO, actor="李科长", reason=reason)
        screen = QWidget()
        qtbot.addWidget(screen)
        banner = DrillBanner(drills)
        QVBoxLayout(screen).addWidget(banner)
        screen.resize(1280, 200)
        screen.show()
        qtbot.waitExposed(screen)

        assert not banner.isHidden()
        assert screen.minimumSizeHint().width() <= 1280 and screen.width() == 1280
        shown = banner.scenario.text()
        assert shown.endswith("…") and len(shown) < len(banner.scenario.full_text)
        assert reason in banner.scenario.toolTip() and reason in banner.text()
        drills.stop(actor="李科长")
