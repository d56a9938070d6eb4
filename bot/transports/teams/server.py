"""Running Leerteam in Teams: ``POST /api/messages`` through the SDK's CloudAdapter.

The route checks the Bot Framework's token first (:mod:`.auth`; 401 otherwise), then hands the
request to the SDK's ``CloudAdapter.process``, which parses the activity and runs the turn
(:class:`.transport.LeerteamAgent`). The adapter is given a client factory that makes no calls
of its own: every outgoing call goes through :class:`.connector.Connector`, where rate limits
and failures are handled the same way for replies and scheduled messages.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_exceptions import NotAppKeyWarning

from bot.app import Leerteam
from bot.core.config import Settings
from bot.transports.http import Route, build_web_app, serve
from bot.transports.stopping import stop_on_signals
from bot.transports.teams.auth import BotTokenValidator, Unauthorized
from bot.transports.teams.connector import Connector, MsalTokens, TokenSource
from bot.transports.teams.transport import LeerteamAgent, TeamsTransport

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
CLAIMS_KEY = "claims_identity"  # where the SDK's AiohttpRequestAdapter looks for the caller's claims


class _NoCallsFactory:
    """The SDK's per-turn clients, made without a token: Leerteam never uses them (it sends
    through :class:`Connector`), and fetching a token for every inbound activity would be waste."""

    async def create_connector_client(
        self,
        context: Any,
        claims_identity: Any,
        service_url: str,
        audience: str,
        scopes: Any = None,
        use_anonymous: bool = False,
    ) -> Any:
        from microsoft_agents.hosting.core.connector.client import ConnectorClient

        return ConnectorClient(service_url, "")

    async def create_user_token_client(
        self, context: Any, claims_identity: Any, use_anonymous: bool = False
    ) -> Any:
        from microsoft_agents.hosting.core.connector.client import UserTokenClient

        return UserTokenClient("https://api.botframework.com", "")


@dataclass
class TeamsEndpoint:
    routes: list[Route]
    transport: TeamsTransport
    connector: Connector

    async def close(self) -> None:
        await self.connector.close()


def build_teams(
    app: Leerteam,
    settings: Settings,
    *,
    tokens: TokenSource | None = None,
    key_urls: Mapping[str, str] | None = None,
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> TeamsEndpoint:
    """The /api/messages route and the transport (``tokens``, ``key_urls``, ``sleep``: tests)."""
    from microsoft_agents.hosting.aiohttp import CloudAdapter
    from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration

    if not settings.teams_app_id or settings.teams_app_password is None:
        raise ValueError("TEAMS_APP_ID and TEAMS_APP_PASSWORD are not set")
    password = settings.teams_app_password.get_secret_value()
    tokens = tokens or MsalTokens(settings.teams_app_id, password, settings.teams_tenant_id)
    connector = Connector(tokens, sleep=sleep) if sleep is not None else Connector(tokens)
    transport = TeamsTransport(app, connector)
    app.attach(transport)  # reminders and other scheduled posts go out through it
    agent = LeerteamAgent(app, transport)
    adapter = CloudAdapter(channel_service_client_factory=_NoCallsFactory())

    async def on_turn_error(context: Any, error: Exception) -> None:
        log.error("Teams turn failed", exc_info=error)  # never shown to the user: it may hold details

    adapter.on_turn_error = on_turn_error
    validator = BotTokenValidator(
        AgentAuthConfiguration(client_id=settings.teams_app_id, tenant_id=settings.teams_tenant_id), key_urls
    )

    async def messages(request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "invalid JSON"}, status=400)
        service_url = body.get("serviceUrl") if isinstance(body, dict) else None
        try:
            identity = await validator.check(request.headers.get("Authorization"), service_url)
        except Unauthorized as exc:
            log.info("refused a request to %s: %s", MESSAGES_PATH, exc)
            return web.json_response({"error": "unauthorized"}, status=401)
        with warnings.catch_warnings():  # the SDK's request adapter reads this plain string key
            warnings.simplefilter("ignore", NotAppKeyWarning)
            request[CLAIMS_KEY] = identity
        response = await adapter.process(request, agent)
        return response if response is not None else web.Response(status=202)

    return TeamsEndpoint([("POST", MESSAGES_PATH, messages)], transport, connector)


async def run_teams(app: Leerteam, settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Serve /api/messages (and /healthz) on LEERTEAM_HOST:PORT until SIGTERM or Ctrl-C."""
    from prompts.catalog import Msg
    from prompts.markup import plain

    endpoint = build_teams(app, settings)
    stop = stop_on_signals(stop)
    try:
        try:
            runner, port = await serve(build_web_app(endpoint.routes, extensions=app.http_extensions),
                                       settings.host, settings.port)
        except OSError as exc:
            detail = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            print(
                plain(app.catalog.render(Msg("teams.server_failed", detail=detail), settings.language)),
                file=sys.stderr,
            )
            raise SystemExit(2) from None
        print(
            plain(
                app.catalog.render(
                    Msg("teams.started", host=settings.host, port=str(port), path=MESSAGES_PATH),
                    settings.language,
                )
            ),
            flush=True,
        )
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
    finally:
        await endpoint.close()
