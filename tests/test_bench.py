"""The benchmark (``python -m bench``) in a tiny configuration: it runs, every row is in its JSON,
and what must be exact is exact — no answer or reminder lost or doubled, no platform library in
the console. Never a timing: speed lives in the benchmark itself (README, "Benchmarks")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_bench_runs_every_row_without_losses_or_duplicates(tmp_path):
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    rows = result["rows"]
    assert set(rows) == {"answers", "fanout", "telegram_floor", "memory", "digest", "startup", "web"}
    floor = rows["telegram_floor"]
    assert floor["messages"] == 60 and floor["cpu_ms_per_message"] > 0
    assert floor["with_outcome_cpu_ms_per_message"] > 0
    assert "machine" in result and result["quick"] is True

    databases = ["sqlite"] + (["postgresql"] if result["postgres"]["available"] else [])
    assert result["postgres"]["available"] or result["postgres"]["why_not"]  # never silently missing
    assert sorted(rows["answers"]) == sorted(databases)
    for name, r in rows["answers"].items():
        for run in ("serial", "concurrent"):
            assert r[run]["replies"] == r[run]["answers"], (name, run)  # one reply per answer, none for twins
        assert r["duplicates"] == 0 and r["losses"] == 0 and r["error_replies"] == 0, name
        assert r["concurrent"]["redelivered"] > 0  # redeliveries were really tried
        assert r["raw_commit"]["per_second"] > 0 and r["ratio_serial"] > 0
        # counted: the event key, who/where, the round with its answers, the write (an edit also
        # keeps the version it replaces)
        assert (r["statements_per_answer"], r["statements_per_edit"]) == (4, 5), name
        assert 0 <= r["edit_share"] <= 1 and r["floor"]["per_second"] > 0 and r["floor"]["ratio"] > 0, name
        assert r["floor_concurrent"]["answers"] == r["floor"]["answers"]
        assert r["floor_concurrent"]["ratio"] > 0

    assert sorted(rows["fanout"]) == sorted(databases)
    for name, r in rows["fanout"].items():
        assert r["duplicates"] == 0 and r["losses"] == 0 and r["unexpected"] == 0, name
        assert r["delivered"] == r["teams"], name
        assert r["outbox"].get("sent") == r["teams"] and not r["outbox"].get("failed"), (name, r["outbox"])
        assert r["errors_logged"] == 0, r["first_errors"]
    assert rows["memory"]["rss_peak_mib"] >= rows["memory"]["rss_idle_mib"] > 0

    digest = rows["digest"]
    assert digest["status"]
    if digest["available"]:
        assert [run["teams"] for run in digest["runs"]] == [2, 4]  # the quick sizes
        assert all(run["queries"] > 0 and run["text_chars"] > 0 for run in digest["runs"])
    else:
        assert digest["status"].startswith("not yet available")

    assert rows["startup"]["heavy_modules_loaded_by_console"] == []  # platform libraries stay lazy
    assert rows["startup"]["console_restart_s"] > 0

    assert [run["teams"] for run in rows["web"]["runs"]] == [4]  # the school page, quick size
    assert all(run["queries"] > 0 and run["html_chars"] > 0 for run in rows["web"]["runs"])

    for label in ("1 answers", "2 fan-out", "3 digest", "4 start-up", "5 memory", "6 web"):
        assert label in done.stdout, label


def test_the_start_up_row_names_a_heavy_module_or_dialect_the_console_loaded():
    from bench.startup import heavy_modules

    seen = "\n".join(f"import time: {self} | {cum} | {name}" for self, cum, name in [
        (120, 300, "      sqlalchemy.dialects.postgresql.base"), (10, 20, "  sqlalchemy.dialects.sqlite"),
        (5, 900, "telegram.ext"), (3, 3, "  sqlalchemy.orm")])
    assert heavy_modules(seen) == ["sqlalchemy.dialects.postgresql", "telegram"]
    assert heavy_modules("import time: 1 | 1 | sqlalchemy.dialects.sqlite") == []


async def test_the_planner_inserts_thousands_of_meetings_at_once(app):
    """Found by the benchmark: eight weeks of meetings for 800 teams in one planning pass (a big
    board's first tick, or the clock after weeks of downtime) was one INSERT with over 65,535
    parameters, which PostgreSQL refuses — every tick failed, so no reminder was queued."""
    from datetime import datetime, timezone

    from sqlalchemy import func
    from sqlmodel import select

    from bench.world import build_teams, fix_sequences
    from handlers.meetings.plan import materialise
    from storage.models import Meeting

    now = datetime(2026, 9, 14, 10, 0, tzinfo=timezone.utc)
    await build_teams(app.engine, 800, members=1, teams_per_school=100, at=now)
    await fix_sequences(app.engine)
    async with app.sessions() as session:
        made = await materialise(session, now)
        await session.commit()
        stored = (await session.exec(select(func.count()).select_from(Meeting))).one()
    assert made == stored == 800 * 8  # every Tuesday of the next eight weeks
    async with app.sessions() as session:
        assert await materialise(session, now) == 0  # planning again adds nothing


async def test_a_burst_bigger_than_a_batch_goes_out_in_one_tick_once_each(app, clock, monkeypatch):
    """Found by the benchmark: the clock sent at most one batch (500) per tick, one message at a
    time, so 2,000 reminders took four ticks and 3.2× the time Telegram's limit allows. Now a
    tick drains everything due, several messages in flight; each still goes out exactly once,
    and a failed delivery waits for the next tick instead of being retried in a loop."""
    from datetime import datetime, timezone

    from sqlmodel import select

    from bench.world import build_teams, fix_sequences, plan_meetings
    from bot.core import outbox as scheduler
    from storage.models import Meeting, Outbox
    from tests.harness import RecordingTransport

    monkeypatch.setattr(scheduler, "BATCH", 3)
    monkeypatch.setattr(scheduler, "SENDERS", 2)
    planned = datetime(2026, 9, 7, 8, 0, tzinfo=timezone.utc)
    world = await build_teams(app.engine, 8, members=2, teams_per_school=4, at=planned)
    await fix_sequences(app.engine)
    await plan_meetings(app.engine, planned)
    broken = world.chats[world.teams[5]]

    class Flaky(RecordingTransport):
        failures = 0

        async def send(self, out):
            if out.address.chat_id == broken and not self.failures:
                self.failures += 1
                raise ConnectionError("the platform hung up")
            return await super().send(out)

    transport = Flaky("telegram")
    app.attach(transport)
    clock.set(datetime(2026, 9, 7, 13, 31, tzinfo=timezone.utc))  # the day-before reminders are due
    report = await app.tick()
    chats = [o.address.chat_id for o in transport.sent]
    assert len(report.sent) == 7 and sorted(chats) == sorted(c for c in world.chats.values() if c != broken)
    async with app.sessions() as session:
        rows = (await session.exec(select(Outbox).order_by(Outbox.due_at, Outbox.id))).all()
        team_of = dict((await session.exec(select(Meeting.id, Meeting.team_id))).all())
    in_order = [world.chats[team_of[r.payload["meeting_id"]]] for r in rows]
    assert chats == [c for c in in_order if c != broken]  # sent in the order they fell due
    assert sorted(r.status for r in rows) == ["pending"] + ["sent"] * 7
    assert [r.attempts for r in rows if r.status == "pending"] == [1]
    again = await app.tick()  # the next tick tries the failed one again, and only that one
    assert [o.address.chat_id for o in again.sent] == [broken]
    assert len(transport.sent) == 8


async def test_the_fan_outs_parts_are_timed_for_every_reminder():
    """bench/fanout_parts.py (where row 2's CPU goes, without Telegram) runs one tick of the
    fan-out's world: every team's reminder is written and handed to the transport, in both runs."""
    from bench.fanout_parts import fanout_parts

    parts = await fanout_parts(teams=3)
    for run in ("with_outcomes", "without_outcomes"):
        assert parts[run]["sent"] == 3, (run, parts[run])
        assert parts[run]["plan_ms"] > 0 and parts[run]["drain_ms"] > 0, (run, parts[run])


def test_the_pace_tax_compares_the_limiters_and_puts_the_shipped_one_back():
    """bench/pace_tax.py (why the Telegram pace is kept in steps) runs the plain loop three ways
    and the Telegram transport with each limiter, then leaves the bot's own limiter in place."""
    from telegram.ext import AIORateLimiter

    from bench.pace_tax import plain_loop, transport
    from bot.transports.telegram import application
    from bot.transports.telegram.pace import PacedRateLimiter

    loop = plain_loop(rounds=6)
    assert set(loop) == {"back_to_back", "one_every_33ms", "three_every_100ms"}
    assert all(ms > 0 for ms in loop.values())
    runs = transport(messages=6)
    assert set(runs) == {"ptb_leaky_bucket", "steps_of_three", "one_burst"}
    for name, run in runs.items():
        assert run["messages"] == 6 and run["cpu_ms_per_message"] > 0, (name, run)
        assert len(run["limiter"]) == 1, name  # the bot was built once, on the limiter named
    bucket, steps, burst = (runs[name]["limiter"][0]
                            for name in ("ptb_leaky_bucket", "steps_of_three", "one_burst"))
    assert type(bucket) is AIORateLimiter and bucket._base_limiter is not None  # PTB's own overall bucket
    assert type(steps) is PacedRateLimiter
    assert type(burst) is AIORateLimiter and burst._base_limiter is None and not burst._group_max_rate
    assert application.PacedRateLimiter is PacedRateLimiter
