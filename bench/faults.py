"""Fault row — SIGKILL during a reminder fan-out, then restart: duplicates, losses, recovery.

``python -m bench.faults [--teams 300] [--kills 5] [--seed 1]`` builds ``teams`` teams whose
hour-before reminders fall due at once (the world of :mod:`bench.fanout`), starts the fake Bot
API (:mod:`bench.fake_telegram`, Telegram's limits, 50 ms round trip), then runs the real bot
(Clockwork with the shipped tick, the leased outbox, PTB with its rate limiter) in a child
process and kills it with SIGKILL at a random moment while it sends, ``kills`` times, before a
last run that is left to finish. The bot's clock runs in real time from the moment the
reminders fell due (one time line across the restarts), so leases expire as they would.

Reported: kills, duplicates (a group that got its reminder more than once), losses (a group
that never got it), HTTP 429 answers, and the seconds from the last restart until the last
reminder the fake accepted. SQLite, one process at a time. ``--kills 0 --latency-ms 8000``: a
platform that answers every send after 8 s (waited for, not sent again).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import ROOT
from bench.fanout import DUE, TOKEN, FanoutConfig, _env, _start_fake, _stats, _stop_fake, prepare


class RunningClock:
    """Real time, starting at DUE when the whole run started (shared by every restart)."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0

    def now(self) -> datetime:
        return DUE + timedelta(seconds=time.time() - self.t0)


async def child(url: str, api_port: int, t0: float, timeout: float) -> None:
    """The bot until nothing due is left open (or ``timeout``)."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from bench.common import settings_for
    from bot.app import Leerteam
    from bot.core.config import Settings
    from bot.core.outbox import Clockwork
    from bot.transports.telegram.application import build_application
    from storage.models import Outbox

    shipped = Settings.model_fields["tick_seconds"].default
    settings = settings_for(url, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE=f"http://127.0.0.1:{api_port}/bot",
                            LEERTEAM_TICK_SECONDS=shipped)
    app = Leerteam(settings, clock=RunningClock(t0))
    application, _bridge = build_application(app, settings)
    await application.initialize()
    ticks = 0
    real_tick = app.tick

    async def counted(now: datetime | None = None) -> Any:
        nonlocal ticks
        report = await real_tick(now)
        ticks += 1
        return report

    app.tick = counted
    clockwork = Clockwork(app, settings.tick_seconds)
    clockwork.start()
    started = time.time()
    try:
        while time.time() - started < timeout:
            await asyncio.sleep(0.5)
            if not ticks:
                continue
            async with app.sessions() as session:
                open_rows = (await session.exec(select(func.count()).select_from(Outbox).where(
                    col(Outbox.status).in_(("pending", "sending")), col(Outbox.due_at) <= app.clock.now()))).one()
            if not open_rows:
                break
    finally:
        await clockwork.stop()
        await application.shutdown()
        await app.close()


def bench_faults(teams: int, kills: int, seed: int, timeout: float = 240.0,
                 latency_ms: float = 50.0) -> dict[str, Any]:
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="leerteam-faults-"))
    url = f"sqlite:///{folder / 'faults.db'}"
    cfg = FanoutConfig(teams=teams, latency_ms=latency_ms)
    world = asyncio.run(prepare(url, cfg))
    fake, port = _start_fake(cfg)
    t0 = time.time()
    cmd = [sys.executable, "-m", "bench.faults", "--child", "--db", url, "--api-port", str(port), "--t0", str(t0)]
    killed_at: list[float] = []
    try:
        for _ in range(kills):
            proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            before = _stats(port)["delivered"]
            deadline = time.time() + 60
            while _stats(port)["delivered"] == before and time.time() < deadline and proc.poll() is None:
                time.sleep(0.05)  # wait until it is sending
            time.sleep(rng.uniform(0.0, 2.0))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            killed_at.append(time.time() - t0)
        last_start = time.time()
        final = subprocess.run(cmd + ["--timeout", str(timeout)], cwd=ROOT, env=_env(), capture_output=True,
                               text=True, timeout=timeout + 60)
        if final.returncode != 0:
            raise RuntimeError(f"the last bot run failed: {final.stderr[-2000:]}")
        stats = _stats(port)
    finally:
        _stop_fake(fake)
    by_chat: dict[str, int] = stats["by_chat"]
    expected = set(world["chats"])
    return {
        "database": "sqlite", "teams": teams, "kills": kills, "latency_ms": latency_ms, "killed_at_s": [round(k, 1) for k in killed_at],
        "delivered": stats["delivered"], "duplicates": sum(n - 1 for c, n in by_chat.items() if n > 1 and c in expected),
        "losses": len(expected - set(by_chat)), "refused_429": stats["refused_429"],
        "seconds_after_last_restart": round(stats["last_at"] - last_start, 1) if stats["last_at"] else None,
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--db")
    parser.add_argument("--api-port", type=int)
    parser.add_argument("--t0", type=float)
    parser.add_argument("--timeout", type=float, default=240.0)
    parser.add_argument("--teams", type=int, default=300)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=50.0, help="the fake's round trip (8000: a slow answer)")
    args = parser.parse_args(argv)
    if args.child:
        asyncio.run(child(args.db, args.api_port, args.t0, args.timeout))
        return
    print(json.dumps(bench_faults(args.teams, args.kills, args.seed, latency_ms=args.latency_ms), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
