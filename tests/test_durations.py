"""One reader for spans of time (issue 13): every accepted and refused form, and the poll that
used to open for 2 days titled "99999d Vraag?"."""

from __future__ import annotations

import pytest

from handlers.common.durations import NotADuration, minutes_of, split_leading
from storage.models import Poll, PollQuestion
from tests.harness import TEAM, rows, setup_team


@pytest.mark.parametrize("raw, minutes", [
    ("2d", 2880), ("2 dagen", 2880), ("48u", 2880), ("1 week", 10080), ("90 minuten", 90), ("90", 90),
    ("1u30", 90), ("1:30", 90), ("2 uur", 120), ("1w", 10080), ("１２m", 12), ("1,5d", 2160), ("3 days", 4320),
])
def test_accepted_durations(raw, minutes):
    assert minutes_of(raw) == minutes


@pytest.mark.parametrize("raw", ["1e309m", "NaN", "inf", "2,5,5d"])
def test_absurd_durations_are_refused(raw):
    with pytest.raises(NotADuration):
        minutes_of(raw)


@pytest.mark.parametrize("raw", ["leerlingen", "10 leerlingen", "1u75", "morgen"])
def test_words_are_no_duration(raw):
    assert minutes_of(raw) is None


def test_a_leading_duration_is_split_off_the_question():
    assert split_leading("2 dagen Welke dag?") == ("2 dagen", "Welke dag?")
    assert split_leading("2d Welke dag?") == ("2d", "Welke dag?")
    assert split_leading("10 leerlingen lezen slecht?") is None


@pytest.mark.parametrize("line", ["/nieuwepeiling 99999d Vraag?", "/nieuwepeiling 1e309m Vraag?",
                                  "/nieuwepeiling 5m Vraag?"])
async def test_an_absurd_poll_duration_is_refused_not_taken_for_the_question(app, chat, line):
    await setup_team(chat)
    answer = await chat.say(line, as_="bram", in_=TEAM)
    assert "kan niet" in answer.text or "tussen" in answer.text, answer.text
    assert await rows(app, Poll) == []


async def test_a_poll_duration_in_words(app, chat):
    await setup_team(chat)
    answer = await chat.say("/nieuwepeiling 2 dagen Welke dag voor de studiemiddag? | ma | di", as_="bram", in_=TEAM)
    [poll] = await rows(app, Poll)
    [question] = await rows(app, PollQuestion)
    assert question.text == "Welke dag voor de studiemiddag?", answer.text
    assert (poll.closes_at - poll.created_at).days == 2
