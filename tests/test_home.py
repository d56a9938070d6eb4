"""The overview behind Slack's App Home tab, platform-neutral: run through the console harness."""

from __future__ import annotations

from bot.app import CAPABILITIES, Leerteam
from bot.core.capability import Capability
from handlers.school import home as home_module
from prompts.catalog import Msg
from tests.harness import Chat, school_setup


async def test_without_a_school_the_overview_says_how_to_start(chat):
    answer = await chat.press("home", as_="anna")
    assert "Hier is nog geen school. Start er een met /nieuweschool" in answer.text


async def test_your_teams_first_then_the_others_each_with_what_is_next(chat):
    await school_setup(chat)
    await chat.say("/koppel Groep 3-4", as_="bram", in_="groep-3-4")
    text = (await chat.press("home", as_="bram")).text
    assert text.splitlines() == [
        "Leerteam op De Regenboog",
        "Jouw teams",
        "Groep 3-4 — jij bent voorzitter",
        "  Wat nu: nog geen focus; de voorzitter kiest één probleem met /cyclus",
        "Andere teams",
        "Bovenbouw — 1 lid",
        "  Wat nu: een kanaal koppelen (typ /koppel Bovenbouw in het kanaal van het team)",
        "  Wat nu: een voorzitter kiezen (/voorzitter)",
        "  Wat nu: nog geen focus; de voorzitter kiest één probleem met /cyclus",
    ]
    text = (await chat.press("home", as_="dirk")).text  # in the workspace, in no team yet
    assert "Je zit nog in geen enkel team. Sluit aan met /aansluiten" in text
    assert "Groep 3-4 — 1 lid" in text and "Bovenbouw — 1 lid" in text
    await chat.say("/taal en", as_="carla")
    text = (await chat.press("home", as_="carla")).text
    assert "Bovenbouw — you are a member" in text and "What's next: link a channel" in text


async def test_every_team_shows_its_focus_next_meeting_and_agenda(chat):
    await school_setup(chat)
    for line in ("/ritme dinsdag 15:30 60", "/cyclus Begrijpend lezen in groep 5"):
        assert await chat.say(line, as_="bram", in_="groep-3-4")
    await chat.say("/koppel Groep 3-4", as_="bram", in_="groep-3-4")
    for item in ("Leesresultaten <bespreken>", "Nieuwe methode", "Toetsen", "Ouderavond"):
        await chat.say(f"/agendapunt {item}", as_="bram", in_="groep-3-4")
    lines = (await chat.press("home", as_="carla")).text.splitlines()
    at = lines.index("Groep 3-4 — 1 lid")
    assert lines[at + 1:at + 4] == [
        "  Wat nu: focus Begrijpend lezen in groep 5, fase 1: Probleemanalyse",
        "  Wat nu: volgend overleg dinsdag 8 september 2026 om 15:30",
        "  Wat nu: op de agenda: Leesresultaten <bespreken>, Nieuwe methode, Toetsen, …",
    ]


async def test_later_capabilities_add_what_is_next(settings, clock):
    calls = []

    async def phase(ctx, teams):  # one call for all teams
        calls.append(len(teams))
        return {t.team.id: [Msg("role.leader"), Msg("role.admin"), Msg("role.leader")] for t in teams
                if t.team.name == "Bovenbouw"}

    # Leerteam plus a later capability that says what is next for each team
    later = Capability("test_phase", hooks={home_module.HOME_NEXT_HOOK: ((5, phase),)})
    app = Leerteam(settings, clock=clock, capabilities=(*CAPABILITIES, later))
    chat = Chat(app)
    try:
        await _later_capabilities_add_what_is_next(chat, calls)
    finally:
        await app.close()


async def _later_capabilities_add_what_is_next(chat, calls):
    await school_setup(chat)
    text = (await chat.press("home", as_="carla")).text
    lines = text.splitlines()
    at = lines.index("Bovenbouw — jij bent lid")
    assert lines[at + 1:at + 4] == ["  Wat nu: schoolleider", "  Wat nu: beheerder", "  Wat nu: schoolleider"]
    assert calls == [2]
