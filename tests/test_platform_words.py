"""Platform words: "groep" on Telegram, "kanaal" on Slack, Teams and the console — filled in by the
catalog from the reader's platform, so no handler passes them and no text hard-codes them."""

from __future__ import annotations

import pytest

from prompts.catalog import Msg, default_catalog
from tests.harness import Chat


@pytest.mark.parametrize("platform, nl, en", [
    ("telegram", "Deze groep hoort nu bij team *Groep 5*.", "This group now belongs to team *Groep 5*."),
    ("slack", "Dit kanaal hoort nu bij team *Groep 5*.", "This channel now belongs to team *Groep 5*."),
    ("teams", "Dit kanaal hoort nu bij team *Groep 5*.", "This channel now belongs to team *Groep 5*."),
    ("console", "Dit kanaal hoort nu bij team *Groep 5*.", "This channel now belongs to team *Groep 5*."),
    ("elsewhere", "Dit kanaal hoort nu bij team *Groep 5*.", "This channel now belongs to team *Groep 5*."),
])
def test_the_catalog_fills_the_platform_word(platform: str, nl: str, en: str):
    cat = default_catalog()
    assert str(cat.render(Msg("team.linked_here", team="Groep 5"), "nl", platform)) == nl
    assert str(cat.render(Msg("team.linked_here", team="Groep 5"), "en", platform)) == en


def test_nested_messages_get_the_word_too():
    cat = default_catalog()
    text = str(cat.render(Msg("poll.posted", team="Groep 5"), "nl-BE", "telegram"))
    assert text == "De peiling staat in de groep van Groep 5."


async def test_telegram_says_groep_and_slack_says_kanaal(app):
    tg = Chat(app, platform="telegram", workspace=None)
    await tg.say("/nieuweschool De Regenboog", as_="anna")
    linked = await tg.say("/nieuwteam Groep 5", as_="anna", in_="-100123")
    assert "Deze groep hoort nu bij team Groep 5" in linked.text
    taken = await tg.say("/koppel Groep 5", as_="anna", in_="-100123")
    assert "Deze groep hoort al bij team Groep 5" in taken.text
    slack = Chat(app, platform="slack", workspace="T1")
    await slack.say("/nieuweschool Het Anker", as_="bob")
    assert "Dit kanaal hoort nu bij team Bovenbouw" in await slack.say("/nieuwteam Bovenbouw", as_="bob", in_="C1")
