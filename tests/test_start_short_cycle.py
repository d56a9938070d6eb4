"""A short first cycle aimed at a quick win (issue 16 part 5, seed 001): an option when a team's
first cycle starts ("/cyclus <titel> | kort [N weken]"); it shortens the expected phase durations,
/status shows it, and the momentum guard measures the phases against the shorter plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.core.errors import UserError
from handlers.cycle.short_cycle import phase_weeks, read_short, stall_weeks
from storage.models import Cycle, MomentumFlag
from tests.harness import TEAM, Chat, rows, setup_team


@pytest.mark.parametrize("typed, result", [
    ("Begrijpend lezen | kort", ("Begrijpend lezen", 6)),
    ("Begrijpend lezen | kort 8 weken", ("Begrijpend lezen", 8)),
    ("Reading | short 4 weeks", ("Reading", 4)),
    ("Begrijpend lezen |  8 weken", ("Begrijpend lezen", 8)),
    ("Kort en krachtig instrueren", ("Kort en krachtig instrueren", None)),  # a title, not the option
    ("Rekenen | tafels", ("Rekenen | tafels", None)),
])
def test_reading_the_option(typed, result):
    assert read_short(typed) == result


def test_weeks_out_of_range_are_refused():
    with pytest.raises(UserError):
        read_short("Lezen | kort 12 weken")
    with pytest.raises(UserError):
        read_short("Lezen | kort 2 weken")


def test_the_expected_durations_are_shorter():
    assert phase_weeks(6) == {1: 1, 2: 1, 3: 1, 4: 3}
    assert phase_weeks(10) == {1: 2, 2: 2, 3: 2, 4: 4}
    short, normal = Cycle(team_id=1, title="x", short_weeks=6), Cycle(team_id=1, title="x")
    assert [stall_weeks(short, p, 6) for p in (1, 2, 3, 4)] == [2, 2, 2, 2]
    assert [stall_weeks(normal, p, 6) for p in (1, 2, 3, 4)] == [6, 6, 6, 6]


async def test_a_new_team_starts_short_and_status_shows_it(app, chat: Chat, clock):
    await setup_team(chat)
    started = await chat.say("/cyclus Begrijpend lezen | kort", as_="bram", in_=TEAM)
    assert "korte eerste cyclus van 6 weken" in started.text and "elk ongeveer 1 week, daarna 3 weken uitvoeren" in started.text
    async with app.sessions() as s:
        cycle = (await s.exec(select(Cycle))).one()
        assert (cycle.title, cycle.short_weeks) == ("Begrijpend lezen", 6)
    status = (await chat.say("/status", as_="carla", in_=TEAM)).text
    assert "Korte eerste cyclus van 6 weken" in status and "verwacht in 1 week, nu week 1 — op schema" in status
    clock.set(clock.now() + timedelta(days=9))
    status = (await chat.say("/status", as_="carla", in_=TEAM)).text
    assert "nu week 2 — langer dan gepland" in status


async def test_english_and_errors(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/taal en", as_="bram")
    wrong = await chat.say("/cycle Reading | short 12 weeks", as_="bram", in_=TEAM)
    assert wrong.outgoing[0].is_error and "takes 4 to 10 weeks, not 12" in wrong.text
    async with app.sessions() as s:
        assert (await s.exec(select(Cycle))).all() == []
    started = await chat.say("/cycle Reading | short 8 weeks", as_="bram")
    # posted in the team's channel, in the school's language; bram is told where it went, in English
    assert "korte eerste cyclus van 8 weken" in started.text and "I have posted it in" in started.text
    await chat.say("/taal en", as_="carla")
    status = (await chat.say("/status Groep 5", as_="carla")).text
    assert "Short first cycle of 8 weeks" in status and "expected to take 1 week, now week 1 — on schedule" in status


async def test_only_the_first_cycle_can_be_short(app, chat: Chat, clock):
    await setup_team(chat)
    async with app.sessions() as s:
        s.add(Cycle(team_id=1, title="Vorig jaar", status="closed", started_at=clock.now(), closed_at=clock.now()))
        await s.commit()
    refused = await chat.say("/cyclus Spelling | kort", as_="bram", in_=TEAM)
    assert refused.outgoing[0].is_error and "Alleen de eerste cyclus" in refused.text
    assert "Team Groep 5 start een onderzoekscyclus: Spelling." in (
        await chat.say("/cyclus Spelling", as_="bram", in_=TEAM)).text


@pytest.mark.parametrize("short, flagged", [(True, True), (False, False)])
async def test_a_short_phase_stalls_sooner(app, chat: Chat, clock, short, flagged):
    await setup_team(chat)
    await chat.say("/cyclus Begrijpend lezen" + (" | kort" if short else ""), as_="bram", in_=TEAM)
    clock.set(clock.now() + timedelta(weeks=2, days=1))
    await app.tick()
    stalled = [f for f in await rows(app, MomentumFlag) if f.kind == "phase_stalled"]
    assert bool(stalled) is flagged
