"""``python -m bench``: run every row, print the table, write it as JSON.

Rows (see the README section "Benchmarks"):

1. answer throughput through the whole path vs the database's raw commit rate (SQLite, PostgreSQL)
2. reminder fan-out through the Telegram transport vs teams / rate limit, with duplicates and losses
3. leader digest build time and query count for 10, 100 and 500 teams
4. console start-up vs the interpreter with the platform libraries
5. peak memory of the bot with 2,000 teams loaded and a fan-out in progress
6. the web pages: the school page of a 500-team board over HTTP (bench/web.py)

``--quick`` runs a tiny configuration (seconds, for the test suite); ``--only`` picks rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT, Databases, machine

ROWS = ("answers", "fanout", "digest", "startup", "web")


def _git() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "") if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description="Leerteam's benchmark (issue 9).")
    p.add_argument("--quick", action="store_true", help="a tiny configuration: checks the bench, not the bot")
    p.add_argument("--only", default=",".join(ROWS), help=f"comma-separated rows out of {', '.join(ROWS)}")
    p.add_argument("--no-postgres", action="store_true", help="SQLite only")
    p.add_argument("--answers", type=int, help="answers per run of row 1 (default 2000)")
    p.add_argument("--teams", type=int, help="teams in the fan-out, rows 2 and 5 (default 2000)")
    p.add_argument("--rate", type=float, default=30.0, help="the fake Bot API's messages per second (default 30)")
    p.add_argument("--latency-ms", type=float, help="the fake Bot API's round trip (default 50)")
    p.add_argument("--tick-seconds", type=int, help="the clock's tick (default: the shipped LEERTEAM_TICK_SECONDS)")
    p.add_argument("--digest-sizes", help="team counts for row 3 (default 10,100,500)")
    p.add_argument("--out", type=Path, default=RESULTS / "latest.json", help="where the JSON goes")
    p.add_argument("--sample", action="store_true", help="also write bench/sample-results.json (committed)")
    return p.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench.answers import AnswerConfig, bench_answers
    from bench.digest import SIZES, bench_digest
    from bench.fanout import FanoutConfig, bench_fanout
    from bench.startup import bench_startup

    rows = {r.strip() for r in args.only.split(",") if r.strip()}
    unknown = rows - set(ROWS)
    if unknown:
        raise SystemExit(f"unknown rows: {', '.join(sorted(unknown))} (rows: {', '.join(ROWS)})")
    quick = args.quick
    answer_cfg = AnswerConfig(teams=4, members=5, answers=args.answers or 50, raw_commits=50, concurrency=4,
                              rounds=2) if quick else AnswerConfig(answers=args.answers or 2000,
                                                                   raw_commits=args.answers or 2000)
    fan_cfg = FanoutConfig(teams=args.teams or (20 if quick else 2000), rate=args.rate if not quick else 200.0,
                           latency_ms=args.latency_ms if args.latency_ms is not None else (2.0 if quick else 50.0),
                           tick_seconds=args.tick_seconds if args.tick_seconds is not None else (1 if quick else None),
                           timeout=60.0 if quick else 400.0)
    sizes = tuple(int(x) for x in args.digest_sizes.split(",")) if args.digest_sizes else ((2, 4) if quick else SIZES)
    workdir = Path(tempfile.mkdtemp(prefix="leerteam-bench-"))
    dbs = Databases(workdir)
    result: dict[str, Any] = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "commit": _git(), "machine": machine(),
        "quick": quick, "rows": {},
    }
    started = time.perf_counter()
    try:
        if not args.no_postgres and rows & {"answers", "fanout", "digest"}:
            dbs.start_postgres()
        else:
            dbs.pg_reason = "--no-postgres"
        result["postgres"] = {"available": dbs.pg_server is not None, "why_not": dbs.pg_reason,
                              "settings": dbs.pg_settings}
        targets: list[tuple[str, Any]] = [("sqlite", dbs.sqlite)]
        if dbs.pg_server is not None:
            targets.append(("postgresql", dbs.postgres))
        if "answers" in rows:
            result["rows"]["answers"] = {}
            for name, url_for in targets:
                _say(f"row 1: answers on {name} …")
                result["rows"]["answers"][name] = _guard(lambda: asyncio.run(bench_answers(url_for("answers"), answer_cfg)))
        if "fanout" in rows:
            result["rows"]["fanout"] = {}
            for name, url_for in targets:
                _say(f"row 2: fan-out to {fan_cfg.teams} teams on {name} …")
                result["rows"]["fanout"][name] = _guard(lambda: bench_fanout(url_for("fanout"), fan_cfg))
            _say("row 2: the Telegram transport's own CPU per message …")
            from bench.telegram_floor import telegram_floor

            result["rows"]["telegram_floor"] = _guard(lambda: telegram_floor(60 if quick else 300))
            first = result["rows"]["fanout"]["sqlite"]
            result["rows"]["memory"] = ({"from": "fanout.sqlite", **first["memory"], "teams": fan_cfg.teams}
                                        if "memory" in first else first)
        if "digest" in rows:
            _say(f"row 3: digest for {', '.join(map(str, sizes))} teams …")
            result["rows"]["digest"] = _guard(lambda: bench_digest(dbs.sqlite, sizes, repeats=1 if quick else 3))
        if "web" in rows:
            from bench.web import SIZES as WEB_SIZES, bench_web

            web_sizes = (4,) if quick else WEB_SIZES
            _say(f"row 6: the school page for {', '.join(map(str, web_sizes))} teams …")
            result["rows"]["web"] = _guard(lambda: bench_web(dbs.sqlite, web_sizes, repeats=1 if quick else 3))
        if "startup" in rows:
            _say("row 4: start-up …")
            result["rows"]["startup"] = _guard(lambda: bench_startup(repeats=1 if quick else 5))
    finally:
        dbs.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    result["seconds"] = time.perf_counter() - started
    _say("done")
    return result


_last = [time.perf_counter()]


def _guard(measure: Any) -> dict[str, Any]:
    """One row failing (a product bug the bench found, a peer missing) does not stop the others."""
    try:
        return measure()
    except Exception as exc:  # noqa: BLE001 - reported in the table and the JSON
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        _say(f"   failed: {type(exc).__name__}: {first[:300]}")
        return {"failed": f"{type(exc).__name__}: {first[:300]}"}


def _say(text: str) -> None:
    now = time.perf_counter()
    print(f"[{now - _last[0]:6.1f} s] {text}", file=sys.stderr, flush=True)
    _last[0] = now


# --- the table ------------------------------------------------------------------------------------
def _f(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(row, measured, limit measured in the same run, ratio, target and verdict)."""
    out: list[tuple[str, str, str, str, str]] = []
    rows = result["rows"]
    if result.get("quick"):  # tiny sizes: the figures mean nothing, only that every row runs
        return [(r, m, lim, ratio, "n/a (quick)" if target else "") for r, m, lim, ratio, target in
                table({**result, "quick": False})]
    for group in ("answers", "fanout"):
        for name, r in rows.get(group, {}).items():
            if "failed" in r:
                out.append((f"{'1' if group == 'answers' else '2'} {group}, {name}", f"FAILED: {r['failed'][:120]}",
                             "", "", ""))
    for name, r in rows.get("answers", {}).items():
        if "failed" in r:
            continue
        s, c = r["serial"], r["concurrent"]
        # issue 18's targets: one at a time ≥ 0.3 of the raw commit rate, 8 at once ≥ 0.2 (PostgreSQL),
        # at most 4 statements per answer
        per = r.get("statements_per_answer")
        ok = "ok" if r["ratio_serial"] >= 0.3 and (per is None or per <= 4) else "below"
        statements = "" if per is None else f"; statements {per:.1f} per first answer"
        if r.get("statements_per_edit") is not None:
            statements += f", {r['statements_per_edit']:.1f} per edit ({r['edit_share']:.0%} of these were edits)"
        floor = r.get("floor")
        out.append((f"1 answers, {name}, one at a time", f"{s['per_second']:.0f}/s, p50 {s['p50_ms']:.1f} ms, "
                    f"p99 {s['p99_ms']:.1f} ms" + statements,
                    f"raw commits {r['raw_commit']['per_second']:.0f}/s"
                    + (f"; an edit's statements alone {floor['per_second']:.0f}/s ({floor['ratio']:.2f})"
                       if floor else ""),
                    _f(r["ratio_serial"]), f"≥ 0.3, ≤ 4 statements: {ok}"))
        ok = "ok" if r["ratio_concurrent"] >= 0.2 else "below"
        floor = r.get("floor_concurrent")
        out.append((f"1 answers, {name}, {r['concurrency']} at once", f"{c['per_second']:.0f}/s, p50 {c['p50_ms']:.1f} ms, "
                    f"p99 {c['p99_ms']:.1f} ms; {c['redelivered']} redelivered: {r['duplicates']} dup, "
                    f"{r['losses']} lost", f"raw commits ({r['concurrency']} conns) "
                    f"{r['raw_commit_concurrent']['per_second']:.0f}/s"
                    + (f"; an edit's statements alone {floor['per_second']:.0f}/s ({floor['ratio']:.2f})"
                       if floor else ""),
                    _f(r["ratio_concurrent"]), f"≥ 0.2: {ok}"))
    pg = result.get("postgres", {})
    if "answers" in rows and not pg.get("available"):
        out.append(("1 answers, postgresql", f"not run: {pg.get('why_not')}", "", "", ""))
    floor = rows.get("telegram_floor", {}).get("cpu_ms_per_message")
    floor_recorded = rows.get("telegram_floor", {}).get("with_outcome_cpu_ms_per_message")
    for name, r in rows.get("fanout", {}).items():
        if "failed" in r:
            continue
        within = (r["ratio"] is not None and r["ratio"] <= 1.05 and r["duplicates"] == 0 and r["losses"] == 0
                  and r["bot_cpu_ms_per_message"] <= 4)
        out.append((f"2 fan-out, {r['teams']} teams, {name}",
                    f"{_f(r['seconds'], 1)} s; {r['duplicates']} dup, {r['losses']} lost, {r['refused_429']}×429; "
                    f"bot CPU {r['bot_cpu_ms_per_message']:.1f} ms/msg",
                    (f"{r['teams']} / {r['rate']:.0f} per s = {r['minimum_seconds']:.1f} s" if r["minimum_seconds"]
                     else "no limit") + (f"; the Telegram transport alone {floor:.1f} ms/msg" if floor is not None else "")
                    + (f", with each outcome recorded {floor_recorded:.1f}" if floor_recorded is not None else ""),
                    _f(r["ratio"]), f"≤ 1.05, 0/0, ≤ 4 ms: {'ok' if within else 'MISSED'}"))
    d = rows.get("digest")
    if d is not None:
        if "failed" in d:
            out.append(("3 digest", f"FAILED: {d['failed'][:120]}", "", "", ""))
        elif not d.get("available"):
            out.append(("3 digest", d["status"], "", "", ""))
        else:
            runs = d["runs"]
            out.append((f"3 digest, {'/'.join(str(r['teams']) for r in runs)} teams",
                        " / ".join(f"{r['seconds']:.2f} s" for r in runs) + "; queries "
                        + "/".join(str(r["queries"]) for r in runs),
                        f"data ×{d['data_growth']:.0f}", f"time ×{d['time_growth']:.1f}",
                        f"queries flat and ≤ 18: {'ok' if d['queries_flat'] and runs[-1]['queries'] <= 18 else 'NO'}; "
                        f"{runs[-1]['teams']} teams ≤ 1.0 s: {'ok' if runs[-1]['seconds'] <= 1.0 else 'MISSED'}; "
                        f"growth exponent {_f(d['growth_exponent'])}"))
    s = rows.get("startup")
    if s is not None and "failed" in s:
        out.append(("4 start-up", f"FAILED: {s['failed'][:120]}", "", "", ""))
    elif s is not None:
        heavy = ", ".join(s["heavy_modules_loaded_by_console"]) or "none"
        out.append(("4 start-up, console", f"{s['console_restart_s']:.2f} s (first start {s['console_first_start_s']:.2f} s)",
                    f"python + platform libraries {s['interpreter_with_platform_libraries_s']:.2f} s "
                    f"(bare {s['bare_interpreter_s']:.2f} s)", _f(s["ratio_restart"]),
                    f"≤ 1.3: {'ok' if s['ratio_restart'] <= 1.3 else 'MISSED'}; platform libraries loaded: {heavy}"))
    mem = rows.get("memory")
    if mem is not None and "failed" not in mem:
        out.append((f"5 memory, {mem['teams']} teams, fan-out", f"peak RSS {mem['rss_peak_mib']:.0f} MiB",
                    f"the bot idle {mem['rss_idle_mib']:.0f} MiB", _f(mem["peak_over_idle"]),
                    f"≤ 1.3: {'ok' if mem['peak_over_idle'] <= 1.3 else 'MISSED'}"))
    w = rows.get("web")
    if w is not None and "failed" in w:
        out.append(("6 web, school page", f"FAILED: {w['failed'][:120]}", "", "", ""))
    elif w is not None:
        for r in w["runs"]:
            out.append((f"6 web, school page, {r['teams']} teams", f"{r['seconds']:.2f} s; {r['queries']} queries; "
                        f"{r['html_chars'] // 1000} kB", "", "",
                        f"< {w['target_s']:.0f} s: {'ok' if r['seconds'] < w['target_s'] else 'MISSED'}"))
    return out


