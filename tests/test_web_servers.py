"""Where the school's web pages are served outside the console: on the platform's own HTTP server
(Slack's Events API, Teams) when there is one, else on a server of their own on LEERTEAM_WEB_PORT."""

from __future__ import annotations

import asyncio
import time

from aiohttp import ClientSession

from bot.core.config import Settings
from bot.main import start_web
from bot.transports.slack import run_slack
from tests.harness import free_port
from tests.slack_fake import SECRET, FakeSlackAPI


async def _status(url: str, seconds: float = 15) -> int:
    """The status of the first answer from ``url`` (waiting for the server to come up)."""
    deadline = time.monotonic() + seconds
    async with ClientSession() as http:
        while True:
            try:
                async with http.get(url, allow_redirects=False) as resp:
                    return resp.status
            except OSError:
                assert time.monotonic() < deadline, f"nothing answered at {url}"
                await asyncio.sleep(0.05)


async def test_on_slack_over_http_the_pages_share_the_events_server(app, database_url):
    api = await FakeSlackAPI().start()
    port = free_port()
    settings = Settings(DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET,
                        SLACK_APP_TOKEN=None, SLACK_API_URL=api.api_url, LEERTEAM_HOST="127.0.0.1", PORT=port,
                        _env_file=None)
    assert start_web(app, settings) is None  # no server of their own: they join the platform's
    task = asyncio.create_task(run_slack(app, settings))
    try:
        assert await _status(f"http://127.0.0.1:{port}/healthz") == 200
        assert await _status(f"http://127.0.0.1:{port}/web/") == 401  # the pages are there: log in first
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await api.stop()


async def test_on_telegram_the_pages_get_a_server_of_their_own(app, database_url):
    port = free_port()
    settings = Settings(DATABASE_URL=database_url, TELEGRAM_BOT_TOKEN="123:abc", LEERTEAM_HOST="127.0.0.1",
                        LEERTEAM_WEB_PORT=port, _env_file=None)
    pages = start_web(app, settings)
    assert pages is not None and app.http_extensions == []
    try:
        assert await _status(f"http://127.0.0.1:{port}/web/") == 401
    finally:
        await pages.stop()


async def test_port_zero_switches_the_pages_off_and_telegram_has_none_unless_asked(app, database_url):
    for port in (0, None):  # 0: off everywhere; unset: Telegram has no port to expose
        settings = Settings(DATABASE_URL=database_url, TELEGRAM_BOT_TOKEN="123:abc", LEERTEAM_WEB_PORT=port,
                            _env_file=None)
        assert start_web(app, settings) is None and app.http_extensions == []
    slack = Settings(DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET,
                     SLACK_APP_TOKEN=None, LEERTEAM_WEB_PORT=0, _env_file=None)
    assert start_web(app, slack) is None and app.http_extensions == []
