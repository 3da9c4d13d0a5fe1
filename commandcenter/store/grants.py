"""Least privilege on a shared PostgreSQL store: what the recorder's role and the walls' role may do.

    commandcenter store grant --store ADMIN_URL --recorder ROLE --wall ROLE [--print]

run by the database owner (or any role that may grant on the store's schema) after the store was created or
migrated, and again after every upgrade that adds tables (a table this module does not list stays read-only for
the walls). Docs: docs/deploy.md, "Database roles".

The recorder writes records: every table, every row (ingest, cursors, quarantine, retention, its status).

A wall or console reads everything and writes only what an operator does there today:
- `operator_actions`: INSERT (acknowledge, shelve, escalate, push, drill start/stop); never UPDATE or DELETE;
- `drills`: INSERT and UPDATE (a drill the wall starts, and its stop);
- a drill's played records (services/drills.py applies them through the store): INSERT and UPDATE of drill rows
  only, enforced by row-level security: `drill_id IS NOT NULL` in incidents, incident_status, resources,
  resource_status, alerts and alert_updates, `drill = 1` in the KPI rollups. A real incident (drill_id NULL) is
  not visible to a wall's UPDATE, and inserting or upserting one is refused. No DELETE anywhere.
- the record log, which carries a drill's played records to the other walls (services/follower.py): INSERT of a
  drill record only, checked on the record itself (its JSON's `drill_id`, the very field the followers decode), so
  a wall cannot slip a real record to the followers under a drill's name. Never UPDATE.
Everything else (feed_status, recorders, feed_cursors, quarantine, territory, sensors, store_meta, store_settings,
alembic_version, ...) is SELECT only for a wall.
"""
from __future__ import annotations

import re

from sqlalchemy import Engine

from .errors import StoreError
from .schema import T

#: Tables a wall inserts into and updates, whole rows (no row filter).
WALL_WRITES = {"operator_actions": ("INSERT",), "drills": ("INSERT", "UPDATE"),
               "commit_log": ("INSERT",)}     # the position of every transaction a wall shows (store/commits.py)
#: Tables a wall writes drill rows of only: the row filter that marks a drill's row.
DRILL_ROWS = {
    "incidents": "drill_id IS NOT NULL", "incident_status": "drill_id IS NOT NULL",
    "resources": "drill_id IS NOT NULL", "resource_status": "drill_id IS NOT NULL",
    "alerts": "drill_id IS NOT NULL", "alert_updates": "drill_id IS NOT NULL",
    "kpi_rollup": "drill = 1", "kpi_grid_month": "drill = 1",
    # the followers decode `data`: the drill mark is checked where they will read it (the last key wins in both)
    "record_log": "(data::jsonb ->> 'drill_id') IS NOT NULL",
}
#: What a wall may do to its drill rows, where it is not INSERT and UPDATE: the record log is append-only.
DRILL_ROW_WRITES = {"record_log": ("INSERT",)}
_ROLE = re.compile(r"^[a-z_][a-z0-9_$]{0,62}$")


def _ident(name: str, what: str) -> str:
    if not _ROLE.match(name):
        raise StoreError(f"{what} role {name!r}: expected a plain lower-case PostgreSQL role name "
                         "(letters, digits, _; at most 63)")
    return f'"{name}"'


def grant_statements(schema: str, recorder: str, wall: str) -> list[str]:
    """The SQL that gives `recorder` and `wall` exactly their rights on the store in `schema` (idempotent)."""
    rec, wal = _ident(recorder, "recorder"), _ident(wall, "wall")
    if rec == wal:
        raise StoreError("the recorder and the wall need two different roles")
    sch = f'"{schema}"'
    tables = sorted([*T, "alembic_version"])
    out = [f"GRANT USAGE ON SCHEMA {sch} TO {rec}, {wal}"]
    for name in tables:
        t = f"{sch}.{name}"
        out.append(f"REVOKE ALL ON {t} FROM {rec}, {wal}")
        out.append(f"GRANT SELECT ON {t} TO {wal}")
        out.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {rec}")
        if name in WALL_WRITES:
            out.append(f"GRANT {', '.join(WALL_WRITES[name])} ON {t} TO {wal}")
        if name in DRILL_ROWS:
            rows, writes = DRILL_ROWS[name], DRILL_ROW_WRITES.get(name, ("INSERT", "UPDATE"))
            out += [
                f"GRANT {', '.join(writes)} ON {t} TO {wal}",
                f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
                *(f"DROP POLICY IF EXISTS {p} ON {t}" for p in ("recorder_all", "wall_read", "wall_drill_insert",
                                                                 "wall_drill_update")),
                f"CREATE POLICY recorder_all ON {t} FOR ALL TO {rec} USING (true) WITH CHECK (true)",
                f"CREATE POLICY wall_read ON {t} FOR SELECT TO {wal} USING (true)",
                f"CREATE POLICY wall_drill_insert ON {t} FOR INSERT TO {wal} WITH CHECK ({rows})",
            ]
            if "UPDATE" in writes:
                out.append(f"CREATE POLICY wall_drill_update ON {t} FOR UPDATE TO {wal} USING ({rows}) "
                           f"WITH CHECK ({rows})")
    out.append(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {sch} FROM {rec}, {wal}")
    out.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {sch} TO {rec}, {wal}")
    return out


def grant(engine: Engine, recorder: str, wall: str) -> list[str]:
    """Run grant_statements on the store behind `engine` (its current schema), in one transaction."""
    if engine.dialect.name != "postgresql":
        raise StoreError("roles and grants are for a PostgreSQL store (a SQLite file has its file permissions)")
    with engine.begin() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
        if not schema:
            raise StoreError("the store's connection has no current schema")
        statements = grant_statements(str(schema), recorder, wall)
        for sql in statements:
            conn.exec_driver_sql(sql)
    return statements
