"""A local stand-in for the Telegram Bot API that enforces Telegram's flood limits.

``python -m bench.fake_telegram --rate 30 --group-per-minute 20 --latency-ms 50`` listens on
127.0.0.1 (a free port, printed as ``PORT <n>`` on the first line of stdout) and answers what
python-telegram-bot needs to send messages: ``getMe`` and ``sendMessage`` (anything else gets
``{"ok": true, "result": true}``).

Limits, as Telegram documents them for bots: about ``rate`` messages per second overall and
``group_per_minute`` per group. Each is a token bucket (it holds one second's — or one
minute's — worth, and refills steadily); the bot's own pace (three messages every tenth of a
second, ``bot/transports/telegram/pace.py``) stays within it. A message beyond a limit is
refused the way Telegram refuses it: HTTP 429,
``{"ok": false, "error_code": 429, "parameters": {"retry_after": <whole seconds>}}``, and it is
not delivered. ``latency_ms`` is a round trip's network time (half before the server sees the
request, half after), as a bot in Europe sees the real Bot API.

``GET /stats`` returns what was delivered (per chat, with times) and how often it said 429.
It runs in its own process so that it does not share the bot's event loop or CPU core.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from typing import Any

from aiohttp import web


class Bucket:
    def __init__(self, capacity: float, per_second: float) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self.level = capacity
        self.at = time.monotonic()

    def take(self, now: float) -> float:
        """0 when a token was taken, else the seconds until one will be there."""
        self.level = min(self.capacity, self.level + (now - self.at) * self.per_second)
        self.at = now
        if self.level >= 1:
            self.level -= 1
            return 0.0
        return (1 - self.level) / self.per_second


class FakeBotApi:
    def __init__(self, rate: float, group_per_minute: float, latency_ms: float) -> None:
        self.rate = rate
        self.group_per_minute = group_per_minute
        self.latency = latency_ms / 1000
        self.overall = Bucket(rate, rate) if rate > 0 else None
        self.groups: dict[str, Bucket] = {}
        self.delivered: list[tuple[float, str, int]] = []  # (wall time, chat id, text length)
        self.refused = 0
        self.requests = 0
        self.message_ids = 0

    def _limit(self, chat_id: str) -> float:
        now = time.monotonic()
        if chat_id.startswith("-") and self.group_per_minute > 0:
            bucket = self.groups.setdefault(chat_id, Bucket(self.group_per_minute, self.group_per_minute / 60))
            wait = bucket.take(now)
            if wait:
                return wait
        if self.overall is not None:
            wait = self.overall.take(now)
            if wait:
                if chat_id in self.groups:  # the group's token was not used after all
                    self.groups[chat_id].level += 1
                return wait
        return 0.0

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        method = request.match_info["method"]
        if self.latency:
            await asyncio.sleep(self.latency / 2)
        result: Any = True
        if method == "getMe":
            result = {"id": 4242, "is_bot": True, "first_name": "Leerteam", "username": "leerteam_bench_bot",
                      "can_join_groups": True, "can_read_all_group_messages": False,
                      "supports_inline_queries": False}
        elif method == "sendMessage":
            form = await _params(request)
            chat_id = str(form.get("chat_id", ""))
            wait = self._limit(chat_id)
            if wait:
                self.refused += 1
                seconds = max(1, math.ceil(wait))
                if self.latency:
                    await asyncio.sleep(self.latency / 2)
                return web.json_response({"ok": False, "error_code": 429,
                                          "description": f"Too Many Requests: retry after {seconds}",
                                          "parameters": {"retry_after": seconds}}, status=429)
            text = str(form.get("text", ""))
            self.delivered.append((time.time(), chat_id, len(text)))
            self.message_ids += 1
            chat_type = "group" if chat_id.startswith("-") else "private"
            result = {"message_id": self.message_ids, "date": int(time.time()),
                      "chat": {"id": int(chat_id or 0), "type": chat_type, "title": f"chat {chat_id}"},
                      "text": text}
        if self.latency:
            await asyncio.sleep(self.latency / 2)
        return web.json_response({"ok": True, "result": result})

    async def stats(self, request: web.Request) -> web.Response:
        by_chat: dict[str, int] = {}
        for _, chat, _ in self.delivered:
            by_chat[chat] = by_chat.get(chat, 0) + 1
        times = [t for t, _, _ in self.delivered]
        per_second: list[int] = []
        for t in times:  # deliveries in each second since the first one
            i = int(t - times[0])
            per_second.extend([0] * (i + 1 - len(per_second)))
            per_second[i] += 1
        return web.json_response({
            "per_second": per_second,
            "requests": self.requests, "delivered": len(self.delivered), "refused_429": self.refused,
            "by_chat": by_chat, "first_at": min(times) if times else None, "last_at": max(times) if times else None,
            "rate": self.rate, "group_per_minute": self.group_per_minute, "latency_ms": self.latency * 1000,
        })

    async def reset(self, request: web.Request) -> web.Response:
        self.delivered.clear()
        self.refused = self.requests = 0
        return web.json_response({"ok": True})


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return dict(await request.json())
    if request.method == "POST":
        return {k: v for k, v in (await request.post()).items()}
    return dict(request.query)


def make_app(api: FakeBotApi) -> web.Application:
    app = web.Application()
    app.router.add_get("/stats", api.stats)
    app.router.add_post("/reset", api.reset)
    app.router.add_route("*", "/bot{token}/{method}", api.handle)
    return app


async def serve(rate: float, group_per_minute: float, latency_ms: float, port: int = 0) -> None:
    api = FakeBotApi(rate, group_per_minute, latency_ms)
    runner = web.AppRunner(make_app(api), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=30, help="messages per second overall (0: no limit)")
    parser.add_argument("--group-per-minute", type=float, default=20, help="messages per minute per group")
    parser.add_argument("--latency-ms", type=float, default=50, help="network round trip in milliseconds")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.rate, args.group_per_minute, args.latency_ms, args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
