"""The store: everything every feed delivered, every status change, every operator action.

SQLite (one wall, WAL) by default; PostgreSQL (postgresql+psycopg://) when several walls share one database.

    store = Store.open(url)            # creates / migrates; StoreError if the database is newer than this code
    applied = store.apply(feed, incidents=..., resources=..., alerts=..., territory=..., quarantined=..., cursor=...)
    store.incidents(...), store.incident(id), store.alerts(...), store.resources(...), store.territory()
    store.quarantine(), store.quarantine_count(), store.record_action(a), store.actions_since(last_id)
    store.kpis(node_id, start, end), store.state_at(t), store.delete_drill(drill_id), store.prune()

Synchronous: call it from a worker thread. Datetimes in and out are timezone-aware UTC.
`drill` arguments: False = real records only, True = drill records only, None = both.
"""
from .drills import DrillRecord
from .store import Applied, Store, StoreError, default_url, refuses_record

__all__ = ["Applied", "DrillRecord", "Store", "StoreError", "default_url", "refuses_record"]
