"""The school's library filters by half of the school year (najaar = August–December, voorjaar =
January–July) and by theme (#lezen: derived from a card's title, problem and goal, or given by the
chair with /thema) — issue 16 part 5."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.cycle.library_filters import derive_themes, parse, period_of
from storage.models import QualityCard
from tests.harness import ROUND1, ROUND2, SETUP, TEAM, Chat, play, rows


def test_parsing_a_search():
    f = parse("#Lezen voorjaar tweetallen")
    assert (f.text, f.period, f.themes) == ("tweetallen", "voorjaar", ["lezen"])
    assert parse("spring #ouders").period == "voorjaar" and parse("herfst").period == "najaar"
    assert not parse("tweetallen").active and parse("tweetallen").text == "tweetallen"
    assert parse("#lezen, #rekenen;").themes == ["lezen", "rekenen"]  # a list's commas are no part of a theme


def test_the_half_of_the_school_year_in_the_schools_time_zone():
    tz = "Europe/Amsterdam"
    assert period_of(datetime(2026, 8, 1, 8, tzinfo=UTC), tz) == "najaar"
    assert period_of(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tz) == "voorjaar"  # 1 January local
    assert period_of(datetime(2027, 7, 15, tzinfo=UTC), tz) == "voorjaar"


def test_themes_come_from_the_words():
    assert derive_themes("Begrijpend lezen in groep 5", "Een derde haalt het niveau niet") == {"lezen"}
    assert derive_themes("Redactiesommen", "Ouders helpen thuis met de tafels") == {"rekenen", "ouders"}
    assert derive_themes("Spelregels in de klas") == set()  # 'spel…' is not spelling


async def test_cards_filter_by_theme_and_half_of_the_year(app, chat: Chat):
    await play(chat, SETUP)
    await play(chat, ROUND1)
    await play(chat, ROUND2)  # closed in September 2026: najaar; about begrijpend lezen
    cards = (await chat.say("/kaarten", as_="anna")).text
    assert "Thema: #lezen · najaar" in cards
    assert "Begrijpend lezen in groep 5" in await chat.say("/kaarten #lezen najaar", as_="anna")
    assert "Begrijpend lezen in groep 5" in await chat.say("/kaarten #lezen tweetallen", as_="anna")
    for query in ("#lezen voorjaar", "#rekenen", "#lezen #ouders"):
        none = await chat.say(f"/kaarten {query}", as_="anna")
        assert "Niets gevonden met dat thema" in none.text and "Begrijpend lezen in groep 5" not in none.text
    await chat.say("/taal en", as_="carla")
    assert "Theme: #lezen · autumn (August–December)" in await chat.say("/cards autumn", as_="carla")
    # sources: the same filters
    assert "Samen lezen in tweetallen" in await chat.say("/bibliotheek #lezen najaar", as_="anna")
    assert "Niets gevonden" in await chat.say("/bibliotheek voorjaar", as_="anna")


async def test_the_chair_tags_a_card(app, chat: Chat):
    await play(chat, SETUP)
    await play(chat, ROUND1)
    await play(chat, ROUND2)
    listed = await chat.say("/thema", as_="carla", in_=TEAM)
    assert "1. Begrijpend lezen in groep 5: —" in listed.text
    refused = await chat.say("/thema 1 ouders", as_="carla", in_=TEAM)
    assert refused.outgoing[0].is_error and "Alleen de voorzitter" in refused.text
    assert "geen thema" in await chat.say("/thema 1 lezen!", as_="bram", in_=TEAM)
    assert (await chat.say("/thema 2 ouders", as_="bram", in_=TEAM)).outgoing[0].is_error  # one card only
    assert (await rows(app, QualityCard))[0].themes == []  # nothing stored by the mistakes
    done = await chat.say("/thema 1 ouders, #Tweetallen", as_="bram", in_=TEAM)
    assert "Thema's van 'Begrijpend lezen in groep 5': #ouders #tweetallen" in done.text
    (card,) = await rows(app, QualityCard)
    assert card.themes == ["ouders", "tweetallen"]
    found = (await chat.say("/kaarten #ouders", as_="anna")).text
    assert "Begrijpend lezen in groep 5" in found and "Thema: #lezen #ouders #tweetallen · najaar" in found
