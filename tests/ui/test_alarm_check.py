"""The siren is known to work: without an audio device (the offscreen test machine has none) the wall's status
bar and the console say 警报音不可用; when a device that takes the alarm's format comes, the warning goes."""
from __future__ import annotations

import pytest

from commandcenter.ui.sound import ALARM_WAV, AlarmCheck, wav_format

from tests.support.wall import config_text


class Device:
    def __init__(self, accepts: bool = True):
        self.accepts = accepts

    def isFormatSupported(self, fmt) -> bool:  # noqa: N802 (Qt naming)
        return self.accepts and fmt.sampleRate() == 48000


def test_the_shipped_alarm_is_pcm_wav_in_a_format_sound_cards_play(qapp):
    fmt = wav_format(ALARM_WAV)
    assert (fmt.sampleRate(), fmt.channelCount(), fmt.bytesPerSample()) == (48000, 2, 2)


def test_the_check_follows_the_devices_and_says_why_it_cannot_sound(qapp):
    outputs: list[Device] = []
    check = AlarmCheck(outputs=lambda: outputs, pick=lambda devices: devices[0])
    seen = []
    check.changed.connect(seen.append)
    assert not check.check() and check.text() == "警报音不可用：没有音频输出设备"
    outputs.append(Device(accepts=False))
    assert not check.check() and check.text() == "警报音不可用：音频设备不支持警报音格式"
    outputs[0] = Device()
    assert check.check() and check.text() == ""
    outputs.clear()
    assert not check.check()
    assert seen == [False, True, False]


def test_a_wall_without_an_audio_device_shows_the_warning_on_its_status_bar_and_the_console(qapp, qloop, tmp_path,
                                                                                            sqlite_url):
    from commandcenter.config import load_config
    from commandcenter.ui.app import WallApp, make_app
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl
    from commandcenter.ui.sound import system_outputs

    if system_outputs():
        pytest.skip("this machine has an audio output device")
    path = tmp_path / "wall.toml"
    path.write_text(config_text(), encoding="utf-8")
    config = load_config(path)
    make_app(config)
    wall = WallApp(config, sqlite_url)

    async def scenario() -> None:
        await wall.start(show=False)
        desk = ConsoleWindow(WallConsoleControl(wall))
        try:
            bar = wall.window.health_bar
            bar.refresh_warnings()
            assert bar.warning.text() == "⚠ 警报音不可用：没有音频输出设备"
            assert bar.warning.isVisibleTo(wall.window)
            desk.refresh_status()
            assert desk.wall_warning.text() == "⚠ 警报音不可用：没有音频输出设备"
            assert desk.wall_warning.isVisibleTo(desk)
        finally:
            desk.close_quietly()
            await wall.stop()

    qloop.run_until_complete(scenario())
