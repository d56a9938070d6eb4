"""Quiet hours: nothing the bot sends on its own goes out between 18:00 and 07:30 or at weekends
in the school's time zone; it waits for the next school morning. Direct answers never wait."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.replies import Ask
from handlers.common.school_time import next_allowed
from storage.models import Outbox, School
from tests.harness import TEAM, Chat, setup_team, text_of, utc

AMS = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def test_next_allowed_moves_evenings_nights_and_weekends_to_the_next_school_morning():
    school = School(name="X", join_code="X", timezone="Europe/Amsterdam", created_at=utc(2026, 1, 1))
    assert next_allowed(school, local(2026, 12, 7, 10, 0)) == local(2026, 12, 7, 10, 0)  # Monday 10:00
    assert next_allowed(school, local(2026, 12, 7, 7, 30)) == local(2026, 12, 7, 7, 30)
    assert next_allowed(school, local(2026, 12, 7, 18, 0)) == local(2026, 12, 8, 7, 30)
    # a reminder due at 19:00 for a 08:00 meeting the next morning goes at 07:30
    assert next_allowed(school, local(2026, 12, 8, 19, 0)) == local(2026, 12, 9, 7, 30)
    assert next_allowed(school, local(2026, 12, 9, 6, 0)) == local(2026, 12, 9, 7, 30)
    assert next_allowed(school, local(2026, 12, 11, 20, 0)) == local(2026, 12, 14, 7, 30)  # Friday night
    assert next_allowed(school, local(2026, 12, 13, 15, 0)) == local(2026, 12, 14, 7, 30)  # Sunday
    school.quiet_from, school.quiet_until = "17:00", "08:15"
    assert next_allowed(school, local(2026, 12, 7, 17, 30)) == local(2026, 12, 8, 8, 15)
    brussels = School(name="Y", join_code="Y", timezone="Europe/Brussels", created_at=utc(2026, 1, 1))
    assert next_allowed(brussels, utc(2026, 7, 6, 16, 30)) == utc(2026, 7, 7, 5, 30)  # summer time


async def test_a_sunday_reminder_waits_for_monday_morning(app, chat: Chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme maandag 15:30 60", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 13, 13, 30))  # Sunday 15:30 local: a day before Monday's meeting
    mark = len(chat.transport.sent)
    await app.tick()
    assert [text_of(o) for o in chat.transport.sent[mark:]] == []
    queued = [r for r in await _rows(app) if r.kind == "reminder" and r.status == "pending"]
    assert [r.due_at for r in queued] == [utc(2026, 9, 14, 5, 30)]  # Monday 07:30 local
    # a direct answer on Sunday is never held back
    assert "Groep 5" in await chat.say("/overleggen", as_="carla", in_=TEAM)
    clock.set(utc(2026, 9, 14, 5, 29))
    await app.tick()
    assert not any(text_of(o).startswith("Herinnering: overleg") for o in chat.transport.sent[mark:])
    clock.set(utc(2026, 9, 14, 5, 30))
    await app.tick()
    assert any(text_of(o).startswith("Herinnering: overleg Groep 5") for o in chat.transport.sent[mark:])


async def test_an_evening_meeting_asks_for_notes_the_next_morning(app, chat: Chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 17:30 60", as_="bram", in_=TEAM)
    clock.set(utc(2026, 9, 8, 16, 45))  # 18:45 local: the meeting has ended, but it is evening
    mark = len(chat.transport.sent)
    await app.tick()
    assert not [o for o in chat.transport.sent[mark:] if isinstance(o.reply, Ask)]
    clock.set(utc(2026, 9, 9, 5, 30))  # Wednesday 07:30 local
    await app.tick()
    asks = [o for o in chat.transport.sent[mark:] if isinstance(o.reply, Ask)]
    assert len(asks) == 1 and asks[0].address.user_id == "bram"


async def test_a_leader_sets_the_quiet_hours(app, chat: Chat):
    await setup_team(chat)
    shown = await chat.say("/stilteuren", as_="carla")
    assert "van 18:00 tot 07:30 en in het weekend" in shown.text
    assert "Alleen een schoolleider" in await chat.say("/stilteuren 17:00 08:00", as_="carla")
    assert "moet later op de dag liggen" in await chat.say("/stilteuren 07:00 18:00", as_="anna")
    assert "'25:00' is geen tijd" in await chat.say("/stilteuren 25:00 07:00", as_="anna")
    assert "van 17:00 tot 08:15" in await chat.say("/stilteuren 17:00 8.15", as_="anna")
    async with app.sessions() as s:
        school = await s.get(School, 1)
        assert school is not None and (school.quiet_from, school.quiet_until) == ("17:00", "08:15")
    await chat.say("/language en", as_="dirk")
    assert "Quiet hours of De Regenboog: from 17:00 to 08:15" in await chat.say("/quiethours", as_="dirk")


async def _rows(app) -> list[Outbox]:
    from tests.harness import rows
    return await rows(app, Outbox)
