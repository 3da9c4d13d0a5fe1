"""The grid map tile: territory grids coloured by live load, incidents, alerts, resources (issue 6.5)."""
from .view import GridMap

__all__ = ["GridMap"]
