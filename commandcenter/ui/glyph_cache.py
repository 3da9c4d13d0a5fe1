"""Large type drawn from Qt's glyph cache, not filled as outlines on every paint.

Qt's raster engine keeps a glyph's image only up to `QT_MAX_CACHED_GLYPH_SIZE` pixels (64 by default); a larger
glyph is filled as a path, every glyph of every paint. A wall's type is sized for its room, so on a 4K or 8K wall
nearly all of it (tables, titles, the KPI values, the banner) is above that, and the render spent most of its text
time in FreeType outlines and path filling. Raising the limit alone is not enough: FreeType's engine cache (its
glyph sets) keeps no image for a glyph above a compiled-in 64 px and hands the raster engine an empty one, so such
text came out blank. With that cache off (`QT_NO_FT_CACHE`) FreeType renders each glyph once into the raster
engine's own glyph cache, which keeps it for every later paint; outlines are still what the cached image is made of.

Outlines were unhinted; FreeType's cached images follow fontconfig's hinting, which rounds a capital's height to
whole pixels (a row under the room's minimum angle at 8K). A fontconfig rule keeps type above the old limit
unhinted, so it looks as it did; smaller type keeps the hinting it always had.

Qt reads both variables once (the limit on the first text drawn, the FreeType switch per font), so they are set when
`commandcenter.ui` is imported, before any window exists. A value already in the environment is kept.
"""
from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import MutableMapping

#: The largest glyph (in device pixels) kept as an image: above the largest type of an 8K wall sized for its room.
MAX_CACHED_GLYPH_PX = 512

#: Qt's default limit: type above it used to be filled as (unhinted) outlines.
OUTLINES_ABOVE_PX = 64

VARIABLES = {"QT_MAX_CACHED_GLYPH_SIZE": str(MAX_CACHED_GLYPH_PX), "QT_NO_FT_CACHE": "1"}


def install(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set the variables in `environ` (the process's) unless they are set already."""
    for name, value in VARIABLES.items():
        environ.setdefault(name, value)


UNHINTED_RULE = f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>
<match target="font"><test name="pixelsize" compare="more"><double>{OUTLINES_ABOVE_PX}</double></test>
<edit name="hintstyle" mode="assign"><const>hintnone</const></edit></match></fontconfig>"""


def unhint_large_type() -> bool:
    """Add the rule keeping type above `OUTLINES_ABOVE_PX` unhinted to fontconfig's current configuration (the one
    Qt's font database asks per font and size). False where there is no fontconfig (Qt uses other font engines)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fc = ctypes.CDLL("libfontconfig.so.1")
    except OSError:
        return False
    fc.FcConfigGetCurrent.restype = ctypes.c_void_p
    fc.FcConfigParseAndLoadFromMemory.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    fc.FcConfigParseAndLoadFromMemory.restype = ctypes.c_int
    config = fc.FcConfigGetCurrent()
    return bool(config) and bool(fc.FcConfigParseAndLoadFromMemory(config, UNHINTED_RULE.encode(), 1))
