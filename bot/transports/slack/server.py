"""Running Leerteam on Slack: the Bolt app, the HTTP Events API server, Socket Mode.

- Socket Mode (``SLACK_BOT_TOKEN`` + ``SLACK_APP_TOKEN``): the app opens a WebSocket to Slack,
  so no public address is needed: the quick start for a school.
- HTTP (``SLACK_BOT_TOKEN`` + ``SLACK_SIGNING_SECRET``): Slack POSTs events, slash commands and
  interactions to ``/slack/events`` on ``LEERTEAM_HOST:PORT``. Bolt checks every request's
  signature and refuses timestamps older than five minutes; that check stays on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
from collections.abc import Sequence
from functools import partial

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Leerteam
from bot.core.config import Settings
from bot.transports.http import Extension, Route, build_web_app, serve
from bot.transports.slack.mentions import on_mention
from bot.transports.slack.outbound import TIMEOUT, retry_handlers
from bot.transports.slack.render import ANSWER_ACTION, ANSWER_VIEW, CHOICE_ACTION
from bot.transports.slack.transport import SlackTransport
from bot.transports.stopping import stop_on_signals
from prompts.catalog import Msg
from prompts.markup import plain

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def build_client(settings: Settings) -> AsyncWebClient:
    if settings.slack_api_url:  # tests: a local Web API
        return AsyncWebClient(token=settings.slack_bot_token, retry_handlers=retry_handlers(),
                              base_url=settings.slack_api_url.rstrip("/") + "/", timeout=TIMEOUT)
    return AsyncWebClient(token=settings.slack_bot_token, retry_handlers=retry_handlers(), timeout=TIMEOUT)


def build_app(
    app: Leerteam, settings: Settings, client: AsyncWebClient | None = None
) -> tuple[AsyncApp, SlackTransport]:
    """The Bolt app with Leerteam's listeners: each acknowledges at once, the work runs lazily."""
    client = client or build_client(settings)
    bolt = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret or "",  # unused in Socket Mode
        request_verification_enabled=True,
        process_before_response=False,
        name="leerteam",
        logger=logging.getLogger("bot.transports.slack.bolt"),
    )
    slack = SlackTransport(app, client, settings)

    async def ack_now(ack) -> None:
        await ack()

    bolt.command(settings.slack_command)(ack=ack_now, lazy=[slack.lazy("command", slack.on_command)])
    bolt.action(re.compile(rf"^{CHOICE_ACTION}_\d+$"))(
        ack=ack_now, lazy=[slack.lazy("choice", slack.on_choice)]
    )
    bolt.action(ANSWER_ACTION)(ack=ack_now, lazy=[slack.lazy("answer_button", slack.on_answer_button)])
    bolt.view_submission(ANSWER_VIEW)(ack=ack_now, lazy=[slack.lazy("answer", slack.on_answer)])
    bolt.event("app_home_opened")(ack=ack_now, lazy=[slack.lazy("home", slack.on_home)])
    bolt.event("message")(ack=ack_now, lazy=[slack.lazy("message", slack.on_message)])
    bolt.event("app_mention")(ack=ack_now, lazy=[slack.lazy("app_mention", partial(on_mention, slack))])
    for removed in ("channel_left", "group_left", "member_left_channel", "channel_archive", "group_archive"):
        bolt.event(removed)(ack=ack_now, lazy=[slack.lazy(removed, slack.on_removed)])
    return bolt, slack


def events_route(bolt: AsyncApp) -> Route:
    """The Events API (events, slash commands, interactivity) on one path, for the shared server."""

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    return ("POST", EVENTS_PATH, events)


async def start_http(bolt: AsyncApp, host: str, port: int,
                     extensions: Sequence[Extension] = ()) -> tuple[web.AppRunner, int]:
    """Serve the Events API and /healthz (bot.transports.http); returns the port."""
    return await serve(build_web_app([events_route(bolt)], extensions=extensions), host, port)


def _say(app: Leerteam, settings: Settings, msg: Msg) -> None:
    print(plain(app.catalog.render(msg, settings.language)), flush=True)


async def run_slack(app: Leerteam, settings: Settings) -> None:
    """Run until cancelled (Ctrl-C), in Socket Mode or as an HTTP server, as the settings say."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    bolt, slack = build_app(app, settings)
    stop = stop_on_signals(signals=(signal.SIGTERM,))  # Ctrl-C stays a KeyboardInterrupt here
    try:
        if settings.slack_mode == "socket":
            handler = AsyncSocketModeHandler(bolt, settings.slack_app_token, web_client=slack.client)
            await handler.connect_async()
            _say(app, settings, Msg("slack.started_socket", command=settings.slack_command))
            try:
                await stop.wait()
            finally:
                await handler.close_async()
        else:
            runner, port = await start_http(bolt, settings.host, settings.port, app.http_extensions)
            _say(
                app, settings, Msg("slack.started_http", host=settings.host, port=str(port), path=EVENTS_PATH)
            )
            try:
                await stop.wait()
            finally:
                await runner.cleanup()
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)
        await slack.drain(timeout=10.0)
