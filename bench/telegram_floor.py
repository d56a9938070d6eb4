"""The Telegram transport's own CPU per message, without the rest of Leerteam's work: what row 2's
"bot CPU per reminder" cannot go below on this machine.

Sends ``n`` ready-made messages straight through :class:`TelegramTransport` (its HTML rendering,
python-telegram-bot with its paced ``AIORateLimiter``, and the HTTP layer the bot ships with —
aiohttp, bot/transports/telegram/request.py) to :mod:`bench.fake_telegram` on 127.0.0.1, four
at a time as the outbox does, and divides the process's CPU time by ``n``; then the same sends
each followed by its outcome, committed (what exactly-once asks of every message). Run:
``.venv/bin/python -m bench.telegram_floor [n]``.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from bench.common import settings_for
from bench.fanout import TOKEN, FanoutConfig, _cpu_seconds, _start_fake, _stop_fake
from bot.core import lease
from storage.models import Outbox
from storage.queries import insert_ignore


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
    from bot.main import freeze_start_up

    freeze_start_up()  # as bot.main.run does before the bot serves
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

    # the same sends, each followed by what exactly-once asks of it: its outcome, committed on its
    # own right after the send (lease.Outcomes, as the drain writes it), on rows claimed beforehand
    claims = await _claimed_rows(app, n)
    outcomes = lease.Outcomes(app.sessions)

    async def one_recorded(i: int) -> None:
        await one(i)
        async with window:
            assert await outcomes.finish(claims[i], status="sent", sent_at=datetime.now(UTC))

    with_outcome = _cpu_seconds()
    await asyncio.gather(*(one_recorded(i) for i in range(n)))
    with_outcome = _cpu_seconds() - with_outcome
    await outcomes.close()
    await application.shutdown()
    await app.close()
    return {"messages": n, "cpu_ms_per_message": cpu / n * 1000, "seconds": wall,
            "with_outcome_cpu_ms_per_message": with_outcome / n * 1000}


async def _claimed_rows(app: Any, n: int) -> list[Any]:
    now = datetime.now(UTC)
    async with app.sessions() as session:
        await insert_ignore(session, Outbox, [{
            "dedupe_key": f"floor:{i}", "kind": "floor", "due_at": now, "status": "pending", "attempts": 0,
            "created_at": now, "claim_no": 0, "payload": {}} for i in range(n)], ["dedupe_key"])
        await session.commit()
        ids = [int(i) for i in (await session.exec(select(Outbox.id).order_by(col(Outbox.id)))).all()]
    return await lease.claim_many(app.sessions, ids, app.holder, now, now)


def telegram_floor(n: int = 300) -> dict[str, float]:
    fake, port = _start_fake(FanoutConfig(rate=100_000, group_per_minute=1_000, latency_ms=5))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return asyncio.run(_measure(port, n, Path(tmp) / "floor.db"))
    finally:
        gc.unfreeze()  # _measure froze its start, as the bot does
        _stop_fake(fake)


if __name__ == "__main__":
    result = telegram_floor(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
    print(f"the Telegram transport alone: {result['cpu_ms_per_message']:.1f} ms CPU per message "
          f"({result['messages']} messages, {result['seconds']:.1f} s); with each message's outcome "
          f"recorded: {result['with_outcome_cpu_ms_per_message']:.1f} ms")
