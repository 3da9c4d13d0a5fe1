"""Schema migrations, run programmatically (no alembic.ini): the app migrates on open and refuses a newer database."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, *, migrate: bool = True) -> None:
    """Bring the database to this code's head revision; StoreError if it is newer (unknown revision)."""
    from .store import StoreError

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
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":   # two walls starting at once: one migrates, the other waits
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(1668246893)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
