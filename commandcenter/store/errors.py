"""The store's errors: one type for a store that cannot be used, and which failed writes a record caused."""
from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError


class StoreError(RuntimeError):
    """The store cannot be opened or used (e.g. the database is newer than this program)."""


class FencedOut(StoreError):
    """A write refused because this process is no longer the store's recorder (store/writer_epoch.py)."""


class CalendarMismatch(StoreError):
    """A process that only reads the records (a wall following the store) opened a store whose KPI rollups were
    built on another calendar: another `[store] timezone` or other `[deadlines.hours]`. `differences` holds each
    disagreeing config key with this process's value and the store's, as a config would spell them."""

    def __init__(self, where: str, differences: list[tuple[str, str, str]]) -> None:
        self.where = where
        self.differences = differences
        super().__init__(self.explain("this config"))

    def explain(self, config: str) -> str:
        """The error as a user reads it: the config file, each key, its value there and the store's."""
        keys = "; ".join(f"{key} = {ours} here, {theirs} in the store" for key, ours, theirs in self.differences)
        return (f"{config}: {keys}. The store at {where_quoted(self.where)} keeps the calendar its recorder was "
                f"started with, and every wall on one store must use the same (its KPIs would disagree): set the "
                f"same value in {config}, or change the recorder's config and restart the recorder first")


def where_quoted(where: str) -> str:
    return where if " " not in where else repr(where)


def refuses_record(exc: BaseException) -> bool:
    """Whether a failed write was refused because of what a record holds (a value the engine or the rollups
    cannot keep: an integer beyond 64 bits, a date outside the calendar, text the encoder rejects, a constraint),
    as opposed to the store being unusable (disk full, database down, locked): only the former is worth splitting
    a batch for, since the same records would fail again; the latter fails any record and must be retried."""
    if isinstance(exc, DBAPIError):
        return isinstance(exc, DataError | IntegrityError)
    if isinstance(exc, StatementError) and exc.orig is not None:   # a bind parameter the driver refused
        return refuses_record(exc.orig)
    return isinstance(exc, ArithmeticError | ValueError | TypeError | LookupError)
