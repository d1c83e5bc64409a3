"""Alembic, driven from code: upgrade the database, and tell whether it is current."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from landform.core.db import sync_engine
from landform.core.settings import Settings

MIGRATIONS = Path(__file__).parent.parent / "migrations"


class DatabaseNotMigrated(RuntimeError):
    pass


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", settings.database.sync_url.replace("%", "%%"))
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    sync_engine(settings.database.sync_url)  # creates an SQLite file's directory
    command.upgrade(alembic_config(settings), revision)


def ensure_current(settings: Settings) -> None:
    """Refuse to serve an unmigrated database, saying which command fixes it."""
    head = ScriptDirectory.from_config(alembic_config(settings)).get_current_head()
    try:
        with sync_engine(settings.database.sync_url).connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as error:
        raise DatabaseNotMigrated(
            f"Cannot reach the database at LANDFORM_DATABASE_URL ({error.__class__.__name__}: {error})."
        ) from error
    if current != head:
        raise DatabaseNotMigrated(
            f"The database is at migration {current or 'none'}, the code needs {head}. "
            "Run `landform db upgrade` (or `make run`, which does it for you)."
        )
