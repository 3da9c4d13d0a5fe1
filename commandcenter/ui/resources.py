"""Where the shipped assets live (inside the package: ui/assets) and how they are loaded into Qt (fonts, translations)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ..config import packaged_path
from . import theme

ASSETS = packaged_path("commandcenter.ui", "assets")
FONT_FILE = ASSETS / "fonts" / "wqy-microhei.ttc"
I18N_DIR = ASSETS / "i18n"
ALARM_WAV = ASSETS / "sounds" / "alarm.wav"


def register_fonts(app: QApplication) -> str:
    """Load the shipped CJK font so Chinese never renders as boxes, whatever the machine has."""
    family = theme.FONT_FAMILY
    if FONT_FILE.exists():
        font_id = QFontDatabase.addApplicationFont(str(FONT_FILE))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if families:
            family = families[0]
            theme.FONT_FAMILY = family
    app.setFont(QFont(family, theme.BASE_POINT_SIZE))
    return family


_translators: list[QTranslator] = []


def install_language(language: str) -> bool:
    """zh_CN is the source language; any other loads ui/assets/i18n/commandcenter_<lang>.qm."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_language needs the QApplication")
    for t in _translators:
        app.removeTranslator(t)
    _translators.clear()
    QLocale.setDefault(QLocale(language))
    if language == "zh_CN":
        return True
    translator = QTranslator()
    if translator.load(str(I18N_DIR / f"commandcenter_{language}.qm")):
        app.installTranslator(translator)
        _translators.append(translator)
        return True
    return False
