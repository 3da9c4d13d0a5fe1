"""The store's errors: one type for a store that cannot be used, and which failed writes a record caused."""
from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError


class StoreError(RuntimeError):
    """The store cannot be opened or used (e.g. the database is newer than this program)."""


class FencedOut(StoreError):
    """A write refused because this process is no longer the store's recorder (store/writer_epoch.py)."""


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
