"""The Telegram transport's HTTP layer (bot/transports/telegram/request.py): python-telegram-bot's
Bot API methods over aiohttp, against a small Bot API stand-in on 127.0.0.1. What PTB relies on
from its request class: the parameters arrive as Telegram reads them (a form; files as multipart),
Telegram's answers and errors come back to PTB unchanged (so RetryAfter, Forbidden … still reach
the outcome mapping), and a slow or absent server becomes TimedOut or NetworkError."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.transports.telegram.request import AiohttpRequest
from tests.harness import free_port

TOKEN = "4242:request-test"
KEYBOARD = {"inline_keyboard": [[{"text": "Ja", "callback_data": "poll 1"}]]}
ME = {"id": 4242, "is_bot": True, "first_name": "Leerteam", "username": "leerteam_bot"}


def _message(chat_id: int, text: str | None = None, photo: bool = False) -> dict[str, Any]:
    msg: dict[str, Any] = {"message_id": 7, "date": 1_760_000_000, "chat": {"id": chat_id, "type": "group",
                                                                           "title": "Groep 5"}}
    if text is not None:
        msg["text"] = text
    if photo:
        msg["photo"] = [{"file_id": "f1", "file_unique_id": "u1", "width": 10, "height": 10}]
    return msg


class BotApi:
    """Answers like Telegram; remembers what each call carried."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.hosts: list[str] = []  # the host each request was for (a proxy sees the real one)
        self.slow = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        fields: dict[str, Any] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                fields[part.name] = (part.filename, await part.read()) if part.filename else await part.text()
        else:
            fields = dict(await request.post())
        self.calls.append((method, request.content_type, fields))
        self.hosts.append(request.host.split(":")[0])
        if self.slow:
            await asyncio.sleep(self.slow)
        if method == "getMe":
            return web.json_response({"ok": True, "result": ME})
        chat_id = int(fields.get("chat_id", 0))
        if chat_id == -429:
            return web.json_response({"ok": False, "error_code": 429, "description": "Too Many Requests",
                                      "parameters": {"retry_after": 3}}, status=429)
        if chat_id == -403:
            kicked = "Forbidden: bot was kicked from the group chat"
            return web.json_response({"ok": False, "error_code": 403, "description": kicked}, status=403)
        if method == "sendPhoto":
            return web.json_response({"ok": True, "result": _message(chat_id, photo=True)})
        return web.json_response({"ok": True, "result": _message(chat_id, fields.get("text"))})


@pytest.fixture
async def api():
    fake = BotApi()
    server = web.Application()
    server.router.add_post("/bot{token}/{method}", fake.handle)
    runner = web.AppRunner(server)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake.url = f"http://127.0.0.1:{port}/bot"  # type: ignore[attr-defined]
    try:
        yield fake
    finally:
        await runner.cleanup()


TEXT = "<b>Overleg</b> morgen: één & twee = 3+1 ≠ 5% 😀"  # what a form must encode: & = + % and beyond ASCII


def _bot(base_url: str, **kw: Any) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=AiohttpRequest(**kw),
               get_updates_request=AiohttpRequest(pool_size=1))


async def test_send_message_arrives_as_telegram_reads_it(api):
    async with _bot(api.url) as bot:
        sent = await bot.send_message(-100, TEXT, parse_mode="HTML", reply_markup=KEYBOARD)
    assert sent.message_id == 7 and sent.text == TEXT
    method, content_type, fields = api.calls[-1]
    assert (method, content_type) == ("sendMessage", "application/x-www-form-urlencoded")
    assert fields["chat_id"] == "-100" and fields["parse_mode"] == "HTML" and fields["text"] == TEXT
    assert json.loads(fields["reply_markup"]) == KEYBOARD


async def test_a_file_goes_as_multipart(api):
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    async with _bot(api.url) as bot:
        sent = await bot.send_photo(-100, png, caption="Digest", filename="digest.png")
    assert sent.photo
    method, content_type, fields = api.calls[-1]
    assert method == "sendPhoto" and content_type.startswith("multipart/form-data")
    assert fields["caption"] == "Digest" and fields["chat_id"] == "-100"
    (name, body), = [v for v in fields.values() if isinstance(v, tuple)]
    assert name == "digest.png" and body == png


async def test_telegrams_errors_reach_ptb_unchanged(api):
    async with _bot(api.url) as bot:
        with pytest.raises(RetryAfter) as slow_down:
            await bot.send_message(-429, "x")
        with pytest.raises(Forbidden, match="kicked"):
            await bot.send_message(-403, "x")
    assert slow_down.value.retry_after in (3, timedelta(seconds=3))  # seconds, or a timedelta if asked


async def test_a_slow_server_is_a_timeout_and_no_server_a_network_error(api):
    async with _bot(api.url) as bot:
        api.slow = 1.0
        with pytest.raises(TimedOut):
            await bot.send_message(-100, "x", read_timeout=0.2)
        api.slow = 0.0
        assert (await bot.send_message(-100, "weer goed")).text == "weer goed"  # the session survives
    nobody = f"http://127.0.0.1:{free_port()}/bot"
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"{nobody}{TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_shut_down_and_started_again(api):
    request = AiohttpRequest()
    bot = Bot(TOKEN, base_url=api.url, request=request, get_updates_request=AiohttpRequest(pool_size=1))
    async with bot:
        await bot.send_message(-100, "een")
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{api.url}{TOKEN}/getMe", "POST")
    async with bot:  # PTB initializes its requests again
        assert (await bot.send_message(-100, "twee")).text == "twee"


async def test_a_proxy_from_the_environment_is_used_as_httpx_did(api, monkeypatch):
    """Schools behind a proxy set HTTPS_PROXY/HTTP_PROXY: PTB's default (httpx) honoured it, and so
    must the aiohttp layer. The stand-in answers as the proxy here; the Bot API's host does not exist."""
    proxy = api.url.rsplit("/bot", 1)[0]
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("http_proxy", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with _bot("http://api.telegram.invalid/bot") as bot:
        assert (await bot.send_message(-100, "via de proxy")).text == "via de proxy"
    assert api.calls[-1][0] == "sendMessage" and api.hosts[-1] == "api.telegram.invalid"
