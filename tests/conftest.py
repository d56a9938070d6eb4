"""Fixtures: every storage-touching test runs on SQLite and on a real PostgreSQL server.

Each test gets its own fresh, fully migrated database (a copied SQLite file, or a PostgreSQL
database cloned from a migrated template), a clock it controls, and a :class:`Chat` to type in.
Where PostgreSQL is missing on a laptop its tests skip with the reason; under ``CI=true`` that
is a failure instead, because CI must prove both databases.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import pytest

from bot.app import CAPABILITIES, Leerteam
from bot.core.clock import FrozenClock
from bot.core.config import Settings
from storage.db import create_engine
from storage.migrate import upgrade
from tests.harness import Chat
from tests.pg import PostgresCluster, PostgresUnavailable

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START = datetime(2026, 9, 7, 8, 0, tzinfo=timezone.utc)  # a Monday morning in the school year
_db_numbers = itertools.count(1)


def _migrate(url: str) -> None:
    async def go() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(go())


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but a test peer (PostgreSQL, node) is unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server():
    url = os.environ.get("LEERTEAM_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    try:
        cluster = PostgresCluster()
        url = cluster.start()
    except PostgresUnavailable as exc:
        unavailable(str(exc))
        return
    try:
        yield url
    finally:
        cluster.stop()


def _admin(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql://", "postgresql://", 1), autocommit=True)


@pytest.fixture(scope="session")
def pg_template(pg_server):
    name = "leerteam_template"
    with _admin(pg_server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    _migrate(url)
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, migrated, empty database of each kind."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "leerteam.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    name = f"leerteam_t{os.getpid()}_{next(_db_numbers)}"
    with _admin(server) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(DATABASE_URL=database_url, LEERTEAM_LANGUAGE="nl", LEERTEAM_IMAGE_DIR=str(tmp_path / "img"),
                    _env_file=None)


@pytest.fixture
def capabilities():
    """What the app runs; a test module that defines test-only commands overrides this
    (``tests.harness.with_test_commands``)."""
    return CAPABILITIES


@pytest.fixture
async def app(settings, clock, capabilities):
    bot = Leerteam(settings, clock=clock, capabilities=capabilities)
    yield bot
    await bot.close()


@pytest.fixture
def chat(app) -> Chat:
    return Chat(app)


# --- under CI nothing may skip -------------------------------------------------------------
_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if IN_CI and _skipped:
        print(f"\nCI=true, but {len(_skipped)} test(s) skipped: {', '.join(_skipped[:10])}")
        session.exitstatus = 1
