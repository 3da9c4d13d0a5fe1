"""The test session: offscreen Qt, and the shared fixtures of tests/support/fixtures.py for every folder."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["tests.support.fixtures"]
