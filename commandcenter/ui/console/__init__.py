"""The operator console (issue 7): search, push to the wall, alert actions, rotation and drill control."""
from .models import AlertListModel, IncidentSearchModel
from .window import ConsoleWindow, HelpOverlay

__all__ = ["AlertListModel", "ConsoleWindow", "HelpOverlay", "IncidentSearchModel"]
