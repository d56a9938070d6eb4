"""How many SQL statements the busiest events send (issue 18: at most four for an answer), on
SQLite and PostgreSQL, and that the fewer statements still mean the same thing: the right member,
team and roles, an answer saved once and edited in place, strangers and other chats kept apart.

Counts, not timings: a count is exact on any machine (``python -m bench`` has the timings)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlmodel import select

from storage.models import Answer
from tests.harness import SETUP, TEAM, Chat, play


@contextmanager
def statements(app) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, *rest) -> None:
        seen.append(statement)

    event.listen(app.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", count)


async def test_an_answer_takes_four_statements_and_an_edit_one_more_for_its_undo(app, chat: Chat):
    await play(chat, SETUP)
    await chat.say("/antwoord 1 Eerste versie.", as_="bram", in_=TEAM)
    with statements(app) as seen:
        first = await chat.say("/antwoord 2 De M-toets van januari.", as_="carla", in_=TEAM)
    assert "vraag 2 is opgeslagen" in first and "Volgende open vraag: 1." in first, first.text
    assert len(seen) <= 4, seen
    with statements(app) as seen:
        edited = await chat.say("/antwoord 2 De M-toets van februari.", as_="carla", in_=TEAM)
    assert "is aangepast" in edited
    # the edit also keeps the replaced text, so /ongedaan can bring it back (handlers/common/versions)
    assert len(seen) <= 5, seen
    assert "Teruggezet" in await chat.say("/ongedaan", as_="carla", in_=TEAM)
    async with app.sessions() as s:
        rows = (await s.exec(select(Answer).order_by(Answer.id))).all()
    assert [r.text for r in rows] == ["Eerste versie.", "De M-toets van januari."]


async def test_the_one_context_query_finds_roles_and_keeps_strangers_out(app, chat: Chat):
    await play(chat, SETUP)
    # carla is a member of the team in its own chat: her answer is stored
    assert "is aangepast" not in await chat.say("/antwoord 1 Mijn kijk.", as_="carla", in_=TEAM)
    # someone unknown in the same chat is not a member: refused, nothing stored
    stranger = await chat.say("/antwoord 1 Ik hoor er niet bij.", as_="zoe", in_=TEAM)
    assert stranger.outgoing and all(o.is_error for o in stranger.outgoing), stranger.text
    # carla in a chat that is no team's: no team from the chat, so her own (only) team is used
    other = await chat.say("/antwoord 1 Mijn tweede kijk.", as_="carla", in_="elders")
    assert "vraag 1 is aangepast" in other
    async with app.sessions() as s:
        rows = (await s.exec(select(Answer))).all()
    assert [r.text for r in rows] == ["Mijn tweede kijk."]



@pytest.fixture
def hand_offs(monkeypatch) -> list[str]:
    """The name of every function handed to aiosqlite's database thread, in order."""
    from storage import sqlite_onehop

    seen: list[str] = []
    real = sqlite_onehop.OneHopConnection._execute

    async def counted(self, fn, *args, **kwargs):
        seen.append(getattr(fn, "__name__", "?"))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(sqlite_onehop.OneHopConnection, "_execute", counted)
    return seen


async def test_sqlite_statements_cost_one_thread_hand_off_and_keep_their_answers(tmp_path, hand_offs):
    """storage/sqlite_onehop.py: one hand-off to aiosqlite's thread per statement (SQLAlchemy's
    adapter made four), with rows, rowcount, executemany and errors as before."""
    import sqlalchemy as sa
    from sqlalchemy.exc import IntegrityError

    from storage.db import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'hops.db'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
            await conn.execute(sa.text("INSERT INTO t (v) VALUES (:v)"), [{"v": "a"}, {"v": "b"}, {"v": "c"}])
        hand_offs.clear()
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.text("SELECT v FROM t ORDER BY v"))).all()
            assert hand_offs == ["_run"]  # execute, fetch and close in one
            assert [r.v for r in rows] == ["a", "b", "c"]
            changed = await conn.execute(sa.text("UPDATE t SET v = v || '!' WHERE v != 'a'"))
            assert changed.rowcount == 2
            new = await conn.execute(sa.text("INSERT INTO t (v) VALUES ('d') RETURNING id"))
            assert new.scalar_one() == 4
            try:
                await conn.execute(sa.text("INSERT INTO t (v) VALUES ('a')"))
                raise AssertionError("a duplicate was accepted")
            except IntegrityError:
                await conn.rollback()
            assert (await conn.execute(sa.text("SELECT count(*) FROM t"))).scalar_one() == 3
    finally:
        await engine.dispose()


async def test_sqlite_commit_hands_off_only_when_there_is_something_to_commit(tmp_path, hand_offs):
    """A commit after a write goes to the database thread; after reads only, or on a connection
    in autocommit mode (the outbox's outcomes), there is nothing to commit and no hand-off."""
    import sqlalchemy as sa

    from storage.db import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'commits.db'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        async with engine.connect() as conn:
            hand_offs.clear()
            await conn.execute(sa.text("INSERT INTO t (v) VALUES ('a')"))
            await conn.commit()
            assert hand_offs == ["_run", "commit"]
            hand_offs.clear()
            await conn.execute(sa.text("SELECT v FROM t"))
            await conn.commit()
            assert hand_offs == ["_run"]
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            hand_offs.clear()
            await conn.execute(sa.text("UPDATE t SET v = 'b'"))
            await conn.commit()
            assert hand_offs == ["_run"]
        async with engine.connect() as other:  # committed as it ran
            assert (await other.execute(sa.text("SELECT v FROM t"))).scalar_one() == "b"
    finally:
        await engine.dispose()
