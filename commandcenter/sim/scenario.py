"""Scenario files: timed, scripted events played on top of (or instead of) the random city."""
from __future__ import annotations
