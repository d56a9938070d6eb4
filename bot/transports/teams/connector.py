"""Calls to the Bot Connector service (the SDK's ConnectorClient), with Teams' rate limits and
failures told apart.

Every outgoing call goes to the ``serviceUrl`` Teams gave with the conversation, with a token
for the bot's Entra app (MSAL, through the SDK's ``MsalAuth``). The outcome of a call is one of:

- delivered: the call returns;
- failed for good: :class:`DeliveryFailed` with ``permanent=True`` (403 "bot not in the
  conversation", 404 "conversation not found", 400 refused content): sending again is useless;
- failed for now: ``permanent=False`` (5xx, timeouts, a network error, still 429 after the
  retries): a later attempt may work.

HTTP 429 is Teams saying "too fast": the call waits ``Retry-After`` seconds (or a growing pause)
and tries again, at most ``MAX_RETRIES`` times. This is the core's
:class:`bot.core.delivery.DeliveryFailed`, re-exported here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import aiohttp

from bot.core.delivery import DeliveryFailed as DeliveryFailed  # the core's delivery contract (issue 15)

log = logging.getLogger(__name__)

BOT_FRAMEWORK = "https://api.botframework.com"
SCOPES = ["https://api.botframework.com/.default"]
MAX_RETRIES = 3
MAX_WAIT = 60.0  # seconds: a Retry-After longer than this is not waited for in the send
TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10)
PERMANENT = {400, 403, 404, 410, 413}

T = TypeVar("T")


class TokenSource(Protocol):
    async def token(self) -> str: ...


class MsalTokens:
    """Tokens for the bot's Entra app (client credentials), cached and renewed by MSAL."""

    def __init__(self, app_id: str, password: str, tenant_id: str | None) -> None:
        from microsoft_agents.authentication.msal import MsalAuth
        from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, AuthTypes

        config = AgentAuthConfiguration(
            auth_type=AuthTypes.client_secret,
            client_id=app_id,
            client_secret=password,
            tenant_id=tenant_id or "botframework.com",
        )
        self._auth = MsalAuth(config)

    async def token(self) -> str:
        return await self._auth.get_access_token(BOT_FRAMEWORK, SCOPES)


class StaticToken:
    """A fixed token (tests, and a local Bot Framework Emulator without authentication)."""

    def __init__(self, value: str) -> None:
        self.value = value

    async def token(self) -> str:
        return self.value


class Connector:
    """One aiohttp session per service URL; every call through :meth:`call` (retries, outcomes)."""

    def __init__(
        self,
        tokens: TokenSource,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        self.tokens = tokens
        self.sleep = sleep
        self.max_retries = max_retries
        self._sessions: dict[str, aiohttp.ClientSession] = {}

    async def client(self, service_url: str) -> Any:
        from microsoft_agents.hosting.core.connector.client import ConnectorClient

        url = service_url if service_url.endswith("/") else service_url + "/"
        session = self._sessions.get(url)
        if session is None or session.closed:
            session = aiohttp.ClientSession(
                base_url=url,
                timeout=TIMEOUT,
                headers={"Accept": "application/json", "Content-Type": "application/json"},
            )
            self._sessions[url] = session
        return ConnectorClient(url, await self.tokens.token(), session=session)

    async def call(self, service_url: str, what: str, op: Callable[[Any], Awaitable[T]]) -> T:
        """Run ``op(connector_client)``; retry 429 and 5xx a bounded number of times."""
        attempt = 0
        while True:
            try:
                return await op(await self.client(service_url))
            except aiohttp.ClientResponseError as exc:
                status = exc.status
                if status in PERMANENT:
                    raise DeliveryFailed(
                        permanent=True, status=status, reason=f"{what}: HTTP {status} {exc.message}".strip()
                    ) from None
                wait = _retry_after(exc.headers, attempt) if status == 429 else float(2**attempt)
                retryable = status == 429 or status >= 500
                if not retryable or attempt >= self.max_retries or wait > MAX_WAIT:
                    raise DeliveryFailed(
                        permanent=False, status=status, reason=f"{what}: HTTP {status} {exc.message}".strip()
                    ) from None
                log.info("%s: HTTP %s, trying again in %.1f s", what, status, wait)
            except (TimeoutError, aiohttp.ClientError) as exc:
                if attempt >= self.max_retries:
                    raise DeliveryFailed(permanent=False, reason=f"{what}: {type(exc).__name__}") from None
                wait = float(2**attempt)
            attempt += 1
            await self.sleep(wait)

    async def close(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()


def _retry_after(headers: Any, attempt: int) -> float:
    """Teams' Retry-After (seconds), else a growing pause."""
    raw = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(raw)) if raw is not None else float(2**attempt)
    except ValueError:
        return float(2**attempt)
