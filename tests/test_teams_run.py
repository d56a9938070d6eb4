"""``run_teams`` as ``python -m bot`` starts it with TEAMS_* set: /api/messages and /healthz on
LEERTEAM_HOST:PORT, unsigned requests refused, stopped by its stop event (SIGTERM in production)."""

from __future__ import annotations

import asyncio
import json

from aiohttp import ClientSession

from bot.core.config import Settings
from bot.transports.teams.server import run_teams
from tests.harness import free_port, wait_until_serving
from tests.teams_fake import APP_ID, TENANT


async def test_run_teams_serves_messages_and_health(app, database_url, capsys):
    port = free_port()
    settings = Settings(
        DATABASE_URL=database_url,
        TEAMS_APP_ID=APP_ID,
        TEAMS_APP_PASSWORD="secret",
        TEAMS_TENANT_ID=TENANT,
        LEERTEAM_HOST="127.0.0.1",
        PORT=port,
        _env_file=None,
    )
    assert settings.transport == "teams"
    stop = asyncio.Event()
    task = asyncio.create_task(run_teams(app, settings, stop))
    base = f"http://127.0.0.1:{port}"
    try:
        async with ClientSession() as http:
            await wait_until_serving(http, f"{base}/healthz")
            assert f"op http://127.0.0.1:{port}/api/messages" in capsys.readouterr().out
            activity = {
                "type": "message",
                "id": "1",
                "text": "hulp",
                "serviceUrl": "http://127.0.0.1:9/",
                "conversation": {"id": "a:1"},
                "from": {"id": "29:x"},
                "recipient": {"id": "28:y"},
            }
            async with http.post(
                f"{base}/api/messages",
                data=json.dumps(activity),
                headers={"Content-Type": "application/json"},
            ) as resp:
                assert resp.status == 401
            async with http.post(
                f"{base}/api/messages",
                data="{nope",
                headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
            ) as resp:
                assert resp.status == 400
            async with http.get(f"{base}/api/messages") as resp:
                assert resp.status == 405
        assert "teams" in app.transports  # scheduled messages go out through Teams
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert task.done() and task.exception() is None
