"""Who may POST to ``/api/messages``: only the Bot Framework, proven by a signed JWT.

The SDK's :class:`JwtTokenValidator` checks the RS256 signature against Microsoft's published
keys (fetched and cached by PyJWT's ``PyJWKClient``), the expiry (with five minutes' leeway) and
the audience (our app id). In SDK 0.9 it does not check the issuer, and the key addresses are
written into the class. :class:`BotTokenValidator` keeps the SDK's checks and adds:

- the issuer must be the Bot Framework (``https://api.botframework.com``), which is who signs
  what Teams sends. Tokens issued by the school's own tenant are refused: any app registered
  in a tenant can get such a token for our app id, and must not be able to make the bot post
  (with its own token) to an address of its choosing;
- a Bot Framework token must name the ``serviceurl`` the activity asks us to answer at, so a
  token cannot be replayed to make the bot post somewhere else;
- the key addresses are a parameter (Microsoft's by default), so a test can serve its own keys
  on 127.0.0.1. There is no setting for them: in production they are always Microsoft's.

A request without a valid token gets 401 and reaches nothing else. There is no anonymous mode.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from jwt import decode, get_unverified_header
from jwt.exceptions import PyJWKClientError, PyJWTError
from microsoft_agents.hosting.core.authorization import (
    AgentAuthConfiguration,
    ClaimsIdentity,
    JwtTokenValidator,
)

log = logging.getLogger(__name__)

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_KEYS = "https://login.botframework.com/v1/.well-known/keys"


class Unauthorized(Exception):
    pass


class BotTokenValidator(JwtTokenValidator):
    def __init__(
        self, configuration: AgentAuthConfiguration, key_urls: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(configuration)
        self.key_urls = dict(key_urls or {})

    def issuers(self) -> list[str]:
        return [BOT_FRAMEWORK_ISSUER]

    def keys_for(self, issuer: str) -> str:
        return self.key_urls.get(issuer, BOT_FRAMEWORK_KEYS)

    async def _get_public_key_or_secret(self, token: str) -> Any:
        header = get_unverified_header(token)
        issuer = decode(token, options={"verify_signature": False}).get("iss")
        if issuer not in self.issuers():
            raise ValueError("Invalid issuer.")
        return await self._jwk_client_manager.get_signing_key(self.keys_for(issuer), header)

    async def check(self, authorization: str | None, service_url: str | None) -> ClaimsIdentity:
        """The caller's claims, or :class:`Unauthorized`."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("no bearer token")
        try:
            identity = await self.validate_token(token.strip())
        except (ValueError, KeyError, PyJWTError, PyJWKClientError) as exc:
            raise Unauthorized(str(exc) or type(exc).__name__) from None
        claims = identity.claims
        if claims.get("iss") not in self.issuers():
            raise Unauthorized("issuer")
        claimed = str(claims.get("serviceurl") or "").rstrip("/").lower()
        if not claimed or claimed != (service_url or "").rstrip("/").lower():
            raise Unauthorized("serviceurl claim does not match the activity")
        return identity
