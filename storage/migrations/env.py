"""Alembic environment: runs on a connection handed over by ``storage.migrate``, or on the
URL in the Alembic config (``alembic -x`` style use by developers generating revisions)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.models.base import add_postgresql_options

# the partial indexes' PostgreSQL condition, whichever database this run is on: a revision
# generated against SQLite must still create them partial on PostgreSQL
add_postgresql_options()

config = context.config
target_metadata = SQLModel.metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    from storage.db import create_engine

    async def _go() -> None:
        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("alembic: no sqlalchemy.url configured (storage/migrate.py sets it)")
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(_configure_and_run)
        await engine.dispose()

    asyncio.run(_go())


run_online()
