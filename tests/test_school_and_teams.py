"""The foundation, used the way a school would: start, teams, people, roles."""

from __future__ import annotations

from sqlmodel import select

from storage.models import ChatLink, SchoolMembership, Team, TeamMembership
from tests.harness import Chat, school_setup


async def test_scripted_session_creates_school_teams_members_and_roles(app, chat: Chat):
    await school_setup(chat)
    teams = await chat.say("/teams", as_="carla")
    assert "Leerteams van De Regenboog" in teams
    text = teams.text
    assert text.index("Bovenbouw") < text.index("Groep 3-4")
    assert "Bram (voorzitter)" in text
    assert "Anna (schoolleider, beheerder)" in text
    assert "Carla (schoolleider)" in text
    async with app.sessions() as s:
        assert len((await s.exec(select(Team))).all()) == 2
        roles = {(tm.role) for tm in (await s.exec(select(TeamMembership))).all()}
        assert roles == {"chair", "member"}
        leaders = [m for m in (await s.exec(select(SchoolMembership))).all() if m.is_leader]
        assert len(leaders) == 2


async def test_english_speaker_gets_english(chat: Chat):
    await chat.say("/language en", as_="anna")
    answer = await chat.say("/newschool Rainbow School", as_="anna")
    assert "School Rainbow School has started" in answer
    answer = await chat.say("/newteam Year 1", as_="anna")
    assert "Team Year 1 has been created" in answer


async def test_client_locale_is_used_until_member_chooses(chat: Chat):
    answer = await chat.say("/hulp", as_="eve", locale="en-GB")
    assert "What I can do" in answer
    await chat.say("/taal nl", as_="eve", locale="en-GB")
    answer = await chat.say("/help", as_="eve", locale="en-GB")
    assert "Wat ik kan" in answer


async def test_creating_a_team_in_a_channel_links_it_and_join_needs_no_name(app, chat: Chat):
    await chat.say("/nieuweschool De Regenboog")
    answer = await chat.say("/nieuwteam Groep 5", in_="groep-5")
    assert "Dit kanaal hoort nu bij team Groep 5" in answer
    answer = await chat.say("/aansluiten", as_="dirk", in_="groep-5")
    assert "Welkom in team Groep 5, Dirk!" in answer
    answer = await chat.say("/aansluiten", as_="dirk", in_="groep-5")
    assert "Je zit al in team Groep 5" in answer
    async with app.sessions() as s:
        link = (await s.exec(select(ChatLink))).one()
        assert link.chat_id == "groep-5"


async def test_link_existing_team_to_channel_and_refuse_second_team(chat: Chat):
    await school_setup(chat)
    answer = await chat.say("/koppel Groep 3-4", as_="bram", in_="g34")
    assert "Dit kanaal hoort nu bij team Groep 3-4" in answer
    answer = await chat.say("/koppel Bovenbouw", as_="anna", in_="g34")
    assert "hoort al bij team Groep 3-4" in answer
    answer = await chat.say("/koppel Groep 3-4", as_="bram")
    assert "alleen in het kanaal of de groep van een team" in answer


async def test_leave_and_rejoin(chat: Chat):
    await school_setup(chat)
    assert "uit team Bovenbouw gestapt" in await chat.say("/verlaten Bovenbouw", as_="carla")
    assert "Je zit niet in team Bovenbouw" in await chat.say("/verlaten Bovenbouw", as_="carla")
    assert "Welkom in team Bovenbouw" in await chat.say("/aansluiten bovenbouw", as_="carla")


async def test_team_names_compare_loosely(chat: Chat):
    await school_setup(chat)
    answer = await chat.say("/nieuwteam groep 3 4", as_="anna")
    assert "Er is al een team dat groep 3 4 heet" in answer
    assert "Welkom in team Groep 3-4" in await chat.say("/aansluiten GROEP_3-4", as_="dirk")


async def test_chair_gets_a_private_note(chat: Chat):
    await school_setup(chat)
    answer = await chat.say("/voorzitter carla Bovenbouw", as_="anna")
    assert answer.outgoing[0].address.chat_id == "dm-anna"
    note = answer.outgoing[1]
    assert note.address.private and note.address.user_id == "carla" and note.address.chat_id is None
    assert "Anna heeft je voorzitter gemaakt van team Bovenbouw" in answer.texts[1]


async def test_join_code_admits_people_on_platforms_without_workspace(app):
    chat = Chat(app, platform="telegram", workspace=None)
    started = await chat.say("/nieuweschool De Regenboog", as_="anna")
    code_msg = started.outgoing[-1]
    assert code_msg.address.private
    code = code_msg.reply.body.split("`")[1]
    assert "Er is hier nog geen school" in await chat.say("/teams", as_="bram")
    assert "Ik ken geen school met de code" in await chat.say("/meedoen XXXXXXXX", as_="bram")
    assert "Welkom bij De Regenboog" in await chat.say(f"/meedoen {code.lower()}", as_="bram")
    assert "Je hoort al bij De Regenboog" in await chat.say(f"/meedoen {code}", as_="bram")
    assert "Leerteams van De Regenboog" in await chat.say("/teams", as_="bram")


async def test_school_code_only_for_leaders(chat: Chat):
    await school_setup(chat)
    answer = await chat.say("/schoolcode", as_="anna", in_="g34")
    assert answer.outgoing[0].address.private
    assert "De schoolcode is" in answer
    assert "Alleen de schoolleider of een beheerder" in await chat.say("/schoolcode", as_="bram")


async def test_second_school_in_same_workspace_is_refused(chat: Chat):
    await chat.say("/nieuweschool De Regenboog")
    assert "Hier is al een school: De Regenboog" in await chat.say("/nieuweschool Het Anker", as_="bram")
