"""Reminders that fall due together are written together (issue 18): one query per kind of
record for the whole batch, each team still gets exactly its own reminder, a meeting that was
cancelled in the meantime is skipped without holding up the others, and a batch that cannot be
written falls back to one row at a time. Statement counts, not timings."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from bot.core import capability as cap_module
from storage.models import Outbox
from tests.harness import Chat, RecordingTransport, rows, text_of, utc


async def _school_with_teams(chat: Chat, n: int) -> None:
    await chat.say("/nieuweschool De Regenboog", as_="anna")
    for i in range(n):
        where = f"team-{i}"
        await chat.say(f"/nieuwteam Groep {i}", as_="anna", in_=where)
        await chat.say("/aansluiten", as_=f"t{i}", in_=where)
        await chat.say(f"/voorzitter t{i} Groep {i}", as_="anna")
        await chat.say("/ritme dinsdag 15:30", as_=f"t{i}", in_=where)
        if i % 2:
            await chat.say(f"/agendapunt Leesresultaten bespreken {i}", as_=f"t{i}", in_=where)


async def _tick_counting(app, transport) -> tuple[int, list[str]]:
    """One tick; the statements of its sending half (planning is counted elsewhere)."""
    from bot.core.outbox import TickReport, drain, plan

    seen: list[str] = []

    def count(conn, cursor, statement, *rest) -> None:
        seen.append(statement)

    app.attach(transport)
    report, now = TickReport(), app.clock.now()
    await plan(app, now, report)
    event.listen(app.engine.sync_engine, "before_cursor_execute", count)
    try:
        await drain(app, now, report)
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", count)
    return len(seen), [text_of(o) for o in transport.sent if text_of(o).startswith("Herinnering")]


async def _reminders_due(app, chat, clock, n: int) -> tuple[int, list[str]]:
    await _school_with_teams(chat, n)
    clock.set(utc(2026, 9, 7, 13, 35))  # Monday 15:35 local: every team's day-before reminder is due
    return await _tick_counting(app, RecordingTransport("console"))


@pytest.mark.parametrize("n", [3, 12])
async def test_each_team_gets_its_own_reminder_and_the_queries_do_not_grow_with_the_teams(
        app, chat, clock, n):
    statements, sent = await _reminders_due(app, chat, clock, n)
    assert len(sent) == n
    for i in range(n):  # each team's own name and its own agenda point, in one message
        mine = [t for t in sent if f"overleg Groep {i} morgen" in t]
        assert len(mine) == 1, sent
        assert (f"Leesresultaten bespreken {i}" in mine[0]) == bool(i % 2)
    assert [r.status for r in await rows(app, Outbox) if r.kind == "reminder"] == ["sent"] * n
    # per reminder only its outcome is written (one statement); writing the batch is a fixed
    # number of queries, whether it holds 3 reminders or 12 (it was about 25 per reminder)
    assert n <= statements <= n + 30, statements


async def test_a_meeting_cancelled_before_its_batch_is_skipped_and_the_others_are_sent(app, chat, clock):
    await _school_with_teams(chat, 3)
    clock.set(utc(2026, 9, 7, 13, 35))
    await app.tick()
    assert "gaat niet door" in (await chat.say("/afzeggen 1 Studiedag", as_="t1", in_="team-1")).text.lower()
    _, sent = await _tick_counting(app, RecordingTransport("console"))
    assert sorted(t.splitlines()[0].split(" morgen")[0] for t in sent) == [
        "Herinnering: overleg Groep 0", "Herinnering: overleg Groep 2"]
    statuses = sorted(r.status for r in await rows(app, Outbox) if r.kind == "reminder")
    assert statuses == ["sent", "sent", "skipped"]


async def test_a_batch_that_cannot_be_written_is_sent_one_by_one(app, chat, clock, monkeypatch):
    await _school_with_teams(chat, 3)
    clock.set(utc(2026, 9, 7, 13, 35))
    await app.tick()

    async def broken(jobs):
        raise RuntimeError("a bug in the batch form")

    assert "reminder" in app.registry.batch_renderers
    monkeypatch.setitem(app.registry.batch_renderers, "reminder", broken)
    _, sent = await _tick_counting(app, RecordingTransport("console"))
    assert len(sent) == 3  # the one-row renderer wrote each
    reminders = [r for r in await rows(app, Outbox) if r.kind == "reminder"]
    assert [r.status for r in reminders] == ["sent"] * 3
    assert [r.attempts for r in reminders] == [1, 1, 1]  # the failed batch is not counted as an attempt


def test_a_batch_renderer_needs_the_one_row_form_too():
    async def batch(jobs):
        return []

    lonely = cap_module.Capability("lonely", batch_renderers={"x": batch})
    try:
        cap_module.Registry.build([lonely])
    except ValueError as exc:
        assert "no renderer" in str(exc)
    else:
        raise AssertionError("a batch renderer without a renderer was accepted")
