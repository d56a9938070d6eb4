"""Issue 14, the rest: quiet hours hold the stille wand's reveal like every post the bot makes on its
own, and never push a meeting's reminder past the meeting's start."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.common.school_time import before_start
from storage.models import Outbox, School
from tests.harness import TEAM, Chat, rows, setup_team, text_of, utc

AMS = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def _sent(chat: Chat, mark: int, start: str) -> list[str]:
    return [text_of(o) for o in chat.transport.sent[mark:] if text_of(o).startswith(start)]


async def test_a_wall_that_closes_in_the_evening_is_revealed_the_next_school_morning(app, chat: Chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/stillewand 9u Wat maakt ons leerteam sterker?", as_="bram", in_=TEAM)  # closes 19:00
    await chat.say("/idee Samen lessen voorbereiden", as_="carla")
    clock.set(utc(2026, 9, 7, 17, 1))  # Monday 19:01 local: quiet hours
    mark = len(chat.transport.sent)
    await app.tick()
    assert not [t for t in map(text_of, chat.transport.sent[mark:]) if "is onthuld" in t]
    [row] = [r for r in await rows(app, Outbox) if r.kind == "wall_reveal"]
    assert row.status == "pending" and row.due_at == local(2026, 9, 8, 7, 30)
    clock.set(utc(2026, 9, 8, 5, 29))
    await app.tick()
    assert not [t for t in map(text_of, chat.transport.sent[mark:]) if "is onthuld" in t]
    clock.set(utc(2026, 9, 8, 5, 30))  # Tuesday 07:30: the school morning
    await app.tick()
    revealed = [o for o in chat.transport.sent[mark:] if "is onthuld" in text_of(o)]
    assert len(revealed) == 1 and revealed[0].address.chat_id == TEAM
    assert "Samen lessen voorbereiden" in text_of(revealed[0])


def test_before_start_holds_for_quiet_hours_but_never_past_the_start():
    school = School(name="X", join_code="X", timezone="Europe/Amsterdam", created_at=utc(2026, 1, 1))
    # held to the school morning when that is still before the meeting (Monday 08:00)
    assert before_start(school, local(2026, 9, 13, 8, 0), local(2026, 9, 14, 8, 0)) == local(2026, 9, 14, 7, 30)
    # a meeting at 07:00, before the school morning: no allowed moment before it, so at the due time
    assert before_start(school, local(2026, 9, 13, 7, 0), local(2026, 9, 14, 7, 0)) == local(2026, 9, 13, 7, 0)
    assert before_start(school, local(2026, 9, 14, 6, 0), local(2026, 9, 14, 7, 0)) == local(2026, 9, 14, 6, 0)
    # a meeting at 07:30 exactly: 07:30 is not before it
    assert before_start(school, local(2026, 9, 14, 6, 30), local(2026, 9, 14, 7, 30)) == local(2026, 9, 14, 6, 30)
    # in working hours nothing changes
    assert before_start(school, local(2026, 9, 14, 9, 0), local(2026, 9, 14, 10, 0)) == local(2026, 9, 14, 9, 0)


async def test_an_early_monday_meeting_is_reminded_at_the_due_times_not_after_it_started(app, chat: Chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme maandag 07:00 60", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 13, 5, 0))  # Sunday 07:00 local: the day-before reminder is due
    mark = len(chat.transport.sent)
    await app.tick()
    assert len(_sent(chat, mark, "Herinnering: overleg Groep 5")) == 1
    clock.set(utc(2026, 9, 14, 4, 0))  # Monday 06:00: the hour-before reminder
    await app.tick()
    assert len(_sent(chat, mark, "Herinnering: overleg Groep 5")) == 2
    reminders = [r for r in await rows(app, Outbox) if r.kind == "reminder"]
    assert all(r.status == "sent" for r in reminders) and all(r.due_at < local(2026, 9, 14, 7, 0) for r in reminders)


async def test_a_monday_meeting_after_the_weekend_is_reminded_on_monday_morning_before_it(app, chat: Chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme maandag 08:00 60", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 13, 6, 0))  # Sunday 08:00 local: due, but the weekend is quiet
    mark = len(chat.transport.sent)
    await app.tick()
    assert _sent(chat, mark, "Herinnering: overleg") == []
    queued = [r for r in await rows(app, Outbox) if r.kind == "reminder" and r.status == "pending"]
    assert [r.due_at for r in queued] == [local(2026, 9, 14, 7, 30)]
    clock.set(utc(2026, 9, 14, 5, 30))  # Monday 07:30, half an hour before the meeting
    await app.tick()
    assert _sent(chat, mark, "Herinnering: overleg Groep 5")
