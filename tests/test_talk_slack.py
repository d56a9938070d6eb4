"""Issue 13, the rest, on Slack end to end (the real Bolt app on 127.0.0.1, signed requests, the Web
API faked locally): ``@Leerteam …`` in a channel (``app_mention``) always gets an answer — a
command, or what the bot can do there — and a direct message is addressed to the bot."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.core.config import Settings
from bot.transports.slack import build_app, start_http
from tests.slack_fake import BOT_USER, SECRET, FakeSlackAPI, SlackSender

ANNA = "U0ANNA"
CHANNEL = "C0GROEP5"


class Rig:
    def __init__(self, api: FakeSlackAPI, sender: SlackSender, transport) -> None:
        self.api, self.sender, self.transport = api, sender, transport

    async def settle(self) -> None:
        deadline = time.monotonic() + 20
        quiet = 0
        while quiet < 3:
            assert time.monotonic() < deadline, "Slack work did not finish"
            quiet = 0 if self.transport.busy else quiet + 1
            await self.transport.drain(timeout=20)
            await asyncio.sleep(0.005)

    async def mention(self, text: str) -> list:
        before = len(self.api.calls)
        status, _ = await self.sender.event({"type": "app_mention", "user": ANNA, "channel": CHANNEL,
                                             "text": text, "ts": f"{time.time():.6f}"})
        assert status == 200
        await self.settle()
        return [c for c in self.api.calls[before:] if c.method in ("chat.postMessage", "chat.postEphemeral")]


@pytest.fixture
async def slack(app, database_url):
    api = await FakeSlackAPI().start()
    api.add_user(ANNA, "anna")
    settings = Settings(DATABASE_URL=database_url, LEERTEAM_LANGUAGE="nl", SLACK_BOT_TOKEN="xoxb-test",
                        SLACK_SIGNING_SECRET=SECRET, SLACK_APP_TOKEN=None, SLACK_API_URL=api.api_url,
                        _env_file=None)
    bolt, transport = build_app(app, settings)
    runner, port = await start_http(bolt, "127.0.0.1", 0)
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", api)
    try:
        yield Rig(api, sender, transport)
    finally:
        await transport.drain()
        await sender.close()
        await runner.cleanup()
        await api.stop()


async def test_a_mention_in_a_channel_is_always_answered(slack):
    said = await slack.mention(f"<@{BOT_USER}> wat kun je hier?")
    assert said and "Ik ben er!" in said[-1].all_text and "/leerteam hulp" in said[-1].all_text, said
    command = await slack.mention(f"<@{BOT_USER}> /hulp")
    assert command and "Ik ben er!" not in command[-1].all_text  # the help itself
    assert any("nieuweschool" in c.all_text for c in command)
