"""The schema: migrations are the only way it changes, and they match the models."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import DatabaseUrlError, async_url
from storage.migrate import current_revision, head_revision
from storage.models import Member


async def test_database_is_at_head(app):
    assert await current_revision(app.engine) == head_revision()


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
