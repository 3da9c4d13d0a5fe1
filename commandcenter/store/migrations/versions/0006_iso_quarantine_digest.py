"""quarantine: a digest of each entry's input, unique per feed, so the same bad input is kept once

Why: a feed that reads the same bad record again after a restart (its cursor did not move past it, or a CAP index
lists it on every poll) added one more quarantine row each time; the in-memory dedupe (feeds.base.BatchBuilder)
does not outlive the process. `digest` is blake2b-128 (hex) of kind + NUL + raw, as Store.apply computes it; the
unique index (feed, digest) lets apply insert-if-absent on both engines. Rows already stored get their digest
here; of duplicates the oldest row is kept.

Revision ID: 0006_iso
Revises: 0005
Create Date: 2026-12-06 20:30:00
"""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = '0006_iso'
down_revision = '0005'
branch_labels = None
depends_on = None

_BATCH = 5000


def quarantine_digest(kind: str, raw: bytes) -> str:
    """The same function as commandcenter.store.encoding.quarantine_digest (a migration does not import the app)."""
    return hashlib.blake2b(kind.encode("utf-8", "replace") + b"\0" + bytes(raw), digest_size=16).hexdigest()


def upgrade() -> None:
    op.add_column('quarantine', sa.Column('digest', sa.String(length=32), nullable=True))
    conn = op.get_bind()
    q = sa.table('quarantine', sa.column('id', sa.BigInteger), sa.column('feed', sa.String),
                 sa.column('kind', sa.String), sa.column('raw', sa.LargeBinary), sa.column('digest', sa.String))
    seen: set[tuple[str, str]] = set()
    duplicates: list[int] = []
    last = -1
    while True:
        rows = conn.execute(sa.select(q.c.id, q.c.feed, q.c.kind, q.c.raw).where(q.c.id > last)
                            .order_by(q.c.id).limit(_BATCH)).all()
        if not rows:
            break
        updates = []
        for rid, feed, kind, raw in rows:
            digest = quarantine_digest(kind or "", raw or b"")
            if (feed, digest) in seen:
                duplicates.append(rid)
            else:
                seen.add((feed, digest))
                updates.append({"rid": rid, "d": digest})
        if updates:
            conn.execute(q.update().where(q.c.id == sa.bindparam("rid")).values(digest=sa.bindparam("d")), updates)
        last = rows[-1][0]
    for i in range(0, len(duplicates), _BATCH):
        conn.execute(q.delete().where(q.c.id.in_(duplicates[i:i + _BATCH])))
    op.create_index('uq_quarantine_feed_digest', 'quarantine', ['feed', 'digest'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_quarantine_feed_digest', table_name='quarantine')
    op.drop_column('quarantine', 'digest')
