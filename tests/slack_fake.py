"""Slack, played locally for the Slack transport's tests.

:class:`FakeSlackAPI` is a Web API on 127.0.0.1 that records every call (method, parameters,
HTTP status, time) and answers like Slack does; it can be told to answer 429 with ``Retry-After``
or an error such as ``not_in_channel``, and it also takes file uploads, ``response_url`` posts
and a Socket Mode WebSocket. :class:`SlackSender` is Slack's side of the HTTP Events API: it sends
correctly signed (or deliberately badly signed) slash commands, interactions and events.
No test reaches the internet: every address is 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlencode

from aiohttp import ClientSession, WSMsgType, web

TEAM = "T0SCHOOL"
OTHER_TEAM = "T0ELSEWHERE"
BOT_USER = "U0LEERTEAM"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int
    at: float
    ok: bool = True
    response: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.params.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    @property
    def all_text(self) -> str:
        """Every piece of text the call would show: ``text`` and all text in its blocks."""
        parts = [str(self.params.get("text") or "")]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "text" and isinstance(value, str):
                        parts.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.blocks)
        view = self.params.get("view")
        walk(json.loads(view) if isinstance(view, str) else view)
        return "\n".join(parts)


@dataclass
class Scripted:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


class FakeSlackAPI:
    def __init__(self, team_id: str = TEAM) -> None:
        self.team_id = team_id
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.outside: set[str] = set()  # channels the app was never invited to (or was removed from)
        self.scripted: dict[str, list[Scripted]] = {}
        self.socket_sent: list[dict[str, Any]] = []  # envelopes acknowledged by the app
        self._socket: web.WebSocketResponse | None = None
        self._socket_ready = asyncio.Event()
        self._numbers = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- set-up ---------------------------------------------------------------------------
    async def start(self) -> "FakeSlackAPI":
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_get("/socket", self._websocket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self) -> str:
        return f"{self.url}/response/{uuid.uuid4().hex[:12]}"

    def add_user(self, user_id: str, name: str, real_name: str | None = None, *, display_name: str = "",
                 team_id: str | None = None, locale: str = "nl-NL") -> None:
        real = real_name or name.capitalize()
        self.users[user_id] = {
            "id": user_id, "team_id": team_id or self.team_id, "name": name, "real_name": real,
            "deleted": False, "is_bot": False, "locale": locale,
            "profile": {"display_name": display_name, "real_name": real},
        }

    def fail(self, method: str, status: int = 429, headers: dict[str, str] | None = None,
             body: dict[str, Any] | None = None, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` get this answer instead of the normal one."""
        answer = Scripted(status, headers if headers is not None else {"Retry-After": "1"},
                          body if body is not None else {"ok": False, "error": "ratelimited"})
        self.scripted.setdefault(method, []).extend([answer] * times)

    def error(self, method: str, error: str, times: int = 1) -> None:
        self.fail(method, 200, {}, {"ok": False, "error": error}, times)

    # --- reading the record ---------------------------------------------------------------
    def of(self, *methods: str, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method in methods and (c.ok or not ok_only)]

    def messages(self) -> list[Call]:
        """Everything that showed a message to someone."""
        return self.of("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url")

    def said(self) -> str:
        return "\n".join(c.all_text for c in self.messages())

    # --- the Web API ----------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        queue = self.scripted.get(method)
        if queue:
            answer = queue.pop(0)
            self.calls.append(Call(method, params, answer.status, time.monotonic(), ok=bool(answer.body.get("ok"))))
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        body = self._answer(method, params)
        self.calls.append(Call(method, params, 200, time.monotonic(), ok=bool(body.get("ok")), response=body))
        return web.json_response(body)

    def _ts(self) -> str:
        return f"1788768000.{next(self._numbers):06d}"

    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "team_id": self.team_id, "team": "De Regenboog", "user_id": BOT_USER,
                    "bot_id": "B0LEERTEAM", "user": "leerteam", "url": "https://regenboog.example/"}
        if method == "users.info":
            user = self.users.get(str(p.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method in ("chat.postMessage", "chat.postEphemeral") and str(p.get("channel")) in self.outside:
            return {"ok": False, "error": "channel_not_found" if method == "chat.postEphemeral" else "not_in_channel"}
        if method == "conversations.info":
            inside = str(p.get("channel")) not in self.outside  # outside: a private channel without the app
            return {"ok": True, "channel": {"id": p.get("channel"), "is_archived": False, "is_private": not inside,
                                            "is_member": inside}}
        if method == "chat.postMessage":
            channel = str(p.get("channel"))
            if channel[:1] in "UW":
                channel = "D" + channel[1:]
            return {"ok": True, "channel": channel, "ts": self._ts(), "message": {"text": p.get("text")}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._ts()}
        if method == "chat.update":
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")}
        if method == "conversations.open":
            user = str(p.get("users")).split(",")[0]
            return {"ok": True, "channel": {"id": "D" + user[1:]}}
        if method in ("views.open", "views.publish"):
            return {"ok": True, "view": {"id": f"V{next(self._numbers):06d}"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._numbers):06d}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = p.get("files")
            files = json.loads(files) if isinstance(files, str) else files
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files or []]}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http://", "ws://") + "/socket"}
        return {"ok": True}

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"], "data": data},
                               200, time.monotonic()))
        return web.Response(text=f"OK - {len(data)}")

    async def _response_url(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json(), 200, time.monotonic()))
        return web.Response(text="ok")

    # --- Socket Mode ----------------------------------------------------------------------
    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._socket = ws
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0LEERTEAM"}})
        self._socket_ready.set()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.socket_sent.append(json.loads(msg.data))
        return ws

    async def socket_send(self, envelope: dict[str, Any], timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._socket_ready.wait(), timeout)
        assert self._socket is not None
        await self._socket.send_json(envelope)


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SlackSender:
    """Slack's side of the HTTP Events API: signed requests to the app under test."""

    url: str
    api: FakeSlackAPI
    session: ClientSession = field(default_factory=ClientSession)
    team: str = TEAM
    last_trigger: str = ""

    async def close(self) -> None:
        await self.session.close()

    async def post(self, body: str, content_type: str, *, timestamp: int | None = None,
                   secret: str = SECRET, signature: str | None = None,
                   headers: dict[str, str] | None = None) -> tuple[int, str]:
        ts = int(time.time()) if timestamp is None else timestamp
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts),
                       "X-Slack-Signature": signature if signature is not None else sign(body, ts, secret),
                       **(headers or {})}
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as resp:
            return resp.status, await resp.text()

    def trigger(self) -> str:
        self.last_trigger = f"{next(_triggers)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:16]}"
        return self.last_trigger

    def command_body(self, text: str, *, user: str, channel: str, channel_name: str | None = None,
                     trigger_id: str | None = None, team: str | None = None, command: str = "/leerteam") -> str:
        fields = {
            "token": "legacy", "team_id": team or self.team, "team_domain": "regenboog",
            "channel_id": channel, "channel_name": channel_name or ("directmessage" if channel[0] == "D" else channel.lower()),
            "user_id": user, "user_name": self.api.users.get(user, {}).get("name", user.lower()),
            "command": command, "text": text, "api_app_id": "A0LEERTEAM", "is_enterprise_install": "false",
            "response_url": self.api.response_url(), "trigger_id": trigger_id or self.trigger(),
        }
        return urlencode(fields)

    async def command(self, text: str, *, user: str, channel: str, **kw: Any) -> tuple[int, str]:
        headers = kw.pop("headers", None)
        signing = {k: kw.pop(k) for k in ("timestamp", "secret", "signature") if k in kw}
        return await self.post(self.command_body(text, user=user, channel=channel, **kw),
                               "application/x-www-form-urlencoded", headers=headers, **signing)

    def action_body(self, *, user: str, channel: str | None, action_id: str, value: str,
                    message_ts: str = "1788768000.000001", view: bool = False, team: str | None = None,
                    user_team: str | None = None, trigger_id: str | None = None) -> str:
        container: dict[str, Any] = (
            {"type": "view", "view_id": "V0HOME"} if view
            else {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False})
        payload = {
            "type": "block_actions", "team": {"id": team or self.team, "domain": "regenboog"},
            "user": {"id": user, "username": self.api.users.get(user, {}).get("name", ""),
                     "team_id": user_team or team or self.team},
            "api_app_id": "A0LEERTEAM", "token": "legacy", "container": container,
            "trigger_id": trigger_id or self.trigger(),
            "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value,
                         "action_ts": f"{time.time():.6f}"}],
        }
        if not view:
            payload["channel"] = {"id": channel, "name": "directmessage" if str(channel)[0] == "D" else "groep"}
            payload["response_url"] = self.api.response_url()
        return urlencode({"payload": json.dumps(payload)})

    async def action(self, **kw: Any) -> tuple[int, str]:
        signing = {k: kw.pop(k) for k in ("timestamp", "secret", "signature") if k in kw}
        return await self.post(self.action_body(**kw), "application/x-www-form-urlencoded", **signing)

    async def submit(self, *, user: str, view: dict[str, Any], text: str, view_id: str = "V0ANSWER",
                     team: str | None = None) -> tuple[int, str]:
        """Submit the modal the app opened (``view`` as sent to views.open) with ``text`` typed in."""
        block = next(b for b in view["blocks"] if b["type"] == "input")
        action_id = block["element"]["action_id"]
        payload = {
            "type": "view_submission", "team": {"id": team or self.team, "domain": "regenboog"},
            "user": {"id": user, "team_id": team or self.team}, "api_app_id": "A0LEERTEAM",
            "trigger_id": self.trigger(),
            "view": {"id": view_id, "type": "modal", "callback_id": view["callback_id"],
                     "private_metadata": view.get("private_metadata", ""), "hash": "h1",
                     "state": {"values": {block["block_id"]: {action_id: {"type": "plain_text_input", "value": text}}}}},
            "response_urls": [],
        }
        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def event_body(self, event: dict[str, Any], *, event_id: str | None = None, team: str | None = None) -> str:
        return json.dumps({
            "token": "legacy", "team_id": team or self.team, "api_app_id": "A0LEERTEAM", "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
            "event": event, "authorizations": [{"team_id": self.team, "user_id": BOT_USER, "is_bot": True}],
        })

    async def event(self, event: dict[str, Any], *, event_id: str | None = None,
                    headers: dict[str, str] | None = None, **kw: Any) -> tuple[int, str]:
        return await self.post(self.event_body(event, event_id=event_id, **kw), "application/json", headers=headers)


_triggers = itertools.count(1_000_000)


async def wait_until(condition: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
    """Poll ``condition`` until it holds, for at most ``timeout`` seconds (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
