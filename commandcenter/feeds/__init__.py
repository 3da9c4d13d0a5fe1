"""The feed layer: backends → domain records, in batches a caller commits with their cursor.

`make_feed(section, client)` builds the feed a `[[feeds]]` table describes; `feed.run(sink, cursor)`
runs until cancelled, awaiting `sink(batch)` for each batch (the sink commits to the store before it
returns), and never raises anything but CancelledError. `feed.health(now)` says live/lagging/stale/down.
Imports only the domain and the config.
"""
from __future__ import annotations

from collections.abc import Callable

import httpx

from ..config.schema import FeedSection
from .base import Backoff, Batch, Feed, FeedBase, FeedError, VersionMap
from .trace import StageTrace

__all__ = ["CATALOGUE_KINDS", "FEED_BUILDERS", "Backoff", "Batch", "Feed", "FeedBase", "FeedError", "StageTrace", "VersionMap",
           "make_feed"]


def _native(section: FeedSection, client: httpx.AsyncClient) -> Feed:
    from .native import NativePollFeed, NativeSseFeed, NativeWsFeed
    cls = {"poll": NativePollFeed, "sse": NativeSseFeed, "ws": NativeWsFeed}[section.mode]
    return cls(section, client)


def _open311(section: FeedSection, client: httpx.AsyncClient) -> Feed:
    from .open311 import Open311Feed
    return Open311Feed(section, client)


def _cap(section: FeedSection, client: httpx.AsyncClient) -> Feed:
    from .cap import CapFeed
    return CapFeed(section, client)


def _geojson(section: FeedSection, client: httpx.AsyncClient) -> Feed:
    from .geojson import GeoJsonFeed
    return GeoJsonFeed(section, client)


def _shapefile(section: FeedSection, client: httpx.AsyncClient) -> Feed:
    from .shapefile import ShapefileFeed
    return ShapefileFeed(section, client)


def _mqtt(section: FeedSection, client: httpx.AsyncClient) -> Feed:
    from .mqtt import MqttFeed
    return MqttFeed(section)     # its own connection to the broker; the HTTP client is not used


#: config `kind` → the builder of its feed (modules imported when a config uses them).
FEED_BUILDERS: dict[str, Callable[[FeedSection, httpx.AsyncClient], Feed]] = {
    "native": _native, "open311": _open311, "cap": _cap, "geojson": _geojson, "shapefile": _shapefile,
    "mqtt": _mqtt,
}


#: config `kind`s that are catalogues read on demand (feeds.cameras), not record streams for the ingest pipeline.
CATALOGUE_KINDS: frozenset[str] = frozenset({"cameras"})


def make_feed(section: FeedSection, client: httpx.AsyncClient) -> Feed:
    """The feed for one config table. The client is shared (one per process, TLS verification on)."""
    build = FEED_BUILDERS.get(section.kind)
    if build is None:
        raise ValueError(f"unknown feed kind {section.kind!r}")
    return build(section, client)
