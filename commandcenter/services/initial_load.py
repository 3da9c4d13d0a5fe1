"""A starting wall's state from the store in two steps: what its first frame shows, then the rest.

Why: on the 10 M-incident store (~53k open incidents) reading and decoding every open incident, applying them to
the live state and building the tables from them held the first frame for most of 10 s. Those rows lie all over
a 15 GB file: reading them cold costs seconds whatever is read of them, so none of it can come before the first
frame. The first frame gets the live alerts, the resources, the territory and the most recently updated open
incidents (one short index-ordered read); then, while the wall already shows, the store's thread reads
the rest exactly as the one-shot IngestPipeline.load_initial_state does, puts it in the order the incident
table shows (overdue, open emergencies, open, newest reported first; then the recently closed:
ui.models.incidents) and the loop applies it in batches: the first batch settles the top of the table, later
ones only add rows below what is shown, and the GUI thread paints between batches.

When the last batch is in, the live state holds exactly what load_initial_state gives. Records a feed brings
meanwhile are never overwritten by an older stored version (LiveState keeps the newer one).

Qt-free. The reads run on the store's thread (pass them to the pipeline's in_store); applying is on the loop.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..domain import Alert, Category, Incident, Resource, TerritoryNode
from ..domain.deadlines import deadline_state
from ..domain.sensors import Sensor
from ..store import Store
from .live_commits import Committed, committed

FIRST_ROWS = 400        # incidents read before the first frame: more rows than a 4K table shows
BATCH = 2_000           # incidents applied per event-loop turn after it
OPEN_LIMIT = 100_000    # as IngestPipeline.load_initial_state
RECENT = 2_000

InStore = Callable[..., Awaitable[Any]]


@dataclass
class FirstScreen:
    """What the first frame needs from the store."""

    territory: list[TerritoryNode]
    incidents: list[Incident]
    alerts: list[Alert]
    resources: list[Resource]
    sensors: list[Sensor] = field(default_factory=list)


def read_first_screen(store: Store, first_rows: int = FIRST_ROWS) -> FirstScreen:
    """Territory, live alerts, resources and the `first_rows` most recently updated open incidents (drills
    included, as load_initial_state). Runs on the store's thread."""
    return FirstScreen(territory=store.territory(),
                       incidents=store.incidents(open_only=True, limit=first_rows, drill=None),
                       alerts=store.alerts(live_only=True, drill=None), resources=store.resources(drill=None),
                       sensors=store.sensors())


def display_key(inc: Incident, now: datetime, limits: dict[Category, timedelta] | None
                ) -> tuple[bool, bool, bool, float, str]:
    """The incident table's order (IncidentTableModel._key without its filter): overdue first, then open
    emergencies, open before closed, newest reported first, then id."""
    overdue = False
    if inc.is_open:
        due = deadline_state(inc, now, limits).due_at
        overdue = due is not None and due <= now
    return (not overdue, not (inc.emergency and inc.is_open), not inc.is_open, -inc.reported_at.timestamp(), inc.id)


def display_order(incidents: Sequence[Incident], now: datetime,
                  limits: dict[Category, timedelta] | None = None) -> list[Incident]:
    """`incidents` (an id once) in the order the wall's incident table shows them."""
    unique = {i.id: i for i in incidents}
    return sorted(unique.values(), key=lambda i: display_key(i, now, limits))


def read_rest(store: Store, now: datetime, limits: dict[Category, timedelta] | None = None, *,
              open_limit: int = OPEN_LIMIT, recent: int = RECENT) -> list[Incident]:
    """What load_initial_state reads of incidents (open ones newest-updated first up to `open_limit`, and the
    `recent` newest records), in display order. Runs on the store's thread."""
    incidents = store.incidents(open_only=True, limit=open_limit, drill=None)
    incidents += store.incidents(open_only=False, limit=recent, drill=None)
    return display_order(incidents, now, limits)


async def load_rest(in_store: InStore, store: Store, publish: Callable[[Committed], None], now: datetime,
                    limits: dict[Category, timedelta] | None = None, *, batch: int = BATCH) -> int:
    """read_rest through `in_store`, then publish it in batches of `batch` through the live state's one writer
    (LiveCommits.publish: into the state the feeds write to, during a replay not the one shown), yielding to the
    event loop between batches so the wall keeps painting. Returns how many incidents were read."""
    incidents = await in_store(read_rest, store, now, limits)
    for start in range(0, len(incidents), batch):
        publish(committed(incidents[start:start + batch]))
        await asyncio.sleep(0)
    return len(incidents)
