"""Small teams and deleted members (issue 14, part 3): counts stay consistent after a member
deletes their data, and a team below the anonymity threshold gets no poll at all."""

from __future__ import annotations

from storage.models import Outbox, Poll
from tests.harness import AFTER_MEETING, TEAM, Chat, answer_all, meeting_poll, rows, setup_team, text_of, utc


async def _delete(chat: Chat, who: str) -> None:
    confirm = await chat.say("/wismijngegevens", as_=who)
    await chat.press(confirm.outgoing[0].reply.options[0].value, as_=who)


async def test_counts_stay_consistent_after_a_member_deletes_their_data(app, chat: Chat, clock):
    await meeting_poll(app, chat, clock)
    for who in ("bram", "carla", "dirk"):
        await answer_all(chat, who, [4, 1, 1])
    await _delete(chat, "dirk")
    listing = (await chat.say("/peilingen", as_="carla", in_=TEAM)).text
    assert "geantwoord: 3 van 3" in listing and "3 van 2" not in listing
    await chat.say("/verlaten Groep 5", as_="carla")  # who leaves still counts on both sides
    assert "geantwoord: 3 van 3" in (await chat.say("/peilingen", as_="bram", in_=TEAM)).text


async def test_a_team_below_the_threshold_gets_no_poll(app, chat: Chat, clock):
    await setup_team(chat)
    await _delete(chat, "dirk")
    refused = await chat.say("/overlegpeiling", as_="bram", in_=TEAM)
    assert "Team Groep 5 heeft 2 leden; een peiling heeft er minstens 3 nodig" in refused.text
    assert "minstens 3 nodig" in await chat.say("/nieuwepeiling Hoe ging het?", as_="bram", in_=TEAM)
    assert await rows(app, Poll) == []
    await chat.say("/language en", as_="bram")
    assert "has 2 members; a poll needs at least 3" in await chat.say("/meetingpoll", as_="bram", in_=TEAM)


async def test_the_chair_is_told_once_why_the_automatic_poll_was_skipped(app, chat: Chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    await _delete(chat, "dirk")
    mark = len(chat.transport.sent)
    clock.set(AFTER_MEETING)
    await app.tick()
    told = [o for o in chat.transport.sent[mark:] if "is overgeslagen" in text_of(o)]
    assert len(told) == 1 and told[0].address.user_id == "bram" and told[0].address.private
    assert "het team heeft 2 leden en een peiling heeft er minstens 3 nodig" in text_of(told[0])
    assert await rows(app, Poll) == []
    mark = len(chat.transport.sent)
    clock.set(utc(2026, 9, 15, 14, 45))  # the next meeting: skipped again, but not said again
    await app.tick()
    assert not any("is overgeslagen" in text_of(o) for o in chat.transport.sent[mark:])
    assert len([r for r in await rows(app, Outbox) if r.kind == "poll_skipped"]) == 1
