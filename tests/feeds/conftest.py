"""Feed tests import their helpers module from this folder (pytest runs in importlib mode)."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
