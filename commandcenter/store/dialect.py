"""SQL text for one engine (SQLite or PostgreSQL): placeholders, bound time values, and the driver-level
statements of the write path.

Two SQL styles on purpose, each where it is cheaper: SQLAlchemy Core for the reads, the schema and the occasional
write; driver SQL (the strings below, run through the DBAPI) on the ingest hot path and the KPI reads, where
building and compiling Core statements and processing their results cost more than running them
(docs/benchmarks.md, Store: "Ingest, round 3" onwards).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.exc import DBAPIError

from .encoding import sqlite_time, utc
from .schema import T

#: Rows per DBAPI call: SQLite executemany, PostgreSQL one unnest statement.
SQLITE_ROWS_PER_CALL = 2000
#: Rows per statement of a SQLite INSERT given many rows (`VALUES (…), (…), …`): executemany steps once a row,
#: releasing the GIL and taking it back each time, which under a busy feed thread made every row wait its turn.
SQLITE_ROWS_PER_STATEMENT = 256
#: Parameters one SQLite statement may bind (SQLITE_MAX_VARIABLE_NUMBER: 32766 since 3.32, 999 before).
SQLITE_MAX_PARAMS = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
PG_ROWS_PER_CALL = 20_000
#: Ids per `IN (...)` look-up on SQLite (PostgreSQL takes one array).
SQLITE_IDS_PER_QUERY = 500
#: Statements kept per column set of kpi_rollup (one per set written; a batch writes a few dozen sets).
ROLLUP_SQL_MAX = 256

Row = tuple[Any, ...]


def quoted(name: str) -> str:
    return '"' + name + '"'


def chunks(seq: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


class Dialect:
    """SQL text and bound values for one engine, statements cached per shape."""

    def __init__(self, name: str) -> None:
        if name not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported engine {name!r}")
        self.name = name
        self.sqlite = name == "sqlite"
        #: The DBAPI placeholder.
        self.param = "?" if self.sqlite else "%s"
        #: A time as its column's bound value (SQLite: the text SQLAlchemy's DateTime writes).
        self.time_value: Callable[[datetime | None], Any] = sqlite_time if self.sqlite else utc
        #: A flag as bound: Python's sqlite3 binds an exact int directly, a bool only after a failed adapter
        #: lookup; PostgreSQL's typed arrays keep bools.
        self.flag: dict[Any, Any] = {False: 0, True: 1} if self.sqlite else {False: False, True: True}
        #: SQLAlchemy's INSERT with ON CONFLICT for this engine.
        self.insert = sqlite.insert if self.sqlite else postgresql.insert
        self._sql: dict[tuple[Any, ...], str] = {}
        self._rollup_sql: dict[tuple[str, ...], str] = {}
        #: A one-row SQLite INSERT → (head, row, tail, k): what run_many makes its form for k rows of.
        self._values: dict[str, tuple[str, str, str, int]] = {}
        #: ... and that form, made when a call first brings k rows.
        self._many_rows: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Dialect({self.name!r})"

    def _unnest(self, table: str, cols: Sequence[str], extra: Sequence[tuple[str, str]] = ()) -> str:
        """`unnest(%b::type[], ...) AS u(cols)` for PostgreSQL, typed from the table's columns (%b: binary)."""
        pg = PGDialect()  # type: ignore[no-untyped-call]  # SQLAlchemy's dialect classes are not annotated
        types_ = [T[table].c[c].type.compile(dialect=pg) for c in cols] + [t for _, t in extra]
        names = [*cols, *(n for n, _ in extra)]
        return (f'unnest({", ".join(f"%b::{t}[]" for t in types_)}) '
                f'AS u({", ".join(map(quoted, names))})')

    def insert_sql(self, table: str, cols: Sequence[str], conflict: Sequence[str] = (), set_: str = "",
                   where: str = "") -> str:
        """INSERT one row of `cols` (PostgreSQL: rows as one array per column) [ON CONFLICT ... DO UPDATE]."""
        key = ("insert", table, tuple(cols), tuple(conflict), set_, where)
        sql = self._sql.get(key)
        if sql is None:
            head = f'INSERT INTO {table} ({", ".join(map(quoted, cols))})'
            tail = ""
            if conflict:
                tail = f' ON CONFLICT ({", ".join(conflict)}) DO UPDATE SET {set_}'
                if where:
                    tail += f" WHERE {where}"
            if self.sqlite:
                sql = self._values_insert(head, f'({", ".join([self.param] * len(cols))})', tail)
            else:
                sql = f"{head} SELECT * FROM {self._unnest(table, cols)}{tail}"
            self._sql[key] = sql
        return sql

    def _values_insert(self, head: str, row: str, tail: str) -> str:
        """SQLite: `head VALUES row tail`, its parts kept for run_many's form of many rows."""
        sql = f"{head} VALUES {row}{tail}"
        k = min(SQLITE_ROWS_PER_STATEMENT, SQLITE_MAX_PARAMS // max(1, row.count(self.param)))
        if k > 1:
            self._values[sql] = (head, row, tail, k)
        return sql

    def _forget(self, sql: str) -> None:
        self._values.pop(sql, None)
        self._many_rows.pop(sql, None)

    def upsert_versioned_sql(self, table: str, cols: Sequence[str]) -> str:
        """INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE the stored version is older (race-safe, both engines)."""
        set_ = ", ".join(f"{quoted(c)} = excluded.{quoted(c)}" for c in cols if c != "id")
        return self.insert_sql(table, cols, ("id",), set_, f"{table}.version < excluded.version")

    def update_newer_sql(self, table: str, cols: Sequence[str]) -> str:
        """UPDATE table SET cols WHERE id = ? AND version < ? (rows: the values of cols, then id, version)."""
        key = ("update", table, tuple(cols))
        sql = self._sql.get(key)
        if sql is None:
            if self.sqlite:
                sets = ", ".join(f"{quoted(c)} = ?" for c in cols)
                sql = f"UPDATE {table} SET {sets} WHERE id = ? AND version < ?"
            else:
                sets = ", ".join(f"{quoted(c)} = u.{quoted(c)}" for c in cols)
                src = self._unnest(table, cols, (("_id", "VARCHAR(64)"), ("_version", "BIGINT")))
                sql = (f"UPDATE {table} AS t SET {sets} FROM {src} "
                       f"WHERE t.id = u._id AND t.version < u._version")
            self._sql[key] = sql
        return sql

    def add_into_sql(self, table: str, keys: Sequence[str], every: Sequence[str], cols: tuple[str, ...]) -> str:
        """INSERT a row of `keys` + `cols` ... ON CONFLICT (keys) add `cols` to the stored sums. A new row gets 0 in
        the columns of `every` left out (they are NOT NULL without a default)."""
        key = (table, *cols)
        sql = self._rollup_sql.get(key)
        if sql is None:
            head = f'INSERT INTO {table} ({", ".join(map(quoted, every))})'
            set_ = ", ".join(f"{quoted(c)} = {table}.{quoted(c)} + excluded.{quoted(c)}" for c in cols)
            tail = f' ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {set_}'
            if len(self._rollup_sql) >= ROLLUP_SQL_MAX:   # column sets a stream keeps using come back at once
                for old in self._rollup_sql.values():
                    self._forget(old)
                self._rollup_sql.clear()
            if self.sqlite:
                given = {*keys, *cols}
                sql = self._values_insert(head, f'({", ".join(self.param if c in given else "0" for c in every)})',
                                          tail)
            else:
                values = ", ".join(f"u.{quoted(c)}" if c in keys or c in cols else "0" for c in every)
                sql = f"{head} SELECT {values} FROM {self._unnest(table, (*keys, *cols))}{tail}"
            self._rollup_sql[key] = sql
        return sql

    def run_many(self, conn: Connection, sql: str, rows: Sequence[Row]) -> None:
        """Run one prepared statement for every row: SQLite executemany; PostgreSQL one execute with a list per
        column (the statement is an unnest one). Rows of one call never repeat a conflict key (they are merged
        per key before), which INSERT ... ON CONFLICT on PostgreSQL requires."""
        if not rows:
            return
        if self.sqlite:
            done = 0
            parts = self._values.get(sql)
            if parts is not None and len(rows) >= parts[3]:   # an INSERT: k rows a statement, then the rest
                head, row, tail, k = parts
                multi = self._many_rows.get(sql)
                if multi is None:
                    multi = self._many_rows[sql] = f"{head} VALUES {', '.join([row] * k)}{tail}"
                done = len(rows) // k * k
                flat = [tuple(chain.from_iterable(rows[i:i + k])) for i in range(0, done, k)]
                for part in chunks(flat, max(1, SQLITE_ROWS_PER_CALL // k)):
                    conn.exec_driver_sql(multi, list(part))
            for part in chunks(rows[done:] if done else rows, SQLITE_ROWS_PER_CALL):
                conn.exec_driver_sql(sql, list(part))
            return
        # arrays go in binary (%b in _unnest): psycopg's text array dumper quotes and escapes every element in
        # Python (a regex substitution each)
        for part in chunks(rows, PG_ROWS_PER_CALL):
            conn.exec_driver_sql(sql, tuple(list(col) for col in zip(*part, strict=True)))

    def insert_many(self, conn: Connection, table: str, cols: Sequence[str], rows: Sequence[Row]) -> None:
        self.run_many(conn, self.insert_sql(table, cols), rows)

    def select_ids(self, conn: Connection, table: str, ids: list[str], cols: Sequence[str]) -> list[Row]:
        """Rows (`cols`, as the driver returns them) of the stored records among `ids`, read through the DBAPI
        cursor: SQLAlchemy's expanding IN and its result processing cost more than the index lookups."""
        names = ", ".join(map(quoted, cols))
        parts: list[tuple[str, Any]]
        if self.sqlite:
            parts = [(f"SELECT {names} FROM {table} WHERE id IN ({','.join('?' * len(p))})", p)
                     for p in chunks(ids, SQLITE_IDS_PER_QUERY)]
        else:
            parts = [(f"SELECT {names} FROM {table} WHERE id = ANY(%s::varchar[])", (ids,))]
        cur = conn.connection.cursor()
        out: list[Row] = []
        dbapi_error = conn.dialect.loaded_dbapi.Error
        try:
            for sql, params in parts:
                try:
                    cur.execute(sql, params)
                except dbapi_error as exc:   # the error type SQLAlchemy would have raised
                    raise DBAPIError.instance(sql, params, exc, dbapi_error) from exc
                out.extend(cur.fetchall())
        finally:
            cur.close()
        return out

    def fetch_all(self, conn: Connection, sql: str, params: Sequence[Any]) -> list[Row]:
        """One driver statement's rows through the DBAPI cursor (no per-column result processing)."""
        cur = conn.connection.cursor()
        try:
            cur.execute(sql, params)
            return list(cur.fetchall())
        finally:
            cur.close()
