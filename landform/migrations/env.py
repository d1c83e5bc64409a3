"""Alembic environment: runs migrations on the sync engine of LANDFORM_DATABASE_URL."""

from alembic import context

import landform.models
from landform.core.db import sync_engine
from landform.core.settings import get_settings

config = context.config
target_metadata = landform.models.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database.sync_url
    engine = sync_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            # Type comparison misreads GUID columns on SQLite; type changes get hand-written migrations.
            compare_type=False,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
