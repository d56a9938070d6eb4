"""The schema: migrations are the only way it changes, and they match the models."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import DatabaseUrlError, async_url
from storage.migrate import HEAD, at_head, current_revision, head_revision
from storage.models import Member


async def test_database_is_at_head(app):
    assert await current_revision(app.engine) == head_revision()


async def test_the_quick_head_check_knows_the_newest_migration(app):
    # storage.migrate.HEAD must name Alembic's head: a new migration updates it, or this fails
    assert HEAD == head_revision()
    assert await at_head(app.engine)


async def test_a_new_database_is_not_at_head_and_gets_its_schema(tmp_path):
    from storage.db import create_engine
    from storage.migrate import upgrade

    engine = create_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert not await at_head(engine)
        await upgrade(engine)
        assert await at_head(engine) and await current_revision(engine) == HEAD
    finally:
        await engine.dispose()


def test_starting_on_a_database_at_head_does_not_import_alembic(tmp_path):
    """The console's start-up: one query of alembic_version, no Alembic (bench row 4)."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'ready.db'}"
    script = (
        "import asyncio, sys\n"
        "from storage.db import create_engine\n"
        "from storage.migrate import upgrade\n"
        f"engine = create_engine({url!r})\n"
        "asyncio.run(upgrade(engine))\n"
        "print('alembic' in sys.modules)\n"
    )
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert first.stdout.strip() == "True"  # a new database: Alembic builds the schema
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert again.stdout.strip() == "False"  # at head: nothing imported, nothing done


async def test_models_match_the_migrations(app):
    def diff(conn):
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, SQLModel.metadata)

    async with app.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_migrating_twice_is_harmless(app):
    await app.migrate()
    await app.migrate()
    assert await current_revision(app.engine) == head_revision()


async def test_datetimes_come_back_aware(app, clock):
    async with app.sessions() as s:
        m = Member(display_name="Anna", created_at=clock.now())
        s.add(m)
        await s.commit()
    async with app.sessions() as s:
        again = await s.get(Member, m.id)
        assert again.created_at == clock.now() and again.created_at.tzinfo is not None


async def test_naive_datetimes_are_refused(app):
    async with app.sessions() as s:
        s.add(Member(display_name="Anna", created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            await s.commit()


def test_database_urls_people_paste_are_accepted():
    assert async_url("sqlite:///leerteam.db") == "sqlite+aiosqlite:///leerteam.db"
    assert async_url("postgres://u:p@h/db").startswith("postgresql+psycopg://u:p@h/db")
    assert async_url("postgresql://u@h:5433/db") == "postgresql+psycopg://u@h:5433/db"
    with pytest.raises(DatabaseUrlError):
        async_url("mysql://x/y")
    with pytest.raises(DatabaseUrlError):
        async_url("not a url")


def test_partial_indexes_get_their_postgresql_condition_when_a_postgresql_engine_opens():
    """The models name only SQLite's condition (naming PostgreSQL's would load that dialect at every
    console start); opening a PostgreSQL engine adds it, so the metadata builds the same index."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex

    from storage.db import create_engine
    from storage.models import Brainstorm, Cycle

    create_engine("postgresql://nobody@127.0.0.1:1/none")  # builds the engine; connects to nothing
    cycle = next(i for i in Cycle.__table__.indexes if i.name == "uq_cycle_active_team")
    wall = next(i for i in Brainstorm.__table__.indexes if i.name == "uq_brainstorm_open_team")
    assert str(CreateIndex(cycle).compile(dialect=postgresql.dialect())).endswith("WHERE status = 'active'")
    assert "WHERE status IN ('collecting', 'revealed')" in str(CreateIndex(wall).compile(dialect=postgresql.dialect()))
