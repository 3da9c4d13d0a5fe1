"""Generate alarm.wav (the red-alert sound) with the standard library: two-tone, 0.8 s, 16-bit PCM stereo 48 kHz
(the format sound cards play natively: QSoundEffect does not convert, a device refusing the format stays silent).

Run: python scripts/make_alarm.py   (the generated file is committed as commandcenter/ui/assets/sounds/alarm.wav)
"""
from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 48_000


def tone(freq: float, seconds: float, amp: float = 0.45) -> list[int]:
    n = int(RATE * seconds)
    fade = int(RATE * 0.01)
    out = []
    for i in range(n):
        env = min(1.0, i / fade, (n - i) / fade)
        out.append(int(32767 * amp * env * math.sin(2 * math.pi * freq * i / RATE)))
    return out


def write(path: Path) -> Path:
    samples = tone(988, 0.25) + tone(0, 0.05) + tone(740, 0.25) + tone(0, 0.25)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<hh", s, s) for s in samples))
    return path


if __name__ == "__main__":
    print(write(Path(__file__).resolve().parents[1] / "commandcenter" / "ui" / "assets" / "sounds" / "alarm.wav"))