def render_table(result: dict[str, Any]) -> str:
    lines = table(result)
    head = ("row", "measured", "limit (same run)", "ratio", "target")
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(5)]
    fmt = lambda r: "| " + " | ".join(str(v).ljust(w) for v, w in zip(r, widths)) + " |"  # noqa: E731
    text = [fmt(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(fmt, lines)]
    m = result["machine"]
    text.append("")
    text.append(f"{m.get('nproc')} CPUs ({m.get('cpu', '?')}), {m.get('memory_gib', '?')} GiB, Python {m['python']}, "
                f"commit {result.get('commit')}, {result['seconds']:.0f} s" + (" — QUICK (not a measurement)" if result["quick"] else ""))
    return "\n".join(text)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    # a terminated bench still stops the PostgreSQL server it started (run's finally blocks)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    result = run(args)
    result["table"] = [list(r) for r in table(result)]
    print(render_table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}", file=sys.stderr)
    failed = [name for name, row in result["rows"].items()
              if "failed" in row or any(isinstance(v, dict) and "failed" in v for v in row.values())]
    if args.sample:
        sample = ROOT / "bench" / "sample-results.json"
        sample.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"and to {sample}", file=sys.stderr)
    if failed:
        print(f"rows that failed: {', '.join(failed)}", file=sys.stderr)
        raise SystemExit(1)
