"""QT_TRANSLATE_NOOP with its real type: PySide6's stubs declare it to return `object`, so every marked string
would need a cast. lupdate and resources/i18n/update_translations.py find the calls by this name."""
from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:   # Qt's own name: lupdate looks for it
    """`source`, marked for translation in `context`; translated where it is shown."""
    return source
