"""Why the Telegram transport keeps its pace in steps: the same work costs more CPU spread out.

Three measurements, each as CPU per round (or per message), done back to back, then with the
pauses a 30-messages-a-second pace puts between them:

1. a plain Python loop (JSON and dicts, no I/O): back to back, one round every 33 ms (a leaky
   bucket's pace), and three rounds every 100 ms (the steps of ``bot/transports/telegram/pace.py``);
2. the Telegram transport alone (``bench.telegram_floor``) with python-telegram-bot's own
   ``AIORateLimiter`` (a leaky bucket: one message every 33 ms once its first second's 30 are
   out), with the bot's :class:`~bot.transports.telegram.pace.PacedRateLimiter` (three every
   100 ms), and with no overall limit at all (one burst).

Not part of ``python -m bench``: it explains row 2, it is not one. Run:
``.venv/bin/python -m bench.pace_tax [messages]`` (about two minutes with the default 600).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import Any

ROUNDS = 600


def _work() -> int:
    """About half a millisecond of ordinary Python: building and encoding small dicts."""
    out = {}
    for i in range(300):
        out[str(i)] = json.dumps({"a": i, "b": [i, i + 1]})
    return len(out)


async def _loop(rounds: int, per_wake: int, pause: float) -> float:
    began = time.process_time()
    for i in range(rounds):
        _work()
        if (i + 1) % per_wake == 0:
            await asyncio.sleep(pause)
    return (time.process_time() - began) / rounds * 1000


def plain_loop(rounds: int = ROUNDS) -> dict[str, float]:
    return {
        "back_to_back": asyncio.run(_loop(rounds, 1, 0)),
        "one_every_33ms": asyncio.run(_loop(rounds, 1, 1 / 30)),
        "three_every_100ms": asyncio.run(_loop(rounds, 3, 0.1)),
    }


def _with_limiter(make: Callable[[int], Any], messages: int) -> dict[str, Any]:
    """``bench.telegram_floor`` with the bot built on the limiter ``make`` returns (named in the
    result as ``limiter``), then the shipped one put back."""
    from bench import telegram_floor
    from bot.transports.telegram import application

    built: list[Any] = []

    def making(max_retries: int) -> Any:
        built.append(make(max_retries))
        return built[-1]

    shipped = application.PacedRateLimiter
    application.PacedRateLimiter = making  # type: ignore[assignment,misc]
    try:
        return {**telegram_floor.telegram_floor(messages), "limiter": built}
    finally:
        application.PacedRateLimiter = shipped  # type: ignore[misc]


def transport(messages: int = ROUNDS) -> dict[str, dict[str, Any]]:
    from telegram.ext import AIORateLimiter

    from bot.transports.telegram.pace import PacedRateLimiter

    def bucket(max_retries: int) -> AIORateLimiter:
        return AIORateLimiter(max_retries=max_retries)

    return {
        "ptb_leaky_bucket": _with_limiter(bucket, messages),
        "steps_of_three": _with_limiter(PacedRateLimiter, messages),
        "one_burst": _with_limiter(
            lambda max_retries: AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=max_retries),
            messages),
    }


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    loop = plain_loop(n)
    print("a plain Python loop, CPU per round: " + ", ".join(f"{k.replace('_', ' ')} {v:.2f} ms"
                                                              for k, v in loop.items()))
    for name, result in transport(n).items():
        print(f"the Telegram transport, {name.replace('_', ' ')}: {result['cpu_ms_per_message']:.2f} ms CPU "
              f"per message ({result['seconds']:.1f} s), with each outcome recorded "
              f"{result['with_outcome_cpu_ms_per_message']:.2f} ms")
