"""Teams and Slack over HTTP in one process: one aiohttp server carries /api/messages and
/slack/events (and /healthz), each with its own authentication, each answering through its own
platform; ``bot.main`` picks this when both are configured."""

from __future__ import annotations

import asyncio

from aiohttp import ClientSession
from pydantic import SecretStr

from bot.core.config import Settings
from bot.transports.several import run_several
from bot.transports.teams.auth import BOT_FRAMEWORK_ISSUER
from bot.transports.teams.connector import StaticToken
from tests.harness import free_port, wait_until_serving
from tests.slack_fake import SECRET, FakeSlackAPI, SlackSender, wait_until
from tests.teams_fake import APP_ID, TENANT, FakeBotService, Teams, User

ANNA = User("aad-anna-0001", "Anna")


async def test_teams_and_slack_share_one_server(app, database_url, capsys):
    slack_api = await FakeSlackAPI().start()
    slack_api.add_user("U0ANNA", "anna")
    teams_service = FakeBotService()
    await teams_service.start()
    port = free_port()
    settings = Settings(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_APP_TOKEN=None,
        SLACK_API_URL=slack_api.api_url,
        TEAMS_APP_ID=APP_ID,
        TEAMS_APP_PASSWORD=SecretStr("x"),
        TEAMS_TENANT_ID=TENANT,
        LEERTEAM_HOST="127.0.0.1",
        PORT=port,
        _env_file=None,
    )
    assert settings.http_platforms == ["teams", "slack"]
    stop = asyncio.Event()
    options = {"tokens": StaticToken("t"), "key_urls": {BOT_FRAMEWORK_ISSUER: teams_service.keys_url}}
    task = asyncio.create_task(run_several(app, settings, stop, teams_options=options))
    base = f"http://127.0.0.1:{port}"
    sender = SlackSender(f"{base}/slack/events", slack_api)
    try:
        async with ClientSession() as http:
            await wait_until_serving(http, f"{base}/healthz")
            out = capsys.readouterr().out
            assert f"{port}/api/messages" in out and f"{port}/slack/events" in out
            teams = Teams(teams_service, f"{base}/api/messages", http)
            calls = await teams.say(ANNA, "hulp")
            assert calls and "Wat ik kan" in calls[0].plain
            status, _ = await sender.command("hulp", user="U0ANNA", channel="D0ANNA")
            assert status == 200
            await wait_until(lambda: slack_api.of("chat.postMessage"), what="the Slack reply")
            assert "Wat ik kan" in slack_api.of("chat.postMessage")[0].all_text
            status, _ = await sender.command("hulp", user="U0ANNA", channel="D0ANNA", secret="wrong")
            assert status == 401
            status, _ = await teams.post(teams.activity(ANNA, "hulp"), token=None)
            assert status == 401
        assert {"teams", "slack"} <= set(app.transports)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await sender.close()
        await slack_api.stop()
        await teams_service.stop()
