"""The database engine: one ``DATABASE_URL`` for SQLite (default) and PostgreSQL.

Everything runs on SQLAlchemy's asyncio engine (aiosqlite / psycopg), so no query ever blocks
the event loop that the transports share.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_onehop
from storage.models.base import add_postgresql_options


class DatabaseUrlError(ValueError):
    pass


def async_url(url: str) -> str:
    """Accept the URLs people paste (``sqlite:///x.db``, ``postgres://…``) and pick async drivers."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError(str(exc)) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise DatabaseUrlError(f"unsupported database {backend!r}")


def create_engine(url: str) -> AsyncEngine:
    # hide_parameters: a failing statement is logged without the values, which may be a teacher's words.
    # pool_pre_ping: a server may drop connections (restart, failover), so each is checked before
    # use; a SQLite file cannot, and there the check was an extra query for every event.
    is_sqlite = make_url(async_url(url)).get_backend_name() == "sqlite"
    extra: dict = {"async_creator": sqlite_onehop.async_creator(async_url(url))} if is_sqlite else {}
    engine = create_async_engine(async_url(url), pool_pre_ping=not is_sqlite, hide_parameters=True, **extra)
    if engine.dialect.name == "postgresql":
        add_postgresql_options()
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
