"""Large type drawn from Qt's glyph cache, not filled as outlines on every paint.

Qt's raster engine keeps a glyph's image only up to `QT_MAX_CACHED_GLYPH_SIZE` pixels (64 by default); a larger
glyph is filled as a path, every glyph of every paint. A wall's type is sized for its room, so on a 4K or 8K wall
nearly all of it (tables, titles, the KPI values, the banner) is above that, and the render spent most of its text
time in FreeType outlines and path filling. Raising the limit alone is not enough: FreeType's engine cache (its
glyph sets) keeps no image for a glyph above a compiled-in 64 px and hands the raster engine an empty one, so such
text came out blank. With that cache off (`QT_NO_FT_CACHE`) FreeType renders each glyph once into the raster
engine's own glyph cache, which keeps it for every later paint; outlines are still what the cached image is made of.

Qt reads both variables once (the limit on the first text drawn, the FreeType switch per font), so they are set when
`commandcenter.ui` is imported, before any window exists. A value already in the environment is kept.
"""
from __future__ import annotations

import os
from collections.abc import MutableMapping

#: The largest glyph (in device pixels) kept as an image: above the largest type of an 8K wall sized for its room.
MAX_CACHED_GLYPH_PX = 512

VARIABLES = {"QT_MAX_CACHED_GLYPH_SIZE": str(MAX_CACHED_GLYPH_PX), "QT_NO_FT_CACHE": "1"}


def install(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set the variables in `environ` (the process's) unless they are set already."""
    for name, value in VARIABLES.items():
        environ.setdefault(name, value)
