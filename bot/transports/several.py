"""Several platforms in one process, on one aiohttp server (``bot.transports.http``).

When Microsoft Teams and Slack over HTTP are both configured, ``python -m bot`` serves Teams'
``/api/messages`` and Slack's ``/slack/events`` (and ``/healthz``) on one ``LEERTEAM_HOST:PORT``,
and scheduled messages go out through both. Telegram keeps its own server (python-telegram-bot
runs the webhook itself), so it is not combined here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot.app import Leerteam
from bot.core.config import Settings
from bot.transports.http import Route, build_web_app, serve
from bot.transports.stopping import stop_on_signals
from prompts.catalog import Msg
from prompts.markup import plain


async def run_several(
    app: Leerteam,
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    teams_options: dict[str, Any] | None = None,
) -> None:
    """Serve every platform of ``settings.http_platforms`` until SIGTERM, Ctrl-C or ``stop``."""
    routes: list[Route] = []
    closers: list[Callable[[], Awaitable[None]]] = []
    said: list[tuple[str, str]] = []  # (catalog key, path) to announce once the port is known
    platforms = settings.http_platforms
    if "teams" in platforms:
        from bot.transports.teams.server import MESSAGES_PATH, build_teams

        endpoint = build_teams(app, settings, **(teams_options or {}))
        routes += endpoint.routes
        closers.append(endpoint.close)
        said.append(("teams.started", MESSAGES_PATH))
    if "slack" in platforms:
        from bot.transports.slack.server import EVENTS_PATH, build_app, events_route

        bolt, slack = build_app(app, settings)
        routes.append(events_route(bolt))

        async def drain() -> None:
            await slack.drain(timeout=10.0)

        closers.append(drain)
        said.append(("slack.started_http", EVENTS_PATH))
    stop = stop_on_signals(stop)
    try:
        runner, port = await serve(build_web_app(*[[r] for r in routes], extensions=app.http_extensions),
                                   settings.host, settings.port)
        try:
            for key, path in said:
                msg = Msg(key, host=settings.host, port=str(port), path=path)
                print(plain(app.catalog.render(msg, settings.language)), flush=True)
            await stop.wait()
        finally:
            await runner.cleanup()
    finally:
        for close in closers:
            await close()
