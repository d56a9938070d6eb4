"""The delivery contract on Telegram (403 from the fake Bot API) and Slack (channel_not_found /
not_in_channel from the fake Web API): failed team posts are reported with the platform's fix,
linking a chat the bot cannot post in links nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import ChatLink, Cycle
from tests import telegram_fakes
from tests.harness import rows, with_test_commands
from tests.slack_fake import FakeSlackAPI, SlackSender
from tests.telegram_fakes import TgChat
from tests.test_slack import ANNA as S_ANNA
from tests.test_slack import BRAM as S_BRAM
from tests.test_slack import CHANNEL, DM, Rig, slack_settings
from tests.test_telegram import ANNA, BRAM, CARLA, GROUP_A, _start, telegram_setup, texts


@pytest.fixture
def capabilities():
    return with_test_commands(telegram_fakes)


@pytest.fixture
async def tg(app, settings):
    bot = await _start(app, settings)
    yield bot
    await bot.application.shutdown()


async def test_telegram_a_group_post_refused_with_403_is_reported_to_the_chair(app, tg):
    await telegram_setup(tg)
    tg.api.kicked.add(GROUP_A.id)  # the bot was removed from the group of Groep 3-4
    calls = await tg.say(BRAM, "/cyclus Rekenen")
    to_group = [c for c in calls if c.chat_id == GROUP_A.id]
    assert to_group and all(c.result is None for c in to_group)  # tried, refused (403)
    private = texts([c for c in calls if c.chat_id == BRAM.id])
    notice = [t for t in private if "kwam niet aan" in t]
    assert len(notice) == 1, private
    assert "Voeg mij weer toe aan de groep en typ daar /koppel Groep 3-4." in notice[0]
    assert "Wat je deed is wel bewaard." in notice[0]
    assert [c.title for c in await rows(app, Cycle)] == ["Rekenen"]


async def test_telegram_nieuwteam_where_the_bot_cannot_post_links_nothing_and_answers_privately(app, tg):
    await telegram_setup(tg)
    muted = TgChat(-2003, "Groep 7")
    tg.api.kicked.add(muted.id)  # getChatMember: the bot is not a member; sends there get 403
    calls = await tg.say(ANNA, "/nieuwteam Groep 7", muted)
    assert [c.params["user_id"] for c in tg.api.member_checks if c.chat_id == muted.id] == [telegram_fakes.BOT_ID]
    private = "\n".join(texts([c for c in calls if c.chat_id == ANNA.id]))
    assert "Ik kon niet antwoorden waar je het vroeg" in private
    assert "Ik kan hier niet posten, dus ik koppel deze groep niet aan een team." in private
    async with app.sessions() as s:
        assert (await s.exec(select(ChatLink).where(ChatLink.chat_id == str(muted.id)))).all() == []


# --- Slack ------------------------------------------------------------------------------------
@pytest.fixture
async def slack(app, database_url):
    api = await FakeSlackAPI().start()
    for user, name in ((S_ANNA, "anna"), (S_BRAM, "bram")):
        api.add_user(user, name)
    from bot.transports.slack import build_app, start_http

    bolt, transport = build_app(app, slack_settings(database_url, api))
    runner, port = await start_http(bolt, "127.0.0.1", 0)
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", api)
    rig = Rig(api, sender, transport, app)
    try:
        yield rig
    finally:
        await transport.drain()
        await sender.close()
        await runner.cleanup()
        await api.stop()


async def test_slack_nieuwteam_in_a_channel_the_app_was_never_invited_to_links_nothing(slack, app):
    await slack.cmd("nieuweschool De Regenboog", S_ANNA)
    slack.api.outside.add("C0GROEP7")
    said = await slack.cmd("nieuwteam Groep 7", S_ANNA, "C0GROEP7")
    assert [c["channel"] for c in slack.api.of("conversations.info")] == ["C0GROEP7"]
    answer = "\n".join(c.all_text for c in said if c.ok and c.method in ("response_url", "chat.postMessage"))
    assert "Ik kan hier niet posten, dus ik koppel dit kanaal niet aan een team." in answer
    assert "Nodig mij uit in het kanaal met /invite @Leerteam" in answer
    assert "hoort nu bij" not in answer
    async with app.sessions() as s:
        assert (await s.exec(select(ChatLink).where(ChatLink.chat_id == "C0GROEP7"))).all() == []


async def test_slack_a_channel_post_refused_is_reported_to_the_chair_with_the_invite_fix(slack, app):
    await slack.cmd("nieuweschool De Regenboog", S_ANNA)
    await slack.cmd("nieuwteam Groep 3-4", S_ANNA, CHANNEL)
    await slack.cmd("aansluiten", S_BRAM, CHANNEL)
    await slack.cmd("voorzitter <@U0BRAM|bram> Groep 3-4", S_ANNA)
    slack.api.outside.add(CHANNEL)  # the app was removed from the channel
    said = await slack.cmd("cyclus Rekenen", S_BRAM)
    refused = [c for c in said if c.method == "chat.postMessage" and c["channel"] == CHANNEL]
    assert refused and not any(c.ok for c in refused)
    to_bram = [c.all_text for c in said
               if c.ok and c.method == "chat.postMessage" and c["channel"] in (DM[S_BRAM], S_BRAM)]
    notice = [t for t in to_bram if "kwam niet aan" in t]
    assert len(notice) == 1, to_bram
    assert "Nodig mij uit in het kanaal met /invite @Leerteam en typ daar /leerteam koppel Groep 3-4." in notice[0]
    assert [c.title for c in await rows(app, Cycle)] == ["Rekenen"]


async def test_telegram_bot_kicked_from_a_group_unlinks_the_team_and_tells_chair_and_leaders(app, tg):
    await telegram_setup(tg)
    calls = await tg.send(tg.updates.added_to_group(ANNA, GROUP_A, old="member", new="kicked"))
    assert calls == []  # nothing is said in a group the bot just left
    async with app.sessions() as s:
        assert (await s.exec(select(ChatLink).where(ChatLink.chat_id == str(GROUP_A.id)))).all() == []
    before = len(tg.api.calls)
    await app.tick()
    told = {c.chat_id for c in tg.api.calls[before:] if "Ik ben verwijderd uit de groep van team" in c.text}
    assert told == {BRAM.id, ANNA.id, CARLA.id}  # the chair and the two school leaders
    assert "Voeg mij weer toe aan de groep" in next(c.text for c in tg.api.calls[before:] if c.chat_id == BRAM.id)


async def test_slack_app_removed_from_a_channel_unlinks_its_team(slack, app):
    await slack.cmd("nieuweschool De Regenboog", S_ANNA)
    await slack.cmd("nieuwteam Groep 3-4", S_ANNA, CHANNEL)
    await slack.sender.event({"type": "member_left_channel", "user": S_BRAM, "channel": CHANNEL})
    await slack.settle()
    async with app.sessions() as s:
        assert len((await s.exec(select(ChatLink).where(ChatLink.chat_id == CHANNEL))).all()) == 1  # a person left
    await slack.sender.event({"type": "channel_left", "channel": CHANNEL})
    await slack.settle()
    async with app.sessions() as s:
        assert (await s.exec(select(ChatLink).where(ChatLink.chat_id == CHANNEL))).all() == []
    await app.tick()
    told = [c for c in slack.api.of("chat.postMessage") if "Ik ben verwijderd" in c.all_text]
    assert [c["channel"] for c in told] == [S_ANNA]  # no chair yet: the school leader
    assert "Nodig mij uit in het kanaal met /invite @Leerteam" in told[0].all_text
