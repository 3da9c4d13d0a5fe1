"""The only Qt: the wall window, tiles, console and dialogs. Importing it first stops PySide6 from caching the
source of every module imported after it (see pyside_import_hook)."""
from . import pyside_import_hook

pyside_import_hook.install()
