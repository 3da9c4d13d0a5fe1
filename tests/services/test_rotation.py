"""The page rotation against a controlled clock: playlists, pins, pauses, holds and red-alert takeover."""
from __future__ import annotations

from commandcenter.domain import AlertLevel, AlertStatus
from commandcenter.services import LiveState
from commandcenter.services.rotation import RotationController, Surface

from tests.support.wall import Clock, alert


def make(clock: Clock, **kw) -> tuple[RotationController, list[tuple[str, str]]]:
    rot = RotationController(clock=clock, **kw)
    shown: list[tuple[str, str]] = []
    rot.on_page(lambda key, page: shown.append((key, page)))
    rot.configure([
        Surface("left", ["总览", "明细", "地图"], 30, alert_page="预警"),
        Surface("right", ["资源"], 30),                       # one page: never rotates
        Surface("fast", ["a", "b"], 10, alert_page="a"),
    ])
    return rot, shown


def run_for(rot: RotationController, clock: Clock, seconds: float, step: float = 0.5) -> None:
    for _ in range(int(seconds / step)):
        clock.advance(step)
        rot.tick()


def test_pages_rotate_every_n_seconds_per_surface():
    clock = Clock()
    rot, shown = make(clock)
    assert [rot.current(k) for k in ("left", "right", "fast")] == ["总览", "资源", "a"]
    run_for(rot, clock, 10)
    assert rot.current("fast") == "b"                 # its own 10 s interval
    run_for(rot, clock, 19.5)
    assert rot.current("left") == "总览"
    run_for(rot, clock, 0.5)
    assert rot.current("left") == "明细"
    run_for(rot, clock, 60)
    assert rot.current("left") == "总览"              # wrapped around the playlist
    assert rot.current("right") == "资源"
    assert ("right", "资源") in shown and sum(1 for k, _ in shown if k == "right") == 1
    assert rot.seconds_left("right") is None


def test_pin_pause_and_details_hold_stop_the_rotation():
    clock = Clock()
    rot, _ = make(clock)
    rot.pin("left", "地图")
    run_for(rot, clock, 100)
    assert rot.current("left") == "地图"
    rot.pin("left", None)
    assert rot.current("left") == "总览"
    rot.pause()
    run_for(rot, clock, 100)
    assert rot.current("left") == "总览" and rot.current("fast") == "a"
    rot.resume()
    run_for(rot, clock, 30)
    assert rot.current("left") == "明细"
    rot.hold(120)                                     # an operator pulls details
    run_for(rot, clock, 119)
    assert rot.current("left") == "明细" and rot.is_holding
    run_for(rot, clock, 1)
    assert not rot.is_holding
    run_for(rot, clock, 30)                           # the timer restarted when the hold ended
    assert rot.current("left") == "地图"


def test_a_red_alert_takes_over_until_acknowledged_then_rotation_resumes():
    clock = Clock()
    rot, shown = make(clock)
    live = LiveState()
    rot.attach(live)
    takeovers: list[str | None] = []
    rot.on_takeover(takeovers.append)
    run_for(rot, clock, 31)
    assert rot.current("left") == "明细"
    live.apply(alerts=[alert("Y1", AlertLevel.YELLOW, at=clock())])
    assert rot.takeover_alert is None                  # only red takes over
    live.apply(alerts=[alert("R1", at=clock())])
    assert rot.takeover_alert == "R1" and takeovers == ["R1"]
    assert rot.current("left") == "预警" and ("left", "预警") in shown   # immediately, not at the next tick
    assert rot.current("right") == "资源"             # no alert page there: it keeps its own page
    rot.pin("left", "地图")
    rot.pause()
    run_for(rot, clock, 300)
    assert rot.current("left") == "预警"              # overrides pins, pauses and the playlist
    live.apply(alerts=[alert("R2", at=clock())])
    rot.resume()
    rot.acknowledged("R1")
    assert rot.takeover_alert == "R2"                  # the next unacknowledged red alert holds the wall
    rot.acknowledged("R2")
    assert rot.takeover_alert is None and takeovers[-1] is None
    assert rot.current("left") == "地图"              # back to its pin
    rot.pin("left", None)
    assert rot.current("left") == "明细"              # and to where its playlist was
    live.apply(alerts=[alert("R1", at=clock(), version=2)])   # a new version of an acknowledged alert
    assert rot.takeover_alert is None


def test_cancelled_expired_shelved_and_preexisting_alerts():
    clock = Clock()
    live = LiveState()
    live.apply(alerts=[alert("R0", at=clock())])      # already there when the wall starts
    rot, _ = make(clock)
    rot.attach(live)
    assert rot.takeover_alert == "R0"
    live.apply(alerts=[alert("R0", version=2, status=AlertStatus.CANCELLED, at=clock())])
    assert rot.takeover_alert is None
    live.apply(alerts=[alert("R3", at=clock(), expires_at=clock() + __import__("datetime").timedelta(seconds=60))])
    assert rot.takeover_alert == "R3"
    run_for(rot, clock, 61)
    assert rot.takeover_alert is None                  # expired
    live.apply(alerts=[alert("R4", at=clock())])
    rot.shelved("R4", clock() + __import__("datetime").timedelta(minutes=5))
    assert rot.takeover_alert is None
    run_for(rot, clock, 301)
    assert rot.takeover_alert == "R4"                  # the shelf ran out


def test_takeover_can_be_disabled_and_reconfigure_keeps_state():
    clock = Clock()
    rot, _ = make(clock, takeover_enabled=False)
    rot.observe_alerts([alert("R1", at=clock())])
    assert rot.takeover_alert is None and rot.current("left") == "总览"
    rot.takeover_enabled = True
    rot.tick()
    assert rot.current("left") == "预警"
    run_for(rot, clock, 31)
    rot.configure([Surface("left", ["明细", "总览"], 30, alert_page="预警")])
    assert rot.takeover_alert == "R1" and list(rot.surfaces) == ["left"]
    rot.acknowledged("R1")
    assert rot.current("left") == "总览"              # kept its page across the reload


def test_a_configured_pin_holds_and_survives_reloads_until_unpinned():
    from commandcenter.config import ConfigError, parse_config

    from tests.support.wall import config_text

    cfg = parse_config(config_text(screens='[[screens]]\npages = ["总览", "明细"]\npin = "明细"\n'))
    assert cfg.screens[0].pin == "明细"
    try:
        parse_config(config_text(screens='[[screens]]\npages = ["总览"]\npin = "明细"\n'), "w.toml")
        raise AssertionError("a pin outside the playlist must be refused")
    except ConfigError as err:
        assert "screens[0].pin" in str(err)
    clock = Clock()
    rot = RotationController(clock=clock)
    rot.configure([Surface("w", ["总览", "明细"], 10, pinned="明细")])
    run_for(rot, clock, 60)
    assert rot.current("w") == "明细"
    rot.configure([Surface("w", ["总览", "明细"], 10)])           # reload without a pin: the pin stays
    assert rot.current("w") == "明细"
    rot.pin("w", None)
    assert rot.current("w") == "总览"
