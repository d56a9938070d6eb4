"""Issue 14, the rest: an archived team can be restored by the school leader, with its history and
its people (in their roles) back, on the console, Telegram and Slack, in Dutch and English."""

from __future__ import annotations

from storage.models import AgendaItem, ArchivedMembership, Meeting, Member, Team, TeamMembership
from tests.harness import TEAM, Chat, rows, setup_team


async def _roles(app) -> list[tuple[str, str, str]]:
    teams = {t.id: t.name for t in await rows(app, Team)}
    people = {m.id: m.display_name for m in await rows(app, Member)}
    return sorted((teams[tm.team_id], people[tm.member_id], tm.role) for tm in await rows(app, TeamMembership))


async def test_restore_brings_the_team_back_with_its_history_and_people(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/ritme dinsdag 15:30", as_="bram", in_=TEAM)
    await chat.say("/agendapunt Lezen in groep 5", as_="carla", in_=TEAM)
    before_roles = await _roles(app)
    meetings, items = len(await rows(app, Meeting)), len(await rows(app, AgendaItem))
    await chat.say("/archiveer Groep 5", as_="anna")
    assert len(await rows(app, ArchivedMembership)) == 3 and "Groep 5" not in str(await _roles(app))
    await chat.say("/verlaatschool", as_="dirk")  # dirk leaves the school meanwhile
    ask = (await chat.say("/verlaatschool", as_="dirk")).outgoing[0].reply
    await chat.press(ask.options[0].value, as_="dirk")

    assert "schoolleider" in (await chat.say("/herstelteam Groep 5", as_="bram")).text  # the leader only
    assert "Er is geen gearchiveerd team Groep 9. Gearchiveerd: Groep 5." in \
        await chat.say("/herstelteam Groep 9", as_="anna")
    assert "Team Bovenbouw is niet gearchiveerd" in await chat.say("/herstelteam Bovenbouw", as_="anna")
    done = await chat.say("/herstelteam groep 5", as_="anna")
    assert "Team Groep 5 is terug uit het archief, met de hele geschiedenis" in done.text
    assert "2 leden zijn weer in het team" in done.text and "/koppel Groep 5" in done.text
    assert await _roles(app) == [r for r in before_roles if r[1] != "Dirk"]  # bram chair again, carla member
    assert len(await rows(app, Meeting)) == meetings and len(await rows(app, AgendaItem)) == items
    assert await rows(app, ArchivedMembership) == []
    assert "Groep 5" in (await chat.say("/teams", as_="anna")).text
    assert "Lezen in groep 5" in await chat.say("/agenda Groep 5", as_="carla")
    assert "Team Groep 5 is niet gearchiveerd" in await chat.say("/herstelteam Groep 5", as_="anna")


async def test_a_name_taken_meanwhile_is_refused_until_renamed(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/archiveer Groep 5", as_="anna")
    await chat.say("/nieuwteam Groep 5", as_="anna")
    refused = await chat.say("/herstelteam Groep 5", as_="anna")
    assert "Er is intussen een nieuw team Groep 5" in refused.text and "/hernoem Groep 5 |" in refused.text
    assert sum(1 for t in await rows(app, Team) if t.archived_at is not None) == 1  # nothing changed
    await chat.say("/hernoem Groep 5 | Groep 5 nieuw", as_="anna")
    assert "is terug uit het archief" in await chat.say("/herstelteam Groep 5", as_="anna")
    assert {t.name for t in await rows(app, Team)} == {"Groep 5", "Groep 5 nieuw", "Bovenbouw"}


async def test_restore_in_english_and_on_telegram_and_slack(app):
    for platform, workspace, group in (("console", "local", "g7"), ("telegram", None, "-1001"),
                                       ("slack", "T1", "C1")):
        chat = Chat(app, platform=platform, workspace=workspace)
        await chat.say(f"/nieuweschool School {platform}", as_="anna")
        await chat.say("/language en", as_="anna")
        await chat.say("/newteam Year 7", as_="anna", in_=group)
        await chat.say("/archive", as_="anna", in_=group)
        assert "There is no archived team Year 8. Archived: Year 7." in await chat.say("/restoreteam Year 8",
                                                                                       as_="anna")
        done = await chat.say("/restoreteam Year 7", as_="anna")
        word = {"telegram": "group", "slack": "channel"}.get(platform, "channel")
        assert "Team Year 7 is back from the archive" in done.text, done.text
        assert f"Link its {word} again with /link Year 7 in that {word}" in done.text, done.text
        assert "Team Year 7 is not archived" in await chat.say("/herstelteam Year 7", as_="anna")


async def test_what_an_archived_team_remembers_goes_with_the_team_or_the_person(app, chat: Chat):
    await setup_team(chat)
    await chat.say("/archiveer Groep 5", as_="anna")
    ask = (await chat.say("/wismijngegevens", as_="carla")).outgoing[0].reply
    await chat.press(ask.options[0].value, as_="carla")  # carla's own data: her place in the archive too
    assert len(await rows(app, ArchivedMembership)) == 2
    ask = (await chat.say("/verwijderteam Groep 5", as_="anna")).outgoing[0].reply
    assert "is verwijderd" in await chat.press(ask.options[0].value, as_="anna")
    assert await rows(app, ArchivedMembership) == [] and [t.name for t in await rows(app, Team)] == ["Bovenbouw"]
