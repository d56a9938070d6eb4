"""Rows 2 and 5 — reminder fan-out through the real Telegram path, and memory while it runs.

``teams`` teams (each its own Telegram group) have a meeting at the same minute. The bot runs
as in production — :class:`bot.core.outbox.Clockwork` ticking every ``LEERTEAM_TICK_SECONDS``
(the shipped default unless told otherwise), the durable outbox, :class:`TelegramTransport` on
python-telegram-bot with its paced ``AIORateLimiter`` (``bot/transports/telegram/pace.py``) —
except that the Bot API is :mod:`bench.fake_telegram` on 127.0.0.1, which enforces Telegram's flood limits (429 with
``retry_after`` beyond them) and adds a network round trip. The clock is frozen at the moment
the hour-before reminders fall due, so the run does not depend on the time of day.

Measured: the time from the first tick to the last message the fake accepted, against the
least the limit allows (``teams / rate``); duplicates (a group that got the reminder twice) and
losses (a group that never got it) as the fake counts them; and the bot process's resident
memory: after start-up (bot, PTB, catalogs, database idle) and its peak while it fans out.

The bot runs in a child process (``python -m bench.fanout --child …``) so that its memory is
its own and the fake Bot API has the other core.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from bench.common import ROOT, rss_kib

DUE = datetime(2026, 9, 15, 12, 30, 5, tzinfo=timezone.utc)  # Tue 15 Sep 2026, 14:30 in Amsterdam
PLANNED_AT = DUE - timedelta(minutes=1)
TOKEN = "4242:bench-token"


@dataclass
class FanoutConfig:
    teams: int = 2000
    rate: float = 30.0  # messages/s overall, Telegram's documented limit
    group_per_minute: float = 20.0
    latency_ms: float = 50.0
    tick_seconds: int | None = None  # None: the shipped default (LEERTEAM_TICK_SECONDS)
    members: int = 5
    timeout: float = 400.0


async def prepare(url: str, cfg: FanoutConfig) -> dict[str, Any]:
    """A migrated database with the teams, their rhythms and eight weeks of planned meetings."""
    from bench.world import build_teams, fix_sequences, plan_meetings
    from storage.db import create_engine
    from storage.migrate import upgrade

    engine = create_engine(url)
    try:
        await upgrade(engine)
        started = time.perf_counter()
        world = await build_teams(engine, cfg.teams, members=cfg.members, at=PLANNED_AT, weekday=1,
                                  local_time="15:30")
        await fix_sequences(engine)
        meetings = await plan_meetings(engine, PLANNED_AT)
    finally:
        await engine.dispose()
    settled = await settle(url, DUE - timedelta(minutes=2))
    return {"teams": len(world.teams), "chats": list(world.chats.values()), "meetings_planned": meetings,
            "settled": settled, "seconds": time.perf_counter() - started}


async def settle(url: str, at: datetime) -> dict[str, int]:
    """Steady state: the bot has been running until ``at``. One planning pass of the real clock
    there, and whatever it queued counts as sent (the day-before reminders, and work of other
    capabilities that a newly generated world would otherwise all owe at once, such as a first
    scan for every team). The fan-out then measures only what falls due at ``DUE``."""
    from sqlalchemy import func, update
    from sqlmodel import select

    from bench.common import settings_for
    from bot.app import Leerteam
    from bot.core.clock import FrozenClock
    from bot.core.outbox import TickReport, plan
    from storage.models import Outbox

    app = Leerteam(settings_for(url), clock=FrozenClock(at))
    try:
        await plan(app, at, TickReport())
        async with app.sessions() as session:
            kinds = dict((await session.exec(select(Outbox.kind, func.count()).where(Outbox.status == "pending")
                                             .group_by(Outbox.kind))).all())
            await session.exec(update(Outbox).where(Outbox.status == "pending")
                               .values(status="sent", sent_at=at, note="bench: before the measured minute"))
            await session.commit()
    finally:
        await app.close()
    return {str(k): int(v) for k, v in kinds.items()}


# --- the bot (child process) -----------------------------------------------------------------------
class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if len(self.first) < 5:
            self.first.append(f"{record.name}: {record.getMessage()[:200]}")


async def _outbox_open(app: Any) -> dict[str, int]:
    from sqlalchemy import func
    from sqlmodel import select

    from storage.models import Outbox

    async with app.sessions() as session:
        rows = (await session.exec(select(Outbox.status, func.count()).group_by(Outbox.status))).all()
    return {status: n for status, n in rows}


async def run_bot(url: str, api_port: int, expected: int, tick_seconds: int | None, timeout: float) -> dict[str, Any]:
    from bench.common import settings_for
    from bot.app import Leerteam
    from bot.core.clock import FrozenClock
    from bot.core import outbox as scheduler
    from bot.core.outbox import Clockwork
    from bot.transports.telegram.application import build_application

    errors = _Errors()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().addHandler(errors)
    rss_imported = rss_kib()[0]
    from bot.core.config import Settings

    shipped = Settings.model_fields["tick_seconds"].default  # LEERTEAM_TICK_SECONDS as installed
    settings = settings_for(url, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE=f"http://127.0.0.1:{api_port}/bot",
                            LEERTEAM_TICK_SECONDS=shipped if tick_seconds is None else tick_seconds)
    app = Leerteam(settings, clock=FrozenClock(DUE))
    application, _bridge = build_application(app, settings)
    await application.initialize()  # getMe against the fake
    await _outbox_open(app)  # the database connection is open, as in a running bot
    from bot.main import freeze_start_up

    freeze_start_up()  # as bot.main.run does before the bot serves
    rss_idle = rss_kib()[0]

    ticks: list[dict[str, Any]] = []
    real_tick, real_plan = app.tick, scheduler.plan
    planning: list[float] = []

    async def timed_plan(*args: Any) -> None:  # the tick's first half (Leerteam.tick looks it up per call)
        began = time.time()
        await real_plan(*args)
        planning.append(time.time() - began)

    async def timed_tick(now: datetime | None = None) -> Any:
        began = time.time()
        report = await real_tick(now)
        ticks.append({"started": began, "seconds": time.time() - began, "plan_seconds": planning[-1] if planning else None,
                      "queued": report.queued, "sent": len(report.sent), "skipped": report.skipped})
        return report

    scheduler.plan = timed_plan
    app.tick = timed_tick
    clockwork = Clockwork(app, settings.tick_seconds)
    first_tick = None
    rss_during = 0
    started = time.time()
    cpu_before, system_before = _cpu_seconds(), _system_seconds()
    clockwork.start()
    status: dict[str, int] = {}
    base = await _outbox_open(app)  # rows settled before the measured minute
    try:
        polls = 0
        while time.time() - started < timeout:
            await asyncio.sleep(0.5)
            rss_during = max(rss_during, rss_kib()[0])
            polls += 1
            if polls % 4:  # the outbox's state every 2 s: the watching is the bench's CPU, not the bot's
                continue
            status = {k: n - base.get(k, 0) for k, n in (await _outbox_open(app)).items()}
            done = status.get("sent", 0) + status.get("skipped", 0) + status.get("failed", 0)
            if expected and done >= expected and not status.get("pending") and not status.get("sending"):
                break
    finally:
        stopped = clockwork.stop()
        if inspect.isawaitable(stopped):  # newer Clockwork lets a tick under way finish
            await stopped
        cpu, system = _cpu_seconds() - cpu_before, _system_seconds() - system_before
        first_tick = ticks[0]["started"] if ticks else None
        # a tick still running is not waited for: the scheduler was stopped
        await application.shutdown()
        await app.close()
    return {
        "tick_seconds": settings.tick_seconds, "ticks": ticks, "first_tick_at": first_tick,
        "finished_at": time.time(), "outbox": status, "cpu_seconds": cpu, "system_seconds": system, "errors_logged": errors.count, "first_errors": errors.first,
        "rss_imported_kib": rss_imported, "rss_idle_kib": rss_idle, "rss_during_kib": rss_during,
        "rss_peak_kib": rss_kib()[1], "timed_out": time.time() - started >= timeout,
    }


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _system_seconds() -> float:
    """The kernel's share of the CPU (SQLite's writes and fsyncs, the sockets)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


