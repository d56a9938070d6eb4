"""The voorzittersoverleg on Telegram and on Slack, end to end: a leader makes a group (channel) the
chairs' place, a chair sets the rhythm and adds a point, and the clock posts the reminder — with the
agenda and each team's state — in that group (channel). Each test runs on SQLite and PostgreSQL.

Telegram: real python-telegram-bot objects with a recording Bot API (tests/telegram_fakes.py).
Slack: the real Bolt app over HTTP on 127.0.0.1, its Web API pointed at a local recording server.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.core.config import Settings
from bot.transports.slack import build_app, start_http
from bot.transports.telegram import build_application
from tests import telegram_fakes
from tests.harness import utc, with_test_commands
from tests.slack_fake import SECRET, FakeSlackAPI, SlackSender
from tests.telegram_fakes import TOKEN, FakeBotApi, TgChat, TgUser, Updates


@pytest.fixture
def capabilities():
    return with_test_commands(telegram_fakes)


# --- Telegram -----------------------------------------------------------------------------------
ANNA, BRAM, CARLA = TgUser(1001, "Anna", "anna"), TgUser(1002, "Bram", "bram"), TgUser(1003, "Carla", "carla")
GROUP, CHAIRS_GROUP = TgChat(-2001, "Groep 5"), TgChat(-2009, "Voorzitters")


async def test_chairs_meeting_on_telegram(app, settings, clock):
    api = FakeBotApi()
    application, bridge = build_application(app, settings.model_copy(update={"telegram_bot_token": TOKEN}),
                                       request=api, updates_request=FakeBotApi())
    await application.initialize()
    updates = Updates(application.bot)
    try:
        async def say(user: TgUser, text: str, chat: TgChat | None = None) -> list[str]:
            before = len(api.calls)
            await application.process_update(updates.message(user, text, chat))
            return [c.text for c in api.calls[before:] if c.method == "sendMessage"]

        for user, line, chat in [(ANNA, "/start", None), (ANNA, "/nieuweschool De Regenboog", None),
                                 (ANNA, "/nieuwteam Groep 5", GROUP), (BRAM, "/aansluiten", GROUP),
                                 (CARLA, "/aansluiten", GROUP), (ANNA, "/voorzitter bram Groep 5", None)]:
            assert await say(user, line, chat), line
        linked = await say(ANNA, "/voorzittersgroep", CHAIRS_GROUP)
        assert any("nu de plek van het voorzittersoverleg" in t for t in linked), linked
        assert any("voor de voorzitters" in t for t in await say(CARLA, "/voorzittersoverleg"))
        await say(BRAM, "/voorzittersritme donderdag 15:00")
        added = await say(BRAM, "/voorzitterspunt Studiedag maart")
        assert any("Studiedag maart (punt 1)" in t for t in added), added
        before = len(api.calls)
        clock.set(utc(2026, 9, 9, 13, 0))  # a day before, 15:00 local
        await app.tick()
        posts = [c for c in api.calls[before:] if c.method == "sendMessage"]
        assert [c.chat_id for c in posts] == [CHAIRS_GROUP.id]
        assert "Herinnering: overleg Voorzittersoverleg morgen" in posts[0].text
        assert "Studiedag maart" in posts[0].text and "Groep 5" in posts[0].text
        # a team command in the chairs' group is refused, in Telegram HTML like every answer
        refused = await say(BRAM, "/cyclus Lezen", CHAIRS_GROUP)
        assert any("geen leerteam" in t for t in refused), refused
        # the command menu stays within Telegram's 100 commands, the chairs' overview among them
        await bridge.register_commands()
        menus = {m.params.get("language_code"): [c["command"] for c in m.params["commands"]]
                 for m in api.sent("setMyCommands")}
        assert all(len(names) <= 100 for names in menus.values()), {k: len(v) for k, v in menus.items()}
        assert "voorzittersoverleg" in menus["nl"] and "chairsmeeting" in menus["en"]
    finally:
        await application.shutdown()


# --- Slack --------------------------------------------------------------------------------------
U_ANNA, U_BRAM, U_CARLA = "U0ANNA", "U0BRAM", "U0CARLA"
TEAM_CHANNEL, CHAIRS_CHANNEL = "C0GROEP5", "C0CHAIRS"


async def test_chairs_meeting_on_slack(app, database_url, clock):
    api = await FakeSlackAPI().start()
    for user, name in ((U_ANNA, "anna"), (U_BRAM, "bram"), (U_CARLA, "carla")):
        api.add_user(user, name)
    settings = Settings(DATABASE_URL=database_url, LEERTEAM_LANGUAGE="nl", SLACK_BOT_TOKEN="xoxb-test",
                        SLACK_SIGNING_SECRET=SECRET, SLACK_APP_TOKEN=None, SLACK_API_URL=api.api_url,
                        _env_file=None)
    bolt, transport = build_app(app, settings)
    runner, port = await start_http(bolt, "127.0.0.1", 0)
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", api)

    async def settle() -> None:
        deadline, quiet = time.monotonic() + 20, 0
        while quiet < 3:
            assert time.monotonic() < deadline, "Slack work did not finish"
            quiet = 0 if transport.busy else quiet + 1
            await transport.drain(timeout=20)
            await asyncio.sleep(0.005)

    async def cmd(text: str, user: str, channel: str | None = None) -> str:
        before = len(api.calls)
        status, _ = await sender.command(text, user=user, channel=channel or f"D{user}")
        assert status == 200
        await settle()
        return "\n".join(c.get("text") or "" for c in api.calls[before:] if c.method.startswith("chat."))

    try:
        for line, user, channel in [("newschool De Regenboog", U_ANNA, None),  # English names work too
                                    ("newteam Group 5", U_ANNA, TEAM_CHANNEL),
                                    ("join", U_BRAM, TEAM_CHANNEL), ("join", U_CARLA, TEAM_CHANNEL),
                                    ("chair <@U0BRAM|bram> Group 5", U_ANNA, None)]:
            assert await cmd(line, user, channel), line
        refused = await cmd("voorzittersgroep", U_BRAM, CHAIRS_CHANNEL)
        assert "Alleen de schoolleiding kiest het kanaal van het voorzittersoverleg." in refused
        assert "Dit kanaal is nu de plek" in await cmd("voorzittersgroep", U_ANNA, CHAIRS_CHANNEL)
        assert "voor de voorzitters van de leerteams" in await cmd("voorzittersoverleg", U_CARLA)
        await cmd("voorzittersritme donderdag 15:00", U_BRAM)
        assert "(punt 1)" in await cmd("voorzitterspunt Studiedag in maart", U_BRAM)
        before = len(api.calls)
        clock.set(utc(2026, 9, 9, 13, 0))
        await app.tick()
        await settle()
        posts = [c for c in api.calls[before:] if c.method == "chat.postMessage"]
        assert [p["channel"] for p in posts] == [CHAIRS_CHANNEL]
        said = posts[0].all_text
        assert "1. Studiedag in maart" in said and "*Group 5* (Bram)" in said  # Slack's mrkdwn bold
        assert "/leerteam voorzitterspunt" in said  # command names as Slack users type them
    finally:
        await transport.drain()
        await sender.close()
        await runner.cleanup()
        await api.stop()
