"""Managing a school day to day (handlers/school/manage.py): roles taken back, renaming, removing
from a team, archiving and deleting a team, leaving the school — role checks and nothing else lost."""

from __future__ import annotations

from sqlmodel import select

from bot.core.replies import Choices
from storage.models import AgendaItem, ChatLink, Meeting, Member, SchoolMembership, Team, TeamMembership
from tests.harness import TEAM, Chat, rows, setup_team


async def _roles(app) -> dict[tuple[int, str], str]:
    async with app.sessions() as s:
        names = {m.id: m.display_name for m in (await s.exec(select(Member))).all()}
        return {(tm.team_id, names[tm.member_id]): tm.role for tm in (await s.exec(select(TeamMembership))).all()}


async def test_a_chair_is_taken_back_by_a_leader_and_stays_member(app, chat: Chat):
    await setup_team(chat)
    refused = await chat.say("/geenvoorzitter bram Groep 5", as_="carla")
    assert "voorzitter" in refused.text and "Groep 5" in refused.text
    assert (await _roles(app))[(1, "Bram")] == "chair"
    done = await chat.say("/geenvoorzitter bram Groep 5", as_="anna")
    assert "Bram is geen voorzitter meer van team Groep 5, maar blijft lid" in done.text
    assert any(o.address.user_id == "bram" and "Je bent geen voorzitter meer" in t
               for o, t in zip(done.outgoing, done.texts))
    assert (await _roles(app))[(1, "Bram")] == "member"
    again = await chat.say("/geenvoorzitter bram Groep 5", as_="anna")
    assert "Bram is geen voorzitter van team Groep 5" in again.text


async def test_the_last_leader_stays(app, chat: Chat):
    await setup_team(chat)
    refused = await chat.say("/geenschoolleider anna", as_="anna")
    assert "altijd minstens één schoolleider" in refused.text
    await chat.say("/schoolleider carla", as_="anna")
    done = await chat.say("/geenschoolleider anna", as_="carla")
    assert "Anna is geen schoolleider meer van De Regenboog" in done.text
    leaders = [m for m in await rows(app, SchoolMembership) if m.is_leader]
    assert len(leaders) == 1
    assert "altijd minstens één schoolleider" in await chat.say("/geenschoolleider carla", as_="carla")
    assert "Je bent de enige schoolleider" in await chat.say("/verlaatschool", as_="carla")
    refused = await chat.say("/geenschoolleider carla", as_="dirk")
    assert refused.outgoing[0].is_error and "Carla is geen" not in refused.text
    assert len([m for m in await rows(app, SchoolMembership) if m.is_leader]) == 1


