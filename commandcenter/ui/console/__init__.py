"""The operator console: search, push to the wall, alert actions, rotation and drill control."""
from .models import AlertListModel, IncidentSearchModel
from .window import ConsoleWindow, HelpOverlay

__all__ = ["AlertListModel", "ConsoleWindow", "HelpOverlay", "IncidentSearchModel"]
