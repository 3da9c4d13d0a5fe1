"""The feed layer: backends → domain records, in batches a caller commits with their cursor.

`make_feed(section, client)` builds the feed a `[[feeds]]` table describes; `feed.run(sink, cursor)`
runs until cancelled, awaiting `sink(batch)` for each batch (the sink commits to the store before it
returns), and never raises anything but CancelledError. `feed.health(now)` says live/lagging/stale/down.
Imports only the domain and the config.
"""
from __future__ import annotations

import httpx

from ..config.schema import FeedSection
from .base import Backoff, Batch, Feed, FeedBase, FeedError, VersionMap
from .trace import StageTrace

__all__ = ["Backoff", "Batch", "Feed", "FeedBase", "FeedError", "StageTrace", "VersionMap", "make_feed"]


def make_feed(section: FeedSection, client: httpx.AsyncClient) -> Feed:
    """The feed for one config table. The client is shared (one per process, TLS verification on)."""
    if section.kind == "native":
        from .native import NativePollFeed, NativeSseFeed, NativeWsFeed
        cls = {"poll": NativePollFeed, "sse": NativeSseFeed, "ws": NativeWsFeed}[section.mode]
        return cls(section, client)
    if section.kind == "open311":
        from .open311 import Open311Feed
        return Open311Feed(section, client)
    if section.kind == "cap":
        from .cap import CapFeed
        return CapFeed(section, client)
    if section.kind == "geojson":
        from .geojson import GeoJsonFeed
        return GeoJsonFeed(section, client)
    raise ValueError(f"unknown feed kind {section.kind!r}")