async def test_rename_keeps_the_team_and_refuses_a_taken_name(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/agendapunt Lezen", as_="carla", in_=TEAM)
    assert "Er is al een team dat Bovenbouw heet" in await chat.say("/hernoem Bovenbouw", as_="bram", in_=TEAM)
    refused = await chat.say("/hernoem Groep 5 | Groep 5-6", as_="carla")
    assert "Groep 5" in refused.text and [t.name for t in await rows(app, Team)] == ["Groep 5", "Bovenbouw"]
    done = await chat.say("/hernoem Groep 5-6", as_="bram", in_=TEAM)
    assert "Team Groep 5 heet nu Groep 5-6" in done.text
    same = await chat.say("/hernoem Groep 5-6 | Groep 5-6", as_="anna")
    assert "heet al zo" in same.text
    team = [t for t in await rows(app, Team) if t.id == 1][0]
    assert team.name == "Groep 5-6"
    assert [a.team_id for a in await rows(app, AgendaItem)] == [1]
    assert "Groep 5-6" in await chat.say("/teams", as_="dirk")


async def test_remove_a_member_keeps_what_they_wrote(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/agendapunt Lezen", as_="dirk", in_=TEAM)
    refused = await chat.say("/uitteam dirk", as_="carla", in_=TEAM)
    assert "voorzitter" in refused.text
    done = await chat.say("/uitteam dirk", as_="bram", in_=TEAM)
    assert "Dirk is uit team Groep 5 gehaald" in done.text
    assert (1, "Dirk") not in await _roles(app)
    assert len(await rows(app, AgendaItem)) == 1
    assert "Dirk zit niet in team Groep 5" in await chat.say("/uitteam dirk Groep 5", as_="anna")


async def test_archive_keeps_history_frees_the_channel_and_the_name(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    meetings = len(await rows(app, Meeting))
    assert "schoolleider" in (await chat.say("/archiveer", as_="bram", in_=TEAM)).text
    done = await chat.say("/archiveer Groep 5", as_="anna")
    assert "Team Groep 5 is gearchiveerd" in done.text and "3 leden" in done.text
    assert await rows(app, ChatLink) == [] and await rows(app, TeamMembership) == []
    assert len(await rows(app, Meeting)) == meetings  # history kept
    teams = await chat.say("/teams", as_="anna")
    assert "Groep 5" not in teams.text and "Bovenbouw" in teams.text
    assert "Team Groep 5 is aangemaakt" in await chat.say("/nieuwteam Groep 5", as_="anna", in_=TEAM)


async def test_delete_a_team_asks_first_and_removes_only_that_team(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    await chat.say("/agendapunt Lezen", as_="carla", in_=TEAM)
    assert "schoolleider" in (await chat.say("/verwijderteam Groep 5", as_="bram")).text
    ask = await chat.say("/verwijderteam Groep 5", as_="anna")
    choices = ask.outgoing[0].reply
    assert isinstance(choices, Choices) and "kan niet ongedaan" in ask.text
    assert "er is niets verwijderd" in await chat.press(choices.options[1].value, as_="anna")
    assert len(await rows(app, Team)) == 2
    stolen = await chat.press(choices.options[0].value, as_="bram")  # a button is re-checked
    assert len(await rows(app, Team)) == 2 and "schoolleider" in stolen.text
    done = await chat.press(choices.options[0].value, as_="anna")
    assert "Team Groep 5 is verwijderd" in done.text
    assert [t.name for t in await rows(app, Team)] == ["Bovenbouw"]
    assert await rows(app, Meeting) == [] and await rows(app, AgendaItem) == []
    assert len(await rows(app, Member)) == 4 and len(await rows(app, SchoolMembership)) == 4
    assert "bestaat niet (meer)" in await chat.press(choices.options[0].value, as_="anna")


async def test_leave_the_school_with_a_confirmation(app, chat: Chat):
    await setup_team(chat)
    ask = await chat.say("/verlaatschool", as_="dirk")
    choices = ask.outgoing[0].reply
    assert isinstance(choices, Choices)
    assert "je blijft lid" in await chat.press(choices.options[1].value, as_="dirk")
    done = await chat.press(choices.options[0].value, as_="dirk")
    assert "Je hebt De Regenboog verlaten" in done.text
    assert (1, "Dirk") not in await _roles(app)
    assert len(await rows(app, SchoolMembership)) == 3
    assert len(await rows(app, Member)) == 4  # leaving is not erasing


async def test_english_names_and_texts(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/language en", as_="anna")
    done = await chat.say("/unchair bram Groep 5", as_="anna")
    assert "Bram is no longer chair of team Groep 5" in done.text
    assert "Team Groep 5 is now called Year 5" in await chat.say("/rename Groep 5 | Year 5", as_="anna")
    assert "always keeps at least one school leader" in await chat.say("/unleader anna", as_="anna")


async def test_management_on_telegram_and_slack(app):
    for platform, workspace, group in (("telegram", None, "-1001"), ("slack", "T1", "C1")):
        chat = Chat(app, platform=platform, workspace=workspace)
        await chat.say(f"/nieuweschool School {platform}", as_="anna")
        if workspace is None:
            code = next(t for t in (await chat.say("/schoolcode", as_="anna")).texts if "/meedoen" in t)
            await chat.say(f"/meedoen {code.split('/meedoen ')[1].split()[0]}", as_="bram")
        await chat.say("/nieuwteam Groep 7", as_="anna", in_=group)
        await chat.say("/aansluiten", as_="bram", in_=group)
        await chat.say("/voorzitter bram", as_="anna", in_=group)
        assert "Bram is geen voorzitter meer" in await chat.say("/geenvoorzitter bram", as_="anna", in_=group)
        assert "Team Groep 7 heet nu Groep 7-8" in await chat.say("/hernoem Groep 7-8", as_="anna", in_=group)
        archived = await chat.say("/archiveer", as_="anna", in_=group)
        word = "de groep" if platform == "telegram" else "het kanaal"
        assert f"Team Groep 7-8 is gearchiveerd: de geschiedenis blijft bewaard, {word} is vrij" in archived.text
