"""Row 3 — the leader digest: build time and query count for 10, 100 and 500 teams.

One school with N teams, each with a school year of history (:func:`bench.world.add_school_year`:
about 450 rows a team — meetings held and cancelled, agenda points, two cycle rounds with their
records, sent reminders, momentum flags) plus the current state (an active cycle, eight weeks
of planned meetings). The digest is built for the school's leader the way the bot builds it,
rendered to text (and its chart), ``repeats`` times after one warm-up; the median is reported.
Every SQL statement it sends is counted with SQLAlchemy's ``before_cursor_execute`` event.

Expected: time grows about linearly with the data (per team it stays flat) and the number of
queries does not grow at all (set-based: one query per kind of fact, for all teams at once).

The digest is issue 8's. This row calls ``handlers.leader.digest.build_digest`` when it exists, else
``handlers.leader.digest.digest_replies``; without either it says so instead of giving a number.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import statistics
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy import event

SIZES = (10, 100, 500)
NOW = datetime(2026, 6, 29, 6, 0, tzinfo=timezone.utc)  # a Monday morning near the end of the school year


def find_digest() -> tuple[Callable[..., Any] | None, str]:
    """The digest builder, or why there is none yet."""
    try:
        import handlers.leader.digest as digest
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("handlers.leader.digest"):
            return None, "not yet available: handlers/digest.py does not exist (issue 8)"
        return None, f"not yet available: handlers/digest.py does not import ({exc})"
    except Exception as exc:  # the module is there but broken
        return None, f"not yet available: handlers/digest.py does not import ({type(exc).__name__}: {exc})"
    for name in ("build_digest", "digest_replies"):
        fn = getattr(digest, name, None)
        if fn is not None and inspect.iscoroutinefunction(fn):
            return fn, f"handlers.leader.digest.{name}"
    return None, "not yet available: handlers/digest.py has no build_digest or digest_replies"


def _arguments(fn: Callable[..., Any], pool: dict[str, Any]) -> dict[str, Any]:
    """Fill the builder's parameters by name; a required one nobody knows is an error."""
    kwargs: dict[str, Any] = {}
    for name, param in inspect.signature(fn).parameters.items():
        if name in pool:
            kwargs[name] = pool[name]
        elif param.default is inspect.Parameter.empty and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"does not know what to pass as {name!r}")
    return kwargs


def _render(app: Any, result: Any, lang: str) -> int:
    """Render whatever the builder returned to text, as a transport would; returns characters."""
    items = result if isinstance(result, (list, tuple)) else [result]
    size = 0
    for item in items:
        for attr in ("body", "caption", "alt_text"):
            value = getattr(item, attr, None)
            if value is not None:
                size += len(str(app.catalog.render(value, lang)))
        if isinstance(item, str):
            size += len(item)
    return size


async def measure(url: str, teams: int, repeats: int, fn: Callable[..., Any]) -> dict[str, Any]:
    from sqlalchemy import func, select
    from sqlmodel import SQLModel

    from bench.common import migrated_app
    from bench.world import add_school_year, build_teams, fix_sequences, plan_meetings
    from bot.core.replies import DirectTo
    from storage.models import School

    async with migrated_app(url) as app:
        made = time.perf_counter()
        world = await build_teams(app.engine, teams, teams_per_school=teams, at=NOW)
        history = await add_school_year(app.engine, world, end=NOW.date())
        await fix_sequences(app.engine)
        planned = await plan_meetings(app.engine, NOW)
        made = time.perf_counter() - made
        async with app.sessions() as session:
            rows = 0
            for table in SQLModel.metadata.sorted_tables:
                try:
                    rows += (await session.execute(select(func.count()).select_from(table))).scalar_one()
                except Exception:  # a table of a capability whose migration is not there
                    await session.rollback()
        school_id = world.schools[0]
        leader = world.leaders[school_id]
        statements: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        times: list[float] = []
        queries: list[int] = []
        size = 0
        for i in range(repeats + 1):
            async with app.sessions() as session:
                school = await session.get(School, school_id)
                pool = {"session": session, "ctx_session": session, "catalog": app.catalog, "school": school,
                        "school_id": school_id, "leader_id": leader, "member_id": leader, "lang": "nl",
                        "now": NOW, "target": DirectTo(leader), "since": NOW - timedelta(days=7)}
                kwargs = _arguments(fn, pool)
                statements.clear()
                event.listen(app.engine.sync_engine, "before_cursor_execute", count)
                started = time.perf_counter()
                try:
                    result = await fn(**kwargs)
                    size = _render(app, result, "nl")
                finally:
                    elapsed = time.perf_counter() - started
                    event.remove(app.engine.sync_engine, "before_cursor_execute", count)
                if i:  # the first build warms caches (the chart library's import among them)
                    times.append(elapsed)
                    queries.append(len(statements))
    return {"teams": teams, "rows": rows, "history_rows": sum(history.values()), "planned_meetings": planned,
            "generate_s": made, "seconds": statistics.median(times), "queries": max(queries),
            "queries_min": min(queries), "text_chars": size}


def bench_digest(url_for: Callable[[str], str], sizes: tuple[int, ...] = SIZES, repeats: int = 3) -> dict[str, Any]:
    fn, source = find_digest()
    if fn is None:
        return {"status": source, "available": False, "sizes": list(sizes)}
    try:
        runs = [asyncio.run(measure(url_for(f"digest{n}"), n, repeats, fn)) for n in sizes]
    except TypeError as exc:
        return {"status": f"not measured: {source} {exc}", "available": False, "sizes": list(sizes)}
    first, last = runs[0], runs[-1]
    data_growth = last["rows"] / first["rows"]
    time_growth = last["seconds"] / first["seconds"]
    for r in runs:
        r["ms_per_team"] = r["seconds"] / r["teams"] * 1000
    return {
        "status": f"measured ({source})", "available": True, "runs": runs,
        "data_growth": data_growth, "time_growth": time_growth,
        "growth_exponent": math.log(time_growth) / math.log(data_growth) if data_growth > 1 and time_growth > 0 else None,
        "queries_flat": len({r["queries"] for r in runs}) == 1,
    }
