"""SQLite through aiosqlite in one thread hop per statement instead of four.

aiosqlite runs SQLite on a thread of its own and SQLAlchemy's adapter awaits that thread for every
cursor step: make a cursor, execute, fetch the rows, close — four hand-offs between the event loop
and the thread for one ``SELECT``, and an event (five statements and a commit) paid seventeen of
them. Each hand-off is a queue put, a thread wake-up and a loop wake-up; on a 2-core machine they,
not SQLite, were most of an answer's time (``python -m bench``, row 1).

:class:`OneHopConnection` is aiosqlite's own connection with one change: its cursors do the whole
step — execute, fetch every row, read ``description``/``rowcount``/``lastrowid``, close — in one
call on the database thread, and hand SQLAlchemy the rows from memory. SQLAlchemy's adapter reads
every row of a plain cursor at once anyway, so nothing is held longer than before. And a rollback
with no transaction open (the pool's reset of every returned connection, after a commit) costs no
hand-off, nor does a commit with nothing to commit (after reads only, or in autocommit mode).
Functions and closing are aiosqlite's, unchanged.

It leans on one private aiosqlite method (``Connection._execute``, the queue SQLAlchemy's adapter
uses itself); ``tests/test_storage.py`` runs every storage test through it, and
``tests/test_statements.py`` checks the hand-offs per statement and the cursor's answers.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url


class OneHopCursor:
    """The part of aiosqlite's cursor SQLAlchemy's adapter uses, with each statement done in one
    call on the database thread. Rows are kept in memory until fetched."""

    arraysize = 1

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _run(self, many: bool, sql: str, parameters: Any) -> None:
        """On the database thread: the whole statement, rows included."""
        cursor = self._connection._conn.cursor()
        try:
            if many:
                cursor.executemany(sql, parameters)
            else:
                cursor.execute(sql, parameters)
            self.description = cursor.description
            self._rows = cursor.fetchall() if cursor.description else []
            self.rowcount, self.lastrowid = cursor.rowcount, cursor.lastrowid
        finally:
            cursor.close()

    async def execute(self, sql: str, parameters: Any = None) -> OneHopCursor:
        await self._connection._execute(self._run, False, sql, () if parameters is None else parameters)
        return self

    async def executemany(self, sql: str, parameters: Any) -> OneHopCursor:
        await self._connection._execute(self._run, True, sql, parameters)
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        n = size or self.arraysize
        rows, self._rows = self._rows[:n], self._rows[n:]
        return rows

    async def close(self) -> None:
        self._rows = []


class OneHopConnection(aiosqlite.Connection):
    """aiosqlite's connection whose cursors cost no hand-off of their own (see the module)."""

    def cursor(self) -> OneHopCursor:  # type: ignore[override]  # no hand-off: SQLAlchemy enters it at once
        return OneHopCursor(self)

    async def rollback(self) -> None:
        """No hand-off when there is nothing to roll back: the pool rolls back every connection it
        gets back, and after a commit that is one more round trip for nothing. ``in_transaction``
        is SQLite's own flag; no statement of this connection runs while its owner waits here."""
        if self._connection is not None and not self._connection.in_transaction:
            return
        await super().rollback()

    async def commit(self) -> None:
        """No hand-off when there is nothing to commit: a connection in autocommit mode (the
        outbox's outcomes, :class:`bot.core.lease.Outcomes`) committed each statement as it ran,
        and a transaction that only read began none."""
        if self._connection is not None and not self._connection.in_transaction:
            return
        await super().commit()


def async_creator(url: str) -> Any:
    """For ``create_async_engine(..., async_creator=…)``: connect as SQLAlchemy's aiosqlite dialect
    would (the same file and options from the URL), through :class:`OneHopConnection`."""
    args, kwargs = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
    database = args[0] if args else kwargs.pop("database")

    async def connect() -> OneHopConnection:
        connection = OneHopConnection(lambda: sqlite3.connect(database, **kwargs), 64)
        connection._thread.daemon = True  # as SQLAlchemy does: a forgotten connection never blocks exit
        await connection
        return connection

    return connect
