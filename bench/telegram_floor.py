"""The Telegram transport's own CPU per message, without the rest of Leerteam's work: what row 2's
"bot CPU per reminder" cannot go below on this machine.

Sends ``n`` ready-made messages straight through :class:`TelegramTransport` (its HTML rendering,
python-telegram-bot with its ``AIORateLimiter``, and the HTTP layer the bot ships with —
aiohttp, bot/transports/telegram/request.py) to :mod:`bench.fake_telegram` on 127.0.0.1, four
at a time as the outbox does, and divides the process's CPU time by ``n``. Run:
``.venv/bin/python -m bench.telegram_floor [n]``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench.common import settings_for
from bench.fanout import TOKEN, FanoutConfig, _cpu_seconds, _start_fake


async def _measure(port: int, n: int, db: Path) -> dict[str, float]:
    from bot.app import Leerteam
    from bot.core.delivery import Address, Outgoing
    from bot.core.replies import Text
    from bot.transports.telegram.application import build_application

    settings = settings_for(f"sqlite:///{db}", TELEGRAM_BOT_TOKEN=TOKEN,
                            TELEGRAM_API_BASE=f"http://127.0.0.1:{port}/bot")
    app = Leerteam(settings)
    await app.migrate()
    application, _ = build_application(app, settings)
    await application.initialize()
    transport = app.transports["telegram"]
    body = "Herinnering: overleg Groep 5 morgen, dinsdag 8 september 2026, om 15:30 (60 minuten)\n" * 4
    window = asyncio.Semaphore(4)

    async def one(i: int) -> None:
        async with window:
            await transport.send(Outgoing(Address("telegram", str(-1_000_000 - i), None, False, None), "nl",
                                          Text(body)))

    cpu, wall = _cpu_seconds(), time.time()
    await asyncio.gather(*(one(i) for i in range(n)))
    cpu, wall = _cpu_seconds() - cpu, time.time() - wall
    await application.shutdown()
    await app.close()
    return {"messages": n, "cpu_ms_per_message": cpu / n * 1000, "seconds": wall}


def telegram_floor(n: int = 300) -> dict[str, float]:
    fake, port = _start_fake(FanoutConfig(rate=100_000, group_per_minute=1_000, latency_ms=5))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return asyncio.run(_measure(port, n, Path(tmp) / "floor.db"))
    finally:
        fake.terminate()
        fake.wait(timeout=10)


if __name__ == "__main__":
    result = telegram_floor(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
    print(f"the Telegram transport alone: {result['cpu_ms_per_message']:.1f} ms CPU per message "
          f"({result['messages']} messages, {result['seconds']:.1f} s)")
