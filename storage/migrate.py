"""Brings a database to the newest schema with Alembic, from the bot itself.

The bot migrates on start-up so a teacher's first ``leerteam`` just works; operators can also
run ``leerteam-migrate`` (or ``python -m storage.migrate``) explicitly before a deploy.

Almost every start finds the database already at the newest schema. That is checked with one
query of ``alembic_version`` against :data:`HEAD`, without importing Alembic (and Mako and
Pygments with it: a third of the console's start-up, ``python -m bench`` row 4); Alembic is
imported only when there is something to do. ``tests/test_storage.py`` checks that :data:`HEAD`
is Alembic's own head, so a new migration cannot be forgotten here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0016_start"  # the newest revision in migrations/versions (a test keeps it true)


async def at_head(engine: AsyncEngine) -> bool:
    """Whether the database is at :data:`HEAD` already (one query; False when it has no schema yet)."""
    try:
        async with engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    except DBAPIError:  # no alembic_version table: a new database
        return False
    return list(versions) == [HEAD]


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade(engine: AsyncEngine) -> None:
    """Run all pending migrations on this engine's database (nothing to import when there are none)."""
    if await at_head(engine):
        return
    from alembic import command

    def _run(sync_conn: Any) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, "head")

    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two processes starting at once must not both create the schema.
            await conn.execute(text("SELECT pg_advisory_xact_lock(7411001)"))
        await conn.run_sync(_run)


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
