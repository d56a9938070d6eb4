"""Issue 14, the rest: what the bot posts in a team's chat is in the SCHOOL's language (everyone reads
it); what it says to one person is in that person's language (school nl, Bram chose English)."""

from __future__ import annotations

from bot.core.delivery import Outgoing
from bot.core.replies import Ask, TeamChat
from tests.harness import TEAM, Chat, setup_team, text_of, utc


def _split(outgoing: list[Outgoing]) -> tuple[list[Outgoing], list[Outgoing]]:
    team = [o for o in outgoing if isinstance(getattr(o.reply, "target", None), TeamChat)]
    return team, [o for o in outgoing if o not in team]


async def test_team_posts_in_the_schools_language_answers_in_the_persons(app, chat: Chat, clock):
    await setup_team(chat)
    app.attach(chat.transport)
    assert "English" in await chat.say("/taal en", as_="bram")

    # a wall opened privately: the team's post in Dutch, Bram's own confirmation in English
    opened = await chat.say("/stillewand 1d Wat maakt ons sterker?", as_="bram")
    team, his = _split(opened.outgoing)
    assert [o.lang for o in team] == ["nl"] and "Stille wand voor Groep 5" in text_of(team[0])
    assert team[0].address.chat_id == TEAM
    assert his and all(o.lang == "en" and o.address.user_id == "bram" for o in his)
    assert "Groep 5" in text_of(his[0]) and "Stille wand" not in text_of(his[0])

    # the rhythm typed in the team's channel: the team post in Dutch, his answer (if any) in English
    rhythm = await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    team, his = _split(rhythm.outgoing)
    assert team and all(o.lang == "nl" for o in team) and "dinsdag" in text_of(team[0])
    assert all(o.lang == "en" for o in his)
    # a refusal for Bram in the team's channel is his: English, and it names him
    refused = await chat.say("/archiveer", as_="bram", in_=TEAM)
    [out] = refused.outgoing
    assert out.lang == "en" and "school leader" in text_of(out) and out.address.for_person is not None

    # what the clock posts: the reminder in the team's chat in Dutch; the chair's notes question in English
    mark = len(chat.transport.sent)
    clock.set(utc(2026, 9, 8, 12, 30))  # Tuesday 14:30 local: an hour before the meeting
    await app.tick()
    posts = [o for o in chat.transport.sent[mark:] if o.address.chat_id == TEAM]  # the wall's reveal too
    assert posts and all(o.lang == "nl" for o in posts)
    assert any(text_of(o).startswith("Herinnering: overleg Groep 5") for o in posts)
    clock.set(utc(2026, 9, 8, 14, 31))  # 16:31 local: the meeting has ended
    await app.tick()
    [ask] = [o for o in chat.transport.sent[mark:] if isinstance(o.reply, Ask)]
    assert ask.address.user_id == "bram" and ask.lang == "en"
    # Carla kept the school's language: her private answer stays Dutch
    carla = await chat.say("/overleggen", as_="carla")
    assert all(o.lang == "nl" for o in carla.outgoing) and "Groep 5" in carla.text


async def test_the_same_on_telegram_and_slack(app):
    for platform, workspace, group in (("telegram", None, "-1001"), ("slack", "T1", "C1")):
        chat = Chat(app, platform=platform, workspace=workspace)
        await chat.say(f"/nieuweschool School {platform}", as_="anna")
        if workspace is None:
            code = next(t for t in (await chat.say("/schoolcode", as_="anna")).texts if "/meedoen" in t)
            await chat.say(f"/meedoen {code.split('/meedoen ')[1].split()[0]}", as_="bram")
        await chat.say("/nieuwteam Groep 7", as_="anna", in_=group)
        await chat.say("/aansluiten", as_="bram", in_=group)
        await chat.say("/voorzitter bram", as_="anna", in_=group)
        await chat.say("/taal en", as_="bram")
        opened = await chat.say("/stillewand 1d Wat werkt?", as_="bram")
        team, his = _split(opened.outgoing)
        assert [(o.lang, o.address.chat_id) for o in team] == [("nl", group)], platform
        assert "Stille wand voor Groep 7" in text_of(team[0])
        assert his and all(o.lang == "en" for o in his), platform
