"""Placeholder until the adapter lands: reports itself as failing, never crashes."""
from __future__ import annotations

from .base import FeedBase, FeedError, Sink


class Open311Feed(FeedBase):
    async def _run_once(self, sink: Sink) -> None:
        raise FeedError("feed kind 'open311' is not implemented yet")
