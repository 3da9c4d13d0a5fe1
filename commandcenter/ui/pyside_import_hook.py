"""PySide6's import hook, made to stop filling `linecache` with the source of every module imported after Qt.

For its `from __feature__ import snake_case` switch, PySide6 (PYSIDE-2029) asks of every module imported after
it whether its source mentions "PySide6", through `inspect.getsource`, which reads the whole file into
`linecache` and keeps it there: the wall held tens of MB of source lines it never looks at, and clearing the
cache afterwards gives no memory back (the strings are spread across the allocator's pages). The same question
answered from the file's bytes, kept nowhere (the memory saved: docs/benchmarks.md).
"""
from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (loads PySide6.support.feature)


def mod_uses_pyside(module: ModuleType) -> bool:
    """What `feature._mod_uses_pyside` answers (does the module's source say "PySide6"?), without caching it."""
    spec = module.__spec__
    origin = spec.origin if spec is not None else None
    if not isinstance(origin, str) or not origin.endswith(".py"):
        return False         # built-in, extension or source-less module: inspect.getsource fails, PySide says no
    try:
        with open(origin, "rb") as fh:
            return b"PySide6" in fh.read()
    except OSError:
        return False


def install() -> bool:
    """Replace the hook's source check; False when this PySide6 has none (a later release may not)."""
    feature = sys.modules.get("PySide6.support.feature")
    # a private seam of PySide6 (no public hook): probed so a release without it is refused, not patched blindly
    if feature is None or not hasattr(feature, "_mod_uses_pyside"):
        return False
    setattr(feature, "_mod_uses_pyside", mod_uses_pyside)   # noqa: B010 - a private seam, checked just above
    return True
