"""Every mistake gets a clear, localized answer, and nothing stored changes."""

from __future__ import annotations

import pytest

from tests.harness import Chat, school_setup, snapshot

LONG = "x" * 10_000

# (who, where, command, what the Dutch answer must say, what the English answer must say)
CASES = [
    ("anna", None, "/vliegen", "Het commando /vliegen ken ik niet", "I don't know the command /vliegen"),
    ("anna", None, "/nieuwteam", "Er ontbreekt iets", "Something is missing"),
    ("anna", None, "/taal nl en", "Dat is meer dan ik verwacht", "That is more than I expect"),
    ("anna", None, "/teams extra", "Dat is meer dan ik verwacht", "That is more than I expect"),
    ("anna", None, f"/nieuwteam {LONG}", "Te lang: de teamnaam heeft 10000 tekens, hooguit 60 mag.", "Too long: the team name has 10000 characters; at most 60 fit."),
    ("anna", None, "/nieuwteam <b>Groep</b>", "mogen deze tekens niet staan: < >", "may not contain these characters: < >"),
    ("anna", None, "/nieuwteam *Groep* 5", "mogen deze tekens niet staan: *", "may not contain these characters: *"),
    ("anna", None, "/nieuwteam <!channel> Groep", "mogen deze tekens niet staan", "may not contain these characters"),
    ("anna", None, "/nieuwteam Groep\x00 5", "onzichtbare besturingstekens", "invisible control characters"),
    ("anna", None, "/aansluiten Groep\x00 5", "onzichtbare besturingstekens", "invisible control characters"),
    ("anna", None, "/aansluiten Groep\x85 5", "onzichtbare besturingstekens", "invisible control characters"),
    # a bidi override (\u202e) is removed, not refused: bot/core/typed.py, tests/test_typed.py
    ("anna", None, "/nieuwteam Groep\n5", "onzichtbare tekens", "invisible characters"),
    ("anna", None, "/nieuwteam ---", "minstens één letter of cijfer", "at least one letter or digit"),
    ("anna", None, "/aansluiten Onbekend", "Ik ken geen team dat 'Onbekend' heet", "I don't know a team called 'Onbekend'"),
    # a bare /aansluiten is no mistake: it offers the teams as buttons (tests/test_conversation.py)
    ("anna", None, "/voorzitter zoe Groep 3-4", "Ik ken 'zoe' niet bij De Regenboog", "I don't know 'zoe' at De Regenboog"),
    ("anna", None, "/taal klingon", "Die taal ken ik niet", "I don't know that language"),
    ("anna", None, "/hulp vliegen", "Over 'vliegen' heb ik geen uitleg", "I have no help on 'vliegen'"),
    ("anna", None, "/nieuwteam Bovenbouw", "Er is al een team dat Bovenbouw heet", "There is already a team called Bovenbouw"),
    # acting beyond one's role
    ("bram", None, "/nieuwteam Groep 7", "Alleen de schoolleider of een beheerder", "Only the school leader or an admin"),
    ("bram", None, "/schoolleider bram", "Alleen de schoolleider of een beheerder", "Only the school leader or an admin"),
    ("bram", None, "/voorzitter bram Bovenbouw", "Alleen de voorzitter van Bovenbouw", "Only the chair of Bovenbouw"),
    ("dirk", None, "/schoolcode", "Alleen de schoolleider of een beheerder", "Only the school leader or an admin"),
    ("bram", "g34", "/koppel Bovenbouw", "Alleen de voorzitter van Bovenbouw", "Only the chair of Bovenbouw"),
]


@pytest.mark.parametrize("who,where,line,nl,en", CASES, ids=[c[2][:30] for c in CASES])
async def test_bad_input_is_answered_and_changes_nothing(app, chat: Chat, who, where, line, nl, en):
    await school_setup(chat)
    before = await snapshot(app)
    answer = await chat.say(line, as_=who, in_=where)
    assert nl in answer, answer.text
    assert await snapshot(app) == before
    await chat.say("/language en", as_=who)
    before = await snapshot(app)
    answer = await chat.say(line, as_=who, in_=where)
    assert en in answer, answer.text
    assert await snapshot(app) == before


async def test_a_leader_may_appoint_chairs_anywhere(chat: Chat):
    await school_setup(chat)
    # Carla is school leader: she may make herself chair of a team she is not even in.
    assert "Carla is nu voorzitter van team Groep 3-4" in await chat.say("/voorzitter carla Groep 3-4", as_="carla")


async def test_a_chair_may_appoint_a_second_chair_in_their_own_team(chat: Chat):
    await school_setup(chat)
    await chat.say("/aansluiten Groep 3-4", as_="dirk")
    assert "Dirk is nu voorzitter van team Groep 3-4" in await chat.say("/voorzitter dirk Groep 3-4", as_="bram")


async def test_long_input_is_not_echoed_in_full(chat: Chat):
    await school_setup(chat)
    answer = await chat.say("/aansluiten " + "y" * 5000, as_="bram")
    assert len(answer.text) < 400
    assert "…" in answer.text


async def test_user_text_is_escaped_not_formatted(chat: Chat):
    """A display name full of markup is shown literally: its markers are escaped, never formatting."""
    await school_setup(chat)
    answer = await chat.say("/aansluiten Bovenbouw", as_="mallory", display="*Mal_lory* [x](http://evil)")
    body = answer.outgoing[0].reply.body
    assert "\\*Mal\\_lory\\* \\[x](http://evil)" in body
    assert "*Mal_lory* [x](http://evil)" in answer.text


def test_free_text_keeps_line_breaks_and_tabs_and_refuses_other_control_characters():
    from bot.core.errors import UserError
    from handlers.common.values import read_text

    assert read_text(" Eerst lezen,\n\tdan schrijven ", max_length=100, what="what.answer") == \
        "Eerst lezen,\n\tdan schrijven"
    for bad in ("bel\x07", "terug\rloop", "weg\x7f", "\x1bescape"):
        with pytest.raises(UserError):
            read_text(bad, max_length=100, what="what.answer")
