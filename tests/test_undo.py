"""/ongedaan (/undo), issue 13: a member takes back their own latest entry of the last quarter
of an hour — never someone else's, never an older one."""

from __future__ import annotations

from datetime import timedelta

from storage.models import AgendaItem, Hypothesis, PollVote
from tests.harness import SETUP, TEAM, meeting_poll, play, rows


async def test_undo_takes_back_the_callers_latest_entry_only(app, chat, clock):
    await play(chat, SETUP)
    await chat.say("/hypothese We lezen te weinig voor.", as_="bram", in_=TEAM)
    await chat.say("/hypothese Te weinig tekstsoorten.", as_="carla", in_=TEAM)
    clock.set(clock.now() + timedelta(minutes=1))
    await chat.say("/agendapunt Leesresultaten", as_="bram", in_=TEAM)
    undone = await chat.say("/ongedaan", as_="bram", in_=TEAM)
    assert "Ongedaan gemaakt: je agendapunt Leesresultaten" in undone.text
    assert await rows(app, AgendaItem) == []
    again = await chat.say("/undo", as_="bram", in_=TEAM)
    assert "Ongedaan gemaakt: je hypothese We lezen te weinig voor." in again.text
    assert [h.text for h in await rows(app, Hypothesis)] == ["Te weinig tekstsoorten."]  # carla's stays
    # older than a quarter of an hour: the team's record, not undone
    clock.set(clock.now() + timedelta(minutes=20))
    late = await chat.say("/ongedaan", as_="carla", in_=TEAM)
    assert "Er is niets van jou uit de laatste 15 minuten" in late.text
    assert len(await rows(app, Hypothesis)) == 1


async def test_undo_a_vote(app, chat, clock):
    await meeting_poll(app, chat, clock)
    await chat.say("/peiling", as_="carla")
    await chat.say("4", as_="carla")
    assert len(await rows(app, PollVote)) == 1
    undone = await chat.say("/ongedaan", as_="carla")
    assert "je laatste stem in de peiling" in undone.text
    assert await rows(app, PollVote) == []
