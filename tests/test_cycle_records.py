"""The cycle's records (issue 14, part 4): no result for a moment still to come, no measurement
moment after the goal's deadline, /status lists the moments with their results, and moving a
meeting to the time it already has changes and posts nothing."""

from __future__ import annotations

from storage.models import MeasurementMoment, Meeting
from tests.harness import SETUP, TEAM, Chat, play, rows, setup_team, snapshot, utc

PHASE3 = [
    ("bram", TEAM, "/volgendetoch a"),
    ("bram", TEAM, "/volgendetoch b"),
    ("bram", TEAM, "/doel % leerlingen op niveau | 80 | 1-6-2027"),
]


async def test_a_moment_after_the_deadline_is_refused(app, chat: Chat):
    await play(chat, SETUP + PHASE3)
    before = await snapshot(app)
    late = await chat.say("/meetmoment 15-6-2027 eindmeting", as_="bram", in_=TEAM)
    assert "15 juni 2027 ligt na de deadline van jullie doel (1 juni 2027)" in late.text
    assert "/doel" in late.text
    assert await snapshot(app) == before
    assert "Meetmoment vastgelegd" in await chat.say("/meetmoment 1-6-2027 eindmeting", as_="bram", in_=TEAM)
    await chat.say("/language en", as_="bram")
    assert "is after your goal's deadline" in await chat.say("/moment 2-6-2027", as_="bram", in_=TEAM)


async def test_no_result_for_a_moment_still_to_come_and_status_lists_them(app, chat: Chat, clock):
    await play(chat, SETUP + PHASE3)
    await chat.say("/meetmoment 10-9-2026 tussenmeting", as_="bram", in_=TEAM)
    await chat.say("/meetmoment 1-3-2027 eindmeting", as_="bram", in_=TEAM)
    await chat.say("/volgendetoch c", as_="bram", in_=TEAM)
    early = await chat.say("/resultaat 1 71", as_="bram", in_=TEAM)
    assert "Het meetmoment van 10 september 2026 ligt nog in de toekomst" in early.text
    assert all(m.result_value is None for m in await rows(app, MeasurementMoment))
    clock.set(utc(2026, 9, 10, 8, 0))  # 10:00 local on the day itself: measured
    assert "Resultaat vastgelegd voor 10 september 2026: 71" in await chat.say("/resultaat 1 71", as_="bram",
                                                                                   in_=TEAM)
    assert "ligt nog in de toekomst" in await chat.say("/resultaat 2 80", as_="bram", in_=TEAM)
    status = (await chat.say("/status", as_="carla", in_=TEAM)).text
    assert "Meetmomenten:" in status
    assert "1. 10 september 2026 tussenmeting: 71" in status
    assert "2. 1 maart 2027 eindmeting: nog geen resultaat" in status


async def test_moving_a_meeting_to_its_own_time_changes_and_posts_nothing(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    before = await snapshot(app)
    same = await chat.say("/verzet 1 8-9-2026 15:30", as_="bram", in_=TEAM)
    assert "staat al op dinsdag 8 september 2026 om 15:30; er is niets veranderd" in same.text
    assert len(same.outgoing) == 1 and same.outgoing[0].address.chat_id == TEAM
    assert await snapshot(app) == before
    assert "niets veranderd" in await chat.say("/verzet 1 8-9-2026", as_="bram", in_=TEAM)
    moved = await chat.say("/verzet 1 8-9-2026 16:00", as_="bram", in_=TEAM)
    assert "naar dinsdag 8 september 2026 om 16:00" in moved.text
    assert [m.moved for m in await rows(app, Meeting) if m.starts_at == utc(2026, 9, 8, 14, 0)] == [True]
