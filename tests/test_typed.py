"""Free text cleaned one way for every command and answer (issue 13): bidi overrides and zero-width
characters removed, joiners inside emoji kept, lone surrogates answered clearly."""

from __future__ import annotations

import pytest

from bot.core.errors import UserError
from bot.core.typed import clean
from storage.models import Team
from tests.harness import rows, setup_team

FAMILY = "👩\u200d👩\u200d👧"


def test_invisible_direction_and_width_characters_are_removed():
    assert clean("/\u202epleh") == "/pleh"
    assert clean("Groep\u200b 5\u2066\u2069") == "Groep 5"
    assert clean(f"Team {FAMILY}") == f"Team {FAMILY}"  # the family stays one emoji
    assert clean("a\u200db") == "ab"  # a joiner between letters is a trick, not text
    with pytest.raises(UserError):
        clean("caf\udce9")


async def test_an_echoed_reversed_command_does_not_reverse_the_answer(chat):
    answer = await chat.say("/\u202epleh", as_="anna")
    assert "\u202e" not in answer.text and "/pleh" in answer.text


async def test_a_lone_surrogate_gets_a_clear_answer(chat):
    answer = await chat.say("/nieuweschool De \udce9ik", as_="anna")
    assert "onleesbare tekens" in answer.text
    assert "Er ging bij mij iets mis" not in answer.text


async def test_emoji_with_joiners_are_allowed_in_a_team_name(app, chat):
    await setup_team(chat)
    made = await chat.say(f"/nieuwteam Kleuters {FAMILY}", as_="anna")
    assert "is aangemaakt" in made.text, made.text
    assert f"Kleuters {FAMILY}" in [t.name for t in await rows(app, Team)]
    zero = await chat.say("/nieuwteam Groep\u200b 8\u202e", as_="anna")
    assert "Team Groep 8 is aangemaakt" in zero.text


@pytest.mark.parametrize("raw", ["-", "geen", "Nee", "geen link", "n.v.t.", "none", ""])
def test_forms_accept_natural_answers_for_no_link(raw):
    from handlers.common.values import read_url

    assert read_url(raw) is None


def test_a_link_is_still_checked():
    from handlers.common.values import read_url

    assert read_url("https://www.nro.nl/lezen") == "https://www.nro.nl/lezen"
    with pytest.raises(UserError):
        read_url("ja graag")
