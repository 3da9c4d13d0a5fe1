"""Schema migrations, run programmatically (no alembic.ini): the app migrates on open and refuses a newer database.

A store already at this code's head is recognised without importing Alembic (a third of a second of the wall's
start-up): the head is read from the migration files' `revision` / `down_revision` lines and the database's
from its alembic_version table. Anything else goes through Alembic."""
from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, exc, text

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]?([\w.-]+|None)['\"]?", re.M)


@cache
def quick_head() -> str | None:
    """The single revision no migration file names as its down_revision; None when the files are ambiguous."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        fields = dict((m.group(1), m.group(2)) for m in _REVISION.finditer(path.read_text(encoding="utf-8")))
        if "revision" not in fields:
            return None
        revisions.add(fields["revision"])
        parents.add(fields.get("down_revision", "None"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except exc.DBAPIError:      # no table yet: a new database
        return None
    return rows[0][0] if len(rows) == 1 else None


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, *, migrate: bool = True) -> None:
    """Bring the database to this code's head revision; StoreError if it is newer (unknown revision)."""
    head = quick_head()
    if head is not None and _stored_revision(engine) == head:
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    from .errors import StoreError

    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            f"the store database is at schema revision {current!r}, which is newer than this commandcenter "
            f"(knows up to {script.get_current_head()!r}); upgrade commandcenter or point it at another database")
    if current == script.get_current_head():
        return
    if not migrate:
        raise StoreError(f"the store database is at schema revision {current!r}; it needs migrating to "
                         f"{script.get_current_head()!r}")
    if current is not None:     # a new store's schema is made in a moment; an old one's can take minutes
        log.warning("store %s: migrating schema %s → %s (minutes on a store of millions of incidents)",
                    engine.url.render_as_string(hide_password=True), current, script.get_current_head())
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        # two processes opening one new store at once (a wall and `collect`): one migrates, the other waits
        # and then finds the head. SQLite's DDL is transactional once a transaction is open; its connections
        # run in autocommit (make_engine), so the migration would otherwise race table by table.
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(1668246893)")
        elif engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
