"""How tall text must be on a wall to be read from the room: visual angle, screen pixel pitch, viewing distance.

A character of height h seen from distance d subtends θ = 2·atan(h / 2d), so h = 2·d·tan(θ/2). ISO 9241-3 asks
16 arc minutes at least and 20-22 for what is read often; NUREG-0700 §11.4 asks 15 at least, 20 preferred. On a
screen that height is a number of pixels: h divided by the pixel pitch (the panel's width over its pixels).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

MM_PER_INCH = 25.4

#: Every text on the wall subtends at least this (ISO 9241-3 minimum).
MIN_ARCMIN = 16.0
#: What officers read from their seats (incident titles, statuses, countdowns, KPI values): ISO's preferred 20-22.
READ_ARCMIN = 21.0


def glyph_height_mm(distance_m: float, arc_minutes: float) -> float:
    """The character height (mm) that subtends `arc_minutes` at `distance_m`: h = 2·d·tan(θ/2)."""
    if distance_m <= 0 or arc_minutes <= 0:
        raise ValueError("distance and angle must be positive")
    theta = math.radians(arc_minutes / 60.0)
    return 2.0 * distance_m * 1000.0 * math.tan(theta / 2.0)


def pixel_pitch_mm(width_px: int, height_px: int, *, diagonal_inches: float | None = None,
                   dpi: float | None = None) -> float:
    """The size of one pixel (mm) on a screen showing `width_px` × `height_px` over `diagonal_inches`, or at `dpi`.

    Square pixels: the diagonal spans hypot(width, height) pixels (a 98-inch 16:9 panel at 3840 × 2160 → ≈0.563 mm).
    """
    if (diagonal_inches is None) == (dpi is None):
        raise ValueError("give the screen's diagonal or its dpi, exactly one")
    if dpi is not None:
        if dpi <= 0:
            raise ValueError("dpi must be positive")
        return MM_PER_INCH / dpi
    if width_px <= 0 or height_px <= 0 or diagonal_inches is None or diagonal_inches <= 0:
        raise ValueError("screen pixels and diagonal must be positive")
    return diagonal_inches * MM_PER_INCH / math.hypot(width_px, height_px)


def min_glyph_px(width_px: int, height_px: int, distance_m: float, arc_minutes: float, *,
                 diagonal_inches: float | None = None, dpi: float | None = None) -> float:
    """The smallest glyph height in pixels that subtends `arc_minutes` from `distance_m` on that screen."""
    pitch = pixel_pitch_mm(width_px, height_px, diagonal_inches=diagonal_inches, dpi=dpi)
    return glyph_height_mm(distance_m, arc_minutes) / pitch


def arc_minutes_of(glyph_px: float, pitch_mm: float, distance_m: float) -> float:
    """The visual angle (arc minutes) of a glyph `glyph_px` tall, pixels of `pitch_mm`, seen from `distance_m`."""
    return math.degrees(2.0 * math.atan(glyph_px * pitch_mm / (2.0 * distance_m * 1000.0))) * 60.0


@dataclass(frozen=True)
class Room:
    """One wall window's screen and the farthest seat that reads it: `diagonal_inches` of the area the window
    covers (or `dpi`), and `distance_m` from the screen to that seat."""

    distance_m: float = 5.0
    diagonal_inches: float | None = 98.0
    dpi: float | None = None

    def pitch_mm(self, width_px: int, height_px: int) -> float:
        return pixel_pitch_mm(width_px, height_px, diagonal_inches=self.diagonal_inches, dpi=self.dpi)

    def glyph_px(self, width_px: int, height_px: int, arc_minutes: float) -> float:
        """The glyph height in pixels that subtends `arc_minutes` for this room on a window of that size."""
        return glyph_height_mm(self.distance_m, arc_minutes) / self.pitch_mm(width_px, height_px)
