"""The only Qt: the wall window, tiles, console and dialogs. Importing it first stops PySide6 from caching the
source of every module imported after it (see pyside_import_hook), and keeps large type in Qt's glyph cache (see
glyph_cache) before any text is drawn."""
from . import glyph_cache, pyside_import_hook

glyph_cache.install()
glyph_cache.unhint_large_type()
pyside_import_hook.install()
