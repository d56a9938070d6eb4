"""One conversation state (issue 13): what the bot waits for is a durable, ordered queue per person
and chat; a typed reply answers only what the person was last shown; nothing is silently replaced.

The reported bug first: the chair had the notes question and the post-meeting poll at once, typed
``1`` (the poll's first answer), then ``ja`` at the poll's next question, and ``ja`` was stored as the
meeting's notes and posted to the team channel.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from bot.core.commands import answers, command
from bot.core.context import Context
from bot.core.conversation import digits_to_ascii, looks_like_choice, pick
from bot.core.replies import Ask, Text
from storage.models import Meeting, PendingQuestion, PollVote
from tests.harness import (
    AFTER_MEETING,
    EXAMPLES,
    TEAM,
    Chat,
    rows,
    run_console,
    setup_team,
    text_of,
    with_test_commands,
)


@command("test_wish", hidden=True)
async def wish(ctx: Context) -> Ask:
    return Ask(Text("Wat wens je het team?").body, question_id="test_wish")


@answers("test_wish")
async def wish_answer(ctx: Context, payload: dict[str, Any], text: str) -> Text:
    return Text(f"Genoteerd als wens: {text}")


@pytest.fixture
def capabilities():
    return with_test_commands(sys.modules[__name__])


async def _after_meeting(app, chat: Chat, clock) -> None:
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    clock.set(AFTER_MEETING)
    await app.tick()  # the chair is asked for the notes, the team gets the poll


async def _notes(app) -> list[str | None]:
    return [m.notes for m in await rows(app, Meeting) if m.status == "held"]


def _to_team_chat(answer) -> list[str]:
    return [text_of(o) for o in answer.outgoing if o.address.chat_id == TEAM]


async def test_yes_at_a_poll_question_is_never_stored_as_the_meetings_notes(app, chat, clock):
    await _after_meeting(app, chat, clock)
    assert [p.kind for p in await rows(app, PendingQuestion, PendingQuestion.kind != "_menu")] == ["meeting_notes"]
    first = await chat.say("/peiling", as_="bram")
    assert "vraag 1 van 3" in first
    voted = await chat.say("1", as_="bram")  # typed, as on Telegram: the core reads it against the options
    assert "Antwoord op vraag 1 opgeslagen." in voted and "vraag 2 van 3" in voted
    assert len(await rows(app, PollVote)) == 1
    refused = await chat.say("ja", as_="bram")
    assert "antwoord met een nummer van 1 tot en met 5" in refused.text
    assert not _to_team_chat(refused)
    assert await _notes(app) == [None]
    assert len(await rows(app, PollVote)) == 1
    # the notes question still waits its turn, durably
    assert [p.kind for p in await rows(app, PendingQuestion, PendingQuestion.kind != "_menu")] == ["meeting_notes"]
    # an out-of-range number is refused the same way, and stores nothing
    assert "van 1 tot en met 5" in await chat.say("9", as_="bram")
    assert len(await rows(app, PollVote)) == 1
    await chat.say("4", as_="bram")
    done = await chat.say("ja", as_="bram")  # question 3 is a yes/no question: "ja" is its answer
    assert "Antwoord op vraag 3 opgeslagen." in done
    # the poll done, the waiting question is asked right after
    assert "Dan de volgende vraag die op je wacht:" in done
    assert "Wat waren de belangrijkste punten en besluiten?" in done.texts[-1]
    assert await _notes(app) == [None]
    saved = await chat.say("We kiezen voor modelen.", as_="bram")
    assert "Genoteerd als notulen van het overleg van dinsdag 8 september 2026 om 15:30." in saved
    assert await _notes(app) == ["We kiezen voor modelen."]
    assert await rows(app, PendingQuestion, PendingQuestion.kind != "_menu") == []


def test_the_reported_collision_in_the_console(tmp_path, database_url):
    """examples/polls.txt's world, as the chair: ``/peiling``, ``1``, ``ja`` (the review's exact input)."""
    lines = (EXAMPLES / "polls.txt").read_text().splitlines()
    world = lines[: lines.index("/clock 2026-10-06 17:00") + 1]
    script = "\n".join([*world, "/as bram", "/dm", "/peiling", "1", "ja", "/notulen", ""])
    result = run_console(script, tmp_path, DATABASE_URL=database_url, LEERTEAM_IMAGE_DIR=str(tmp_path / "f"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    after_ja = out[out.index("> bram@dm: ja"):]
    assert "Dat past niet bij de vraag hierboven: antwoord met een nummer van 1 tot en met 5" in after_ja
    assert "Notulen van Groep 5" not in out
    assert "Genoteerd als notulen" not in out


async def test_a_newer_question_never_replaces_an_older_one(app, chat, clock):
    await _after_meeting(app, chat, clock)
    asked = await chat.press("test_wish", as_="bram")  # his own question: shown now, the notes wait
    assert "Wat wens je het team?" in asked
    queue = await rows(app, PendingQuestion, PendingQuestion.kind != "_menu")
    assert sorted(p.kind for p in queue) == ["meeting_notes", "test_wish"]
    assert [p.kind for p in queue if p.shown] == ["test_wish"]
    answered = await chat.say("Rust", as_="bram")
    assert answered.texts[0] == "Genoteerd als wens: Rust"
    assert "Wat waren de belangrijkste punten en besluiten?" in answered.texts[-1]  # next in line
    assert await _notes(app) == [None]
    assert "Genoteerd als notulen" in await chat.say("Kort overleg.", as_="bram")
    assert await _notes(app) == ["Kort overleg."]


async def test_a_question_the_bot_starts_waits_while_another_is_shown(app, chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    asked = await chat.press("test_wish", as_="bram")
    assert "Wat wens je het team?" in asked
    clock.set(AFTER_MEETING)
    mark = len(chat.transport.sent)
    await app.tick()
    to_bram = [text_of(o) for o in chat.transport.sent[mark:] if o.address.user_id == "bram"]
    assert any(t.startswith("Er wacht nog een vraag op je: “Het overleg van Groep 5") for t in to_bram)
    assert not any(isinstance(o.reply, Ask) for o in chat.transport.sent[mark:])
    # his reply answers the question he was shown, not the notes
    answered = await chat.say("Meer tijd", as_="bram")
    assert answered.texts[0] == "Genoteerd als wens: Meer tijd"
    assert await _notes(app) == [None]
    assert "Wat waren de belangrijkste punten en besluiten?" in answered.texts[-1]


async def test_a_number_under_the_bots_options_in_the_group_is_an_answer(app, chat, clock):
    await _after_meeting(app, chat, clock)
    # the poll went to #groep-5 with one button ("Invullen"); carla types 1 there
    opened = await chat.say("1", as_="carla", in_=TEAM)
    assert "vraag 1 van 3" in opened
    # a number that fits no option there gets an answer; ordinary chatter stays unanswered
    assert "van 1 tot en met 5" in await chat.say("8", as_="carla", in_=TEAM)
    assert not await chat.say("goedemorgen allemaal", as_="dirk", in_=TEAM)
    assert "van 1 tot en met 1" in await chat.say("3", as_="dirk", in_=TEAM)
    assert "vraag 1 van 3" in await chat.say("1", as_="dirk", in_=TEAM)


def test_reading_a_typed_choice():
    labels = ["1 — klopt helemaal niet", "2", "3", "4", "5 — klopt helemaal"]
    assert pick("1", labels) == 0 and pick(" 5 ", labels) == 4 and pick("٣", labels) == 2
    assert pick("6", labels) is None and pick("0", labels) is None and pick("ja", labels) is None
    assert pick("Nee.", ["ja", "nee"]) == 1 and pick("yes", ["ja", "nee"]) == 0 and pick("J", ["Ja", "Nee"]) == 0
    assert pick("Invullen", ["Invullen"]) == 0
    assert looks_like_choice("12") and looks_like_choice("nee") and not looks_like_choice("hallo")
    assert digits_to_ascii("１２") == "12" and digits_to_ascii("²") == "²"


async def test_did_you_mean_commands_teams_and_the_order_of_arguments(app, chat):
    await setup_team(chat)
    assert "Bedoel je /nieuwteam?" in await chat.say("/nieuwtaem Groep 6", as_="anna")
    assert "Bedoel je /akkoord?" in await chat.say("/akord", as_="bram", in_=TEAM)
    assert "Bedoel je" not in await chat.say("/xyzzy", as_="bram")
    assert "Ik ken geen team dat 'Bovenbow' heet. Bedoel je Bovenbouw?" in \
        await chat.say("/aansluiten Bovenbow", as_="carla")
    wrong = await chat.say("/voorzitter Bovenbouw carla", as_="anna")
    assert "Eerst de persoon, dan het team. Bedoel je /voorzitter carla Bovenbouw?" in wrong
    offered = await chat.say("/aansluiten", as_="dirk")
    assert "Bij welk team wil je aansluiten?\n1) Bovenbouw\n2) Groep 5" in offered
    joined = await chat.say("1", as_="dirk")  # typed under the buttons, in the private chat
    assert "Welkom in team Bovenbouw" in joined
