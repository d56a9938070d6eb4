"""Flemish Dutch (nl-BE): a school or a person chooses it, a Flemish holiday region brings it, and
a client set to nl-BE gets it; /hulp is short enough for a phone and opens per topic."""

from __future__ import annotations

import pytest

from bot.core.config import SettingsError, load_settings
from prompts.catalog import default_catalog
from prompts.markup import plain
from storage.models import Member, School
from tests.harness import Chat

TEAM = "derde-leerjaar"


async def flemish_school(chat: Chat) -> None:
    await chat.say("/nieuweschool De Linde", as_="an")
    await chat.say("/nieuwteam Derde leerjaar", as_="an", in_=TEAM)
    await chat.say("/aansluiten", as_="bert", in_=TEAM)


async def _school(app) -> School:
    async with app.sessions() as s:
        from sqlmodel import select
        return (await s.exec(select(School))).one()


async def test_a_school_chooses_flemish_and_its_channels_hear_it(app, chat: Chat):
    await flemish_school(chat)
    refused = await chat.say("/schooltaal nl-BE", as_="bert")
    assert "Alleen de schoolleider of een beheerder mag dat." in refused
    answer = await chat.say("/schooltaal nl_be", as_="an")
    assert answer.text == ("De taal van De Linde is nu Vlaams (nl-BE). Wie zelf een taal koos met /taal, "
                           "houdt die.")
    assert (await _school(app)).language == "nl-BE"
    teams = await chat.say("/teams", as_="bert", in_=TEAM)
    assert "Directie\n  - An (directeur, beheerder)" in teams.text
    assert "Welkom in team Derde leerjaar, Lotte!" in await chat.say("/aansluiten", as_="lotte", in_=TEAM)
    await chat.say("/taal en", as_="lotte")  # her own choice wins over the school's
    assert "School leadership" in await chat.say("/teams", as_="lotte")
    assert "Die taal ken ik niet. Kies uit: nl, nl-BE, en (nl-BE is Vlaams)." in \
        await chat.say("/schooltaal fr-BE", as_="an")
    assert (await _school(app)).language == "nl-BE"  # a refused choice changes nothing


async def test_a_person_chooses_flemish_and_a_flemish_client_gets_it(app, chat: Chat):
    await flemish_school(chat)
    said = await chat.say("/taal vlaams", as_="bert")
    assert said.text == "Ik praat vanaf nu Vlaams met je (Nederlands met de woorden van Vlaamse scholen)."
    async with app.sessions() as s:
        from sqlmodel import select
        bert = (await s.exec(select(Member).where(Member.display_name == "Bert"))).one()
    assert bert.language == "nl-BE"
    help_ = await chat.say("/hulp", as_="lies", locale="nl-BE")  # never chose: the app's language
    assert "het weekoverzicht en vragen aan de directeur" in help_.text
    help_ = await chat.say("/hulp", as_="joris", locale="nl-NL")  # Dutch from the Netherlands
    assert "het weekoverzicht en vragen aan de schoolleider" in help_.text


async def test_the_flemish_holiday_region_brings_flemish_once(app, chat: Chat):
    await flemish_school(chat)
    answer = await chat.say("/vakantieregio vlaanderen", as_="an")
    lines = answer.text.splitlines()
    assert lines[0].endswith("schoolvakanties van Vlaanderen toegevoegd; bekijk ze met /vakanties.")
    assert "advies" not in answer.text  # Flemish dates are fixed by decree
    assert lines[1] == ("Jullie school ligt in Vlaanderen, dus spreek ik voortaan Vlaams in de teamkanalen: "
                        "directeur, leerjaar, zorgcoördinator. Toch liever Nederlands uit Nederland? "
                        "Typ /schooltaal nl.")
    assert (await _school(app)).language == "nl-BE"
    await chat.say("/schooltaal nl", as_="an")
    again = await chat.say("/vakantieregio vlaanderen", as_="an")  # a later import keeps the school's choice
    assert "Vlaams" not in again.text and (await _school(app)).language == "nl"


async def test_an_english_school_keeps_english_with_flemish_holidays(app, chat: Chat):
    await chat.say("/language en", as_="an")
    await chat.say("/newschool Lime Tree", as_="an")
    answer = await chat.say("/holidayregion flanders", as_="an")
    assert "Flemish school holidays" in answer.text and "Flemish Dutch" not in answer.text
    assert (await _school(app)).language == "en"


async def test_help_fits_a_phone_and_opens_per_topic(chat: Chat):
    await flemish_school(chat)
    overview = await chat.say("/hulp", as_="bert")
    assert len(overview.text.splitlines()) <= 12  # one phone screen, not a hundred lines
    assert overview.text.splitlines()[0] == ("Wat ik kan — typ /hulp met een onderdeel (bijvoorbeeld "
                                             "/hulp overleg) of een commando voor meer.")
    assert "overleg — het overlegritme, de agenda, notulen en vakanties" in overview.text
    topic = await chat.say("/hulp overleg", as_="bert")
    assert topic.text.splitlines()[0] == "Overleggen en agenda"
    assert "/ritme <dag> <tijd> [minuten] [om de zoveel weken]" in topic.text
    assert "/peiling" not in topic.text  # only this topic's commands
    english = await chat.say("/help meetings", as_="eve", locale="en-GB")
    assert english.text.splitlines()[0] == "Meetings and agenda"
    one = await chat.say("/hulp ritme", as_="bert")
    assert one.text.startswith("/ritme <dag> <tijd>")
    assert "Over 'vliegen' heb ik geen uitleg" in await chat.say("/hulp vliegen", as_="bert")


def test_the_default_language_setting_accepts_flemish(monkeypatch):
    monkeypatch.setenv("LEERTEAM_LANGUAGE", "nl_BE")
    assert load_settings().language == "nl-BE"
    monkeypatch.setenv("LEERTEAM_LANGUAGE", "fr")
    with pytest.raises(SettingsError) as err:
        load_settings()
    said = plain(default_catalog().render(err.value.message, "nl"))
    assert said == ("De instelling LEERTEAM_LANGUAGE klopt niet: 'fr' is geen taal die ik spreek. "
                    "Kies nl, nl-BE of en.")
