"""The dispatcher's promises: exactly-once events, questions that survive restarts, buttons
that are re-checked, and crashes that store nothing."""

from __future__ import annotations

import asyncio
import sys

import pytest
from sqlmodel import select

from bot.app import Leerteam
from bot.core.capability import Registry
from bot.core.commands import Access, Param, answers, command
from bot.core.events import CommandEvent
from bot.core.replies import Ask, Choices, Edit, Option, Text
from prompts.catalog import Msg
from storage.models import PendingQuestion, ProcessedEvent, TeamMembership
from tests.harness import Chat, school_setup, snapshot, with_test_commands


@pytest.fixture
def capabilities():
    return with_test_commands(sys.modules[__name__])


async def test_replaying_an_event_changes_nothing_the_second_time(app, chat: Chat):
    await school_setup(chat)
    ev = chat.event(CommandEvent, as_="dirk", event_id="slack-Ev123", name="aansluiten", args="Bovenbouw")
    first = await chat.send_event(ev)
    assert "Welkom in team Bovenbouw, Dirk!" in first
    before = await snapshot(app, skip=())
    second = await chat.send_event(ev)
    assert not second  # no reply at all: the platform's redelivery is silently absorbed
    assert await snapshot(app, skip=()) == before


async def test_replaying_a_refused_event_is_quiet_too(app, chat: Chat):
    await school_setup(chat)
    ev = chat.event(CommandEvent, as_="bram", event_id="tg-77", name="nieuwteam", args="Groep 8")
    assert "Alleen de schoolleider" in await chat.send_event(ev)
    assert not await chat.send_event(ev)


async def test_concurrent_twins_are_handled_once(app, chat: Chat):
    await school_setup(chat)
    ev = chat.event(CommandEvent, as_="dirk", event_id="twin-1", name="aansluiten", args="Groep 3-4")
    answers_ = await asyncio.gather(*(chat.send_event(ev) for _ in range(4)))
    assert sum(1 for a in answers_ if a) == 1, [a.text for a in answers_]
    async with app.sessions() as s:
        rows = (await s.exec(select(ProcessedEvent).where(ProcessedEvent.event_id == "twin-1"))).all()
        assert len(rows) == 1
        members = (await s.exec(select(TeamMembership))).all()
        assert len(members) == 3


async def test_same_event_id_on_another_platform_is_a_different_event(app, chat: Chat):
    await school_setup(chat)
    other = Chat(app, platform="slack", workspace="T1")
    ev1 = chat.event(CommandEvent, as_="anna", event_id="42", name="hulp")
    ev2 = other.event(CommandEvent, as_="anna", event_id="42", name="hulp")
    assert await chat.send_event(ev1)
    assert await other.send_event(ev2)


# --- a tiny test-only feature, to exercise questions, buttons and edits ---------------------
@command("test_ask", hidden=True)
async def _ask(ctx):
    return Ask(Msg("common.private_hint", help_cmd="hulp"), question_id="test_echo", payload={"n": 7})


@answers("test_echo")
async def _echo(ctx, payload, text):
    return Text(Msg("team.joined", team=f"#{payload['n']}", person=text))


@command("test_buttons", hidden=True, access=Access.SCHOOL_MEMBER)
async def _buttons(ctx):
    return Choices(Msg("usage.missing"), (Option(Msg("role.admin"), "team_join Bovenbouw"),), ref="test-buttons")


@command("test_edit", hidden=True)
async def _edit(ctx):
    return Edit("test-buttons", Text(Msg("usage.extra")))


@command("test_crash", hidden=True, params=(Param("name", rest=True),))
async def _crash(ctx, name):
    await ctx.ensure_member()
    raise RuntimeError("boom")


async def test_a_pending_question_survives_a_restart(app, chat: Chat, settings, clock):
    asked = await chat.press("test_ask", as_="bram")
    assert asked.outgoing[0].question_id is not None
    await app.close()
    restarted = Leerteam(settings, clock=clock, capabilities=with_test_commands(sys.modules[__name__]))
    try:
        chat2 = Chat(restarted)
        answer = await chat2.say("Mijn antwoord", as_="bram")
        assert "Welkom in team #7, Mijn antwoord!" in answer
        async with restarted.sessions() as s:
            assert (await s.exec(select(PendingQuestion))).all() == []
        # the question is answered: the next message is ordinary again
        assert "Typ /hulp" in await chat2.say("nog iets", as_="bram")
    finally:
        await restarted.close()


async def test_an_explicit_answer_must_match_the_askers_question(app, chat: Chat):
    asked = await chat.press("test_ask", as_="bram")
    qid = asked.outgoing[0].question_id
    assert "staat niet meer open" in await chat.answer(qid, "stolen", as_="carla")
    assert "Welkom in team #7, echt!" in await chat.answer(qid, "echt", as_="bram")


async def test_chatter_in_a_team_channel_is_ignored(chat: Chat):
    await school_setup(chat)
    assert not await chat.say("goedemorgen allemaal", as_="bram", in_="g34")


async def test_buttons_are_rechecked_server_side(app, chat: Chat):
    await school_setup(chat)
    # a forged button press for a command the user may not run
    assert "Alleen de schoolleider" in await chat.press("team_create Hackers", as_="bram")
    assert "Die knop werkt niet meer" in await chat.press("no_such_command 1", as_="bram")
    assert "Die knop werkt niet meer" in await chat.press("", as_="bram")
    shown = await chat.press("test_buttons", as_="dirk")
    value = shown.outgoing[0].reply.options[0].value
    assert "Welkom in team Bovenbouw, Dirk!" in await chat.press(value, as_="dirk")


async def test_edit_finds_the_earlier_message(app, chat: Chat):
    await school_setup(chat)
    shown = await chat.press("test_buttons", as_="dirk")
    edited = await chat.press("test_edit", as_="dirk")
    out = edited.outgoing[0]
    assert out.address.message_id is not None
    assert out.address.chat_id == shown.outgoing[0].address.chat_id
    assert "Dat is meer dan ik verwacht" in edited


async def test_a_crash_stores_nothing_and_says_so(app, chat: Chat):
    before = await snapshot(app, skip=())
    answer = await chat.press("test_crash x", as_="newbie")
    assert "er is niets opgeslagen" in answer
    assert await snapshot(app, skip=()) == before  # not even the event key: a redelivery may retry


def test_hidden_test_commands_do_not_leak_into_help():
    registry = Registry.build(with_test_commands(sys.modules[__name__]))
    assert registry.commands["test_ask"].hidden and "test_echo" in registry.answers
