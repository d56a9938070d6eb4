"""Answers that fit the person and the place (issue 14, part 2): a leader in no team is offered the
teams, the role word of whoever overrides, the next step after naming a chair, the leader told at
once when a team asks a question."""

from __future__ import annotations

from bot.core.replies import Ask, Choices
from storage.models import LeaderQuestion
from tests.harness import TEAM, Chat, rows, setup_team


async def test_a_leader_in_no_team_is_offered_the_teams(app, chat: Chat):
    await setup_team(chat)
    offer = await chat.say("/agenda", as_="anna")
    choices = offer.outgoing[0].reply
    assert isinstance(choices, Choices) and "Over welk team?" in offer.text
    assert [str(o.label) for o in choices.options] == ["Bovenbouw", "Groep 5"]
    agenda = await chat.press(choices.options[1].value, as_="anna")
    assert "Groep 5" in agenda.text and not isinstance(agenda.outgoing[0].reply, Choices)
    status = await chat.say("/status", as_="anna")
    assert isinstance(status.outgoing[0].reply, Choices)
    # a member in a team is not offered anything; nor is the leader in a team's channel
    assert not isinstance((await chat.say("/agenda", as_="carla")).outgoing[0].reply, Choices)
    assert not isinstance((await chat.say("/agenda", as_="anna", in_=TEAM)).outgoing[0].reply, Choices)
    await chat.say("/language en", as_="anna")
    assert "Which team?" in await chat.say("/agenda", as_="anna")


async def test_the_override_names_the_role_of_who_overrides(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/cyclus Lezen", as_="bram", in_=TEAM)
    by_leader = await chat.say("/volgendetoch Studiedag", as_="anna", in_=TEAM)
    assert "De schoolleider gaat door zonder dat alles is vastgelegd" in by_leader.text
    assert "De voorzitter gaat door" not in by_leader.text
    by_chair = await chat.say("/volgendetoch Tijd", as_="bram", in_=TEAM)
    assert "De voorzitter gaat door zonder dat alles is vastgelegd" in by_chair.text


async def test_a_new_chair_is_told_what_comes_next(app, chat: Chat):
    await setup_team(chat)
    made = await chat.say("/voorzitter carla Bovenbouw", as_="anna")
    assert "Volgende stap voor Carla: het overlegritme instellen met /ritme" in made.text
    assert "/cyclus <titel>" in made.text


async def test_the_leader_is_told_at_once_and_the_question_stays(app, chat: Chat):
    await setup_team(chat)
    # a request has three parts (issue 16): what the team needs | why | what it proposes
    asked = await chat.say("/vraagleider Een studiemiddag. | Samen de bronnen lezen. | Woensdag 18 november.",
                           as_="carla", in_=TEAM)
    told = [o for o in asked.outgoing if o.address.user_id == "anna" and o.address.private]
    assert len(told) == 1 and isinstance(told[0].reply, Choices)
    assert ("Team Groep 5 heeft een vraag voor je (#1, van Carla): Een studiemiddag. — Waarom: "
            "Samen de bronnen lezen. — Voorstel: Woensdag 18 november.") in asked.text
    question = await chat.press(told[0].reply.options[0].value, as_="anna")
    assert isinstance(question.outgoing[0].reply, Ask)
    stored = await rows(app, LeaderQuestion)
    assert len(stored) == 1 and stored[0].answered_at is None  # still open: it is in the digest


async def test_a_leader_in_no_team_sets_a_rhythm_through_the_offered_team(app, chat: Chat):
    await setup_team(chat)
    offer = await chat.say("/ritme dinsdag 15:30 60", as_="anna")
    choices = offer.outgoing[0].reply
    assert isinstance(choices, Choices)
    option = next(o for o in choices.options if str(o.label) == "Groep 5")
    done = await chat.press(option.value, as_="anna")
    assert "dinsdag" in done.text and "15:30" in done.text
    from storage.models import MeetingRhythm
    assert len(await rows(app, MeetingRhythm)) == 1
    refused = await chat.press(option.value, as_="carla")  # a button is re-checked: carla is no chair
    assert refused.outgoing[0].is_error


async def test_after_an_answer_the_next_open_question(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/cyclus Lezen", as_="bram", in_=TEAM)
    first = await chat.say("/antwoord 1 Negen leerlingen halen het niet.", as_="carla", in_=TEAM)
    assert "Volgende open vraag: 2. " in first.text and "/antwoord 2" in first.text
    third = await chat.say("/antwoord 3 Sinds vorig jaar.", as_="carla", in_=TEAM)
    assert "Volgende open vraag: 2. " in third.text
