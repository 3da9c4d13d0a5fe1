"""The writer epoch: a fencing token, so a recorder that lost its lock never writes beside the one that took over.

Each recorder that takes the store's recorder lock (store/recorder_lock.py) raises `store_meta.recorder_epoch` in a
write transaction of its own (`Store.claim_writes`): every write transaction takes the store's write lock first, so
this one waits for any write still in flight (a previous holder's last batch) and the cursors read after it are
final. From then on each of its write transactions checks, just before it commits and still under the write lock,
that the epoch is its own; once a successor has claimed, the check fails with FencedOut and the transaction rolls
back. One primary-key read per transaction (≈ a round trip to the database).
"""
from __future__ import annotations

from sqlalchemy import Connection, select

from .dialect import Dialect
from .errors import FencedOut
from .schema import T

META = T["store_meta"]
EPOCH_KEY = "recorder_epoch"


def claim(conn: Connection, sql: Dialect) -> int:
    """Raise the epoch (inside the caller's write transaction); the new value."""
    ins = sql.insert(META).values(key=EPOCH_KEY, value=1)
    conn.execute(ins.on_conflict_do_update(index_elements=["key"], set_={"value": META.c.value + 1}))
    return int(conn.execute(select(META.c.value).where(META.c.key == EPOCH_KEY)).scalar_one())


class EpochFence:
    """A write fence (Store._write calls it before each commit): the epoch must still be `epoch`."""

    def __init__(self, epoch: int, sql: Dialect) -> None:
        self.epoch = epoch
        # driver SQL: it runs in every write transaction, where compiling a Core statement costs more than the read
        self._read = f"SELECT value FROM store_meta WHERE key = {sql.param}"

    def __call__(self, conn: Connection) -> None:
        now = conn.exec_driver_sql(self._read, (EPOCH_KEY,)).scalar()
        if now != self.epoch:
            raise FencedOut(f"another recorder took over the store (writer epoch {now}, this one's {self.epoch}); "
                            "write refused")


def refuse(conn: Connection) -> None:
    """The fence of a recorder that lost its lock: no write at all until it claims again."""
    raise FencedOut("this recorder lost the store's recorder lock; write refused")
