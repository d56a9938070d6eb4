"""Microsoft Teams, played locally for the Teams transport's tests.

:class:`FakeBotService` is one aiohttp server on 127.0.0.1 that plays both Microsoft sides:

- the Bot Framework's signing keys (``GET /keys``, a JWKS) for tokens this module signs with an
  RSA key the test made (:meth:`FakeBotService.token`), so the SDK's real JWT validation runs;
- the Bot Connector REST API the bot calls: ``POST /v3/conversations`` (open a personal chat),
  ``POST /v3/conversations/{id}/activities``, ``PUT /v3/conversations/{id}/activities/{id}``,
  ``GET /v3/conversations/{id}/members``. Every call is recorded; a conversation can be told to
  answer 403 (the bot was removed), 429 with ``Retry-After``, or 5xx.

:class:`Teams` builds activities as Teams sends them (channel posts with an @mention, personal
chats, Adaptive Card submissions) and POSTs them, signed, to the bot's ``/api/messages``.
No test reaches the internet.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import jwt
from aiohttp import ClientSession, web
from cryptography.hazmat.primitives.asymmetric import rsa

APP_ID = "0b7f5a4e-1c2d-4e3f-9a8b-7c6d5e4f3a2b"
TENANT = "3f2e1d0c-9b8a-4765-8432-10fedcba9876"
BOT_ID = f"28:{APP_ID}"
BF_ISSUER = "https://api.botframework.com"
TEAM_ID = "19:regenboog-team@thread.tacv2"
KID = "test-key-1"


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # made once: RSA is slow
_OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # a forger's key


@dataclass(frozen=True)
class User:
    aad: str
    name: str
    locale: str = "nl-NL"

    @property
    def teams_id(self) -> str:
        return f"29:{self.aad}"


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    team_id: str = TEAM_ID


def visible(markdown: str) -> str:
    """Teams markdown (as Leerteam writes it) as the text a reader sees."""
    out: list[str] = []
    i, n = 0, len(markdown)
    while i < n:
        ch = markdown[i]
        if ch == "\\" and i + 1 < n:
            out.append(markdown[i + 1])
            i += 2
            continue
        if markdown.startswith("**", i):
            i += 2
            continue
        edge = i == 0 or not markdown[i - 1].isalnum() or i + 1 == n or not markdown[i + 1].isalnum()
        if ch == "_" and edge:
            i += 1
            continue
        out.append(ch)
        i += 1
    return html.unescape("".join(out)).replace("\n\n", "\n")


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any]
    status: int
    authorization: str | None
    conversation_id: str | None = None
    activity_id: str | None = None

    @property
    def text(self) -> str:
        """Everything the call would show: the text and every text in its cards."""
        parts = [str(self.body.get("text") or "")]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("text", "title") and isinstance(value, str):
                        parts.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.body.get("attachments"))
        return "\n".join(p for p in parts if p)

    @property
    def plain(self) -> str:
        """What a reader sees of :attr:`text`: markdown markers, escapes and entities removed."""
        return visible(self.text)

    @property
    def card(self) -> dict[str, Any] | None:
        for a in self.body.get("attachments") or ():
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return a["content"]
        return None

    def submit_data(self) -> list[dict[str, Any]]:
        return [a["data"] for a in (self.card or {}).get("actions", []) if a.get("type") == "Action.Submit"]


@dataclass
class FakeBotService:
    calls: list[Call] = field(default_factory=list)
    scripted: dict[str, list[tuple[int, dict[str, str]]]] = field(
        default_factory=dict
    )  # conversation -> answers
    members: dict[str, list[User]] = field(default_factory=dict)
    url: str = ""
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    @property
    def service_url(self) -> str:
        return f"{self.url}/teams/"

    @property
    def keys_url(self) -> str:
        return f"{self.url}/keys"

    def fail(self, conversation_id: str, status: int, times: int = 1, **headers: str) -> None:
        self.scripted.setdefault(conversation_id, []).extend([(status, headers)] * times)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/keys", self._keys)
        app.router.add_post("/teams/v3/conversations", self._create)
        app.router.add_post("/teams/v3/conversations/{cid}/activities", self._send)
        app.router.add_put("/teams/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/teams/v3/conversations/{cid}/members", self._members)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- the keys and tokens ----------------------------------------------------------------
    async def _keys(self, _: web.Request) -> web.Response:
        numbers = _KEY.public_key().public_numbers()
        return web.json_response(
            {
                "keys": [
                    {
                        "kty": "RSA",
                        "use": "sig",
                        "kid": KID,
                        "alg": "RS256",
                        "n": _b64(numbers.n),
                        "e": _b64(numbers.e),
                    }
                ]
            }
        )

    def token(
        self,
        *,
        aud: str = APP_ID,
        iss: str = BF_ISSUER,
        service_url: str | None = None,
        forged: bool = False,
        expired: bool = False,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": iss,
            "aud": aud,
            "serviceurl": service_url or self.service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now - 3600 if expired else now + 3600,
        }
        return jwt.encode(claims, _OTHER_KEY if forged else _KEY, algorithm="RS256", headers={"kid": KID})

    # --- the Bot Connector --------------------------------------------------------------------
    def _scripted(self, conversation_id: str | None) -> tuple[int, dict[str, str]] | None:
        queue = self.scripted.get(conversation_id or "")
        return queue.pop(0) if queue else None

    async def _record(
        self, request: web.Request, cid: str | None = None, aid: str | None = None
    ) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        scripted = self._scripted(cid)
        if scripted is None and cid is not None and ";messageid=" in cid:
            scripted = self._scripted(cid.split(";")[0])  # the bot is gone from the whole channel
        status, headers = scripted or (200, {})
        call = Call(
            request.method, request.path, body, status, request.headers.get("Authorization"), cid, aid
        )
        self.calls.append(call)
        if status >= 300:
            return web.json_response(
                {
                    "error": {
                        "code": "BotNotInConversationRoster" if status == 403 else "Error",
                        "message": "scripted",
                    }
                },
                status=status,
                headers=headers,
            )
        return web.json_response({"id": aid or f"act-{next(self._ids)}"}, status=status)

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record(request, request.match_info["cid"])

    async def _update(self, request: web.Request) -> web.Response:
        return await self._record(request, request.match_info["cid"], request.match_info["aid"])

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call("POST", request.path, body, 200, request.headers.get("Authorization")))
        member = body["members"][0]["id"]
        return web.json_response({"id": f"a:personal-{member}", "serviceUrl": self.service_url})

    async def _members(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        self.calls.append(Call("GET", request.path, {}, 200, request.headers.get("Authorization"), cid))
        return web.json_response(
            [{"id": u.teams_id, "name": u.name, "aadObjectId": u.aad} for u in self.members.get(cid, [])]
        )

    def sent(self, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method in ("POST", "PUT") and "/activities" in c.path]


class Teams:
    """Teams' side of /api/messages: activities as Teams sends them, signed."""

    def __init__(self, service: FakeBotService, bot_url: str, session: ClientSession) -> None:
        self.service = service
        self.bot_url = bot_url
        self.session = session
        self._ids = itertools.count(1_700_000_000_000)

    def activity(
        self,
        user: User,
        text: str | None,
        channel: Channel | None = None,
        *,
        mention: bool = True,
        value: dict[str, Any] | None = None,
        activity_id: str | None = None,
        extra_mentions: tuple[User, ...] = (),
        reply_to: str | None = None,
    ) -> dict[str, Any]:
        aid = activity_id or str(next(self._ids))
        entities: list[dict[str, Any]] = []
        if channel is not None and mention and text is not None:
            text = f"<at>Leerteam</at> {text}"
            entities.append(
                {
                    "type": "mention",
                    "text": "<at>Leerteam</at>",
                    "mentioned": {"id": BOT_ID, "name": "Leerteam"},
                }
            )
        for other in extra_mentions:
            entities.append(
                {
                    "type": "mention",
                    "text": f"<at>{other.name}</at>",
                    "mentioned": {"id": other.teams_id, "name": other.name, "aadObjectId": other.aad},
                }
            )
        data: dict[str, Any] = {
            "type": "message",
            "id": aid,
            "channelId": "msteams",
            "serviceUrl": self.service.service_url,
            "timestamp": datetime.now(timezone.utc).isoformat(),
            "locale": user.locale,
            "from": {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad},
            "recipient": {"id": BOT_ID, "name": "Leerteam"},
        }
        if text is not None:
            data["text"] = text
        if entities:
            data["entities"] = entities
        if value is not None:
            data["value"] = value
        if reply_to:
            data["replyToId"] = reply_to
        if channel is None:
            data["conversation"] = {
                "id": f"a:personal-{user.teams_id}",
                "conversationType": "personal",
                "tenantId": TENANT,
            }
            data["channelData"] = {"tenant": {"id": TENANT}}
        else:
            data["conversation"] = {
                "id": f"{channel.id};messageid={aid}",
                "conversationType": "channel",
                "isGroup": True,
                "tenantId": TENANT,
            }
            data["channelData"] = {
                "team": {"id": channel.team_id},
                "tenant": {"id": TENANT},
                "channel": {"id": channel.id, "name": channel.name},
            }
        return data

    async def post(self, activity: dict[str, Any], *, token: str | None = "valid") -> tuple[int, list[Call]]:
        """POST to /api/messages; returns the HTTP status and the connector calls it caused."""
        before = len(self.service.calls)
        headers = {}
        if token == "valid":
            token = self.service.token()
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        async with self.session.post(
            self.bot_url, data=json.dumps(activity), headers={"Content-Type": "application/json", **headers}
        ) as response:
            status = response.status
        return status, self.service.calls[before:]

    async def say(self, user: User, text: str, channel: Channel | None = None, **kw: Any) -> list[Call]:
        status, calls = await self.post(self.activity(user, text, channel, **kw))
        assert status in (200, 201, 202), status
        return calls

    async def submit(
        self, user: User, value: dict[str, Any], channel: Channel | None = None, **kw: Any
    ) -> list[Call]:
        status, calls = await self.post(self.activity(user, None, channel, value=value, **kw))
        assert status in (200, 201, 202), status
        return calls
