"""Services: the ingest pipeline and the wall's live state (Qt-free)."""
from .ingest import IngestPipeline
from .live_state import Change, LiveState

__all__ = ["Change", "IngestPipeline", "LiveState"]
