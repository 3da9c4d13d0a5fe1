"""The store: everything every feed delivered, every status change, every operator action.

SQLite (one wall, WAL) by default; PostgreSQL (postgresql+psycopg://) when several walls share one database.

    store = Store.open(url)            # creates / migrates; StoreError if the database is newer than this code
    applied = store.apply(feed, incidents=..., resources=..., alerts=..., territory=..., quarantined=..., cursor=...)
    store.incidents(...), store.incident(id), store.alerts(...), store.resources(...), store.territory()
    store.quarantine(), store.quarantine_count(), store.record_action(a), store.actions_since(last_id)
    store.kpis(node_id, start, end), store.state_at(t), store.delete_drill(drill_id), store.prune()
    store.feed_status(), store.recorders()          # the recorder's feeds' health and its heartbeat (status.py)

Synchronous: call it from a worker thread. Datetimes in and out are timezone-aware UTC.
`drill` arguments: False = real records only, True = drill records only, None = both.

Inside, in parts: `store.py` (the Store: connections, transactions, writes and reads), `dialect.py` (SQL text per
engine), `territory.py` (the territory tree), `encoding.py` (records as columns), `errors.py`, `engine.py`
(engines and page caches), `rollup.py` / `gridmonths.py` (KPI sums kept on write), `kpi.py` (the KPI engine),
`history.py` (state as of a past time), `drills.py` (drill rows), `status.py` (the recorder's status),
`recorder_lock.py` (one active recorder per store), `writer_epoch.py` (its write fence), `grants.py` (database roles),
`schema.py` and `migrations/`.
"""
from .drills import SCENARIO_END, STOPPED, DrillRecord
from .errors import CalendarMismatch, FencedOut, StoreError, refuses_record
from .store import Applied, DrillHistory, ResourceChange, Store, default_url

__all__ = [
    "SCENARIO_END", "STOPPED", "Applied", "CalendarMismatch", "DrillHistory", "DrillRecord", "FencedOut",
    "ResourceChange", "Store", "StoreError", "default_url", "refuses_record",
]