# --- the orchestration (parent process) ------------------------------------------------------------
def _start_fake(cfg: FanoutConfig) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.fake_telegram", "--rate", str(cfg.rate), "--group-per-minute",
         str(cfg.group_per_minute), "--latency-ms", str(cfg.latency_ms)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env=_env())
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise RuntimeError(f"the fake Bot API did not start: {line!r}")
    return proc, int(line.split()[1])


def _stop_fake(proc: subprocess.Popen) -> None:
    """Stop the fake Bot API and close its pipe (a bench run inside pytest counts an open one)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    for key in ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DATABASE_URL"):
        env.pop(key, None)
    return env


def _stats(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=10) as resp:
        return json.loads(resp.read())


def bench_fanout(url: str, cfg: FanoutConfig) -> dict[str, Any]:
    world = asyncio.run(prepare(url, cfg))
    fake, port = _start_fake(cfg)
    try:
        cmd = [sys.executable, "-m", "bench.fanout", "--child", "--db", url, "--api-port", str(port),
               "--expected", str(cfg.teams), "--timeout", str(cfg.timeout)]
        if cfg.tick_seconds is not None:
            cmd += ["--tick-seconds", str(cfg.tick_seconds)]
        child = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=_env(), timeout=cfg.timeout + 120)
        if child.returncode != 0:
            raise RuntimeError(f"the bot process failed ({child.returncode}): {child.stderr.strip()[-2000:]}")
        bot = json.loads(child.stdout.strip().splitlines()[-1])
        stats = _stats(port)
    finally:
        _stop_fake(fake)
    by_chat: dict[str, int] = stats["by_chat"]
    expected = set(world["chats"])
    duplicates = sum(n - 1 for chat, n in by_chat.items() if n > 1)
    losses = len(expected - set(by_chat))
    strangers = sum(n for chat, n in by_chat.items() if chat not in expected)
    minimum = cfg.teams / cfg.rate if cfg.rate > 0 else None
    seconds = (stats["last_at"] - bot["first_tick_at"]) if stats["last_at"] and bot["first_tick_at"] else None
    return {
        "database": url.split(":", 1)[0], "teams": cfg.teams, "rate": cfg.rate, "group_per_minute": cfg.group_per_minute,
        "latency_ms": cfg.latency_ms, "tick_seconds": bot["tick_seconds"], "meetings_planned": world["meetings_planned"],
        "delivered": stats["delivered"], "refused_429": stats["refused_429"], "requests": stats["requests"],
        "delivered_per_second": stats.get("per_second"),
        "duplicates": duplicates, "losses": losses, "unexpected": strangers,
        "seconds": seconds, "minimum_seconds": minimum, "ratio": seconds / minimum if seconds and minimum else None,
        "ticks": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in t.items() if k != "started"}
                  for t in bot["ticks"]], "settled_before": world["settled"],
        "outbox": bot["outbox"], "errors_logged": bot["errors_logged"],
        "bot_cpu_seconds": bot["cpu_seconds"], "bot_system_seconds": bot.get("system_seconds"), "bot_cpu_ms_per_message": bot["cpu_seconds"] / cfg.teams * 1000, "first_errors": bot["first_errors"],
        "timed_out": bot["timed_out"],
        "memory": {"rss_imported_mib": bot["rss_imported_kib"] / 1024, "rss_idle_mib": bot["rss_idle_kib"] / 1024,
                   "rss_peak_mib": bot["rss_peak_kib"] / 1024,
                   "peak_over_idle": bot["rss_peak_kib"] / bot["rss_idle_kib"] if bot["rss_idle_kib"] else None},
    }


def _child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--db", required=True)
    parser.add_argument("--api-port", type=int, required=True)
    parser.add_argument("--expected", type=int, required=True)
    parser.add_argument("--tick-seconds", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=400.0)
    args = parser.parse_args(argv)
    profile = os.environ.get("LEERTEAM_BENCH_PROFILE")  # a file: where the bot's CPU goes (pstats)
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        result = profiler.runcall(asyncio.run, run_bot(args.db, args.api_port, args.expected, args.tick_seconds,
                                                       args.timeout))
        profiler.dump_stats(profile)
    else:
        result = asyncio.run(run_bot(args.db, args.api_port, args.expected, args.tick_seconds, args.timeout))
    print(json.dumps(result))


if __name__ == "__main__":
    _child_main(sys.argv[1:])
