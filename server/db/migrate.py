"""Running Alembic from inside the server package, and checking the schema is at head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class SchemaNotAtHead(RuntimeError):
    pass


def alembic_config(owner_url: str, app_role: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", owner_url.replace("%", "%%"))
    cfg.attributes["app_role"] = app_role
    return cfg


def upgrade_to_head(owner_url: str, app_role: str) -> None:
    command.upgrade(alembic_config(owner_url, app_role), "head")
    # Reference data this release ships (code sets): loaded once, after the tables exist.
    from server.codes.releases import load_bundled
    from server.db.raw import conninfo

    load_bundled(conninfo(owner_url))


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() or ""


def current_revision(url: str) -> str | None:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def require_head(url: str) -> None:
    """The server refuses a database that an older or newer release migrated."""
    current, head = current_revision(url), head_revision()
    if current != head:
        raise SchemaNotAtHead(
            f"database schema is at revision {current or 'none'}, this server needs {head}: "
            "run `pms-server migrate` (or upgrade the server)"
        )
