"""Text sized for the room: the glyph height that subtends an angle from a seat, in a screen's pixels."""
import math

import pytest

from commandcenter.domain.legibility import (
    MIN_ARCMIN,
    READ_ARCMIN,
    Room,
    arc_minutes_of,
    glyph_height_mm,
    min_glyph_px,
    pixel_pitch_mm,
)


def test_a_98_inch_16_9_4k_panel_has_a_pixel_pitch_of_about_0_563_mm():
    # the geometric pitch is 0.565 mm; a real panel's active area is a little smaller than its nominal diagonal
    assert pixel_pitch_mm(3840, 2160, diagonal_inches=98) == pytest.approx(0.563, abs=0.003)


def test_a_glyph_height_follows_h_equals_2_d_tan_half_theta():
    # 16' at 5 m: 2 · 5000 mm · tan(8') ≈ 23.27 mm; 20' ≈ 29.09 mm
    assert glyph_height_mm(5, 16) == pytest.approx(23.27, abs=0.01)
    assert glyph_height_mm(5, 20) == pytest.approx(2 * 5000 * math.tan(math.radians(10 / 60)))


def test_sixteen_arc_minutes_at_5_m_on_a_98_inch_4k_panel_is_about_41_pixels():
    assert min_glyph_px(3840, 2160, 5, MIN_ARCMIN, diagonal_inches=98) == pytest.approx(41.3, abs=0.2)


def test_the_same_panel_needs_half_the_pixels_at_1080p_and_twice_at_8k():
    at_4k = min_glyph_px(3840, 2160, 5, MIN_ARCMIN, diagonal_inches=98)
    assert min_glyph_px(1920, 1080, 5, MIN_ARCMIN, diagonal_inches=98) == pytest.approx(at_4k / 2)
    assert min_glyph_px(7680, 4320, 5, MIN_ARCMIN, diagonal_inches=98) == pytest.approx(at_4k * 2)


def test_a_screen_given_by_dpi_has_the_same_pitch_whatever_the_window():
    assert pixel_pitch_mm(1920, 1080, dpi=45.1) == pytest.approx(pixel_pitch_mm(7680, 4320, dpi=45.1))
    assert pixel_pitch_mm(1, 1, dpi=25.4) == pytest.approx(1.0)


def test_angle_and_height_are_inverse():
    pitch = pixel_pitch_mm(3840, 2160, diagonal_inches=98)
    px = min_glyph_px(3840, 2160, 5, READ_ARCMIN, diagonal_inches=98)
    assert arc_minutes_of(px, pitch, 5) == pytest.approx(READ_ARCMIN)


def test_reading_text_is_bigger_than_the_minimum_and_within_iso_preferred_range():
    assert MIN_ARCMIN == 16 and 20 <= READ_ARCMIN <= 22


def test_a_room_gives_the_glyph_height_for_its_window():
    room = Room(distance_m=5, diagonal_inches=98)
    assert room.glyph_px(3840, 2160, 16) == pytest.approx(min_glyph_px(3840, 2160, 5, 16, diagonal_inches=98))


@pytest.mark.parametrize("kwargs", [{}, {"diagonal_inches": 98, "dpi": 40}, {"diagonal_inches": 0}, {"dpi": -1}])
def test_a_screen_size_must_be_one_positive_figure(kwargs):
    with pytest.raises(ValueError):
        pixel_pitch_mm(3840, 2160, **kwargs)
