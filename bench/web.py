"""Row 6 — the web pages: the school page of a 500-team board, through HTTP on 127.0.0.1.

The same world as row 3 (:mod:`bench.world`: every team with a school year of history, an active
cycle, planned meetings), one school of N teams. The school's leader gets a browser session and
asks ``GET /web/school/<id>`` from aiohttp's own server ``repeats`` times after one warm-up; the
median is reported with the page's size and the number of SQL statements per page. Target: under
one second for 500 teams (the digest's set-based facts plus one query for the agendas).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any, Callable

from sqlalchemy import event

SIZES = (500,)


async def measure(url: str, teams: int, repeats: int) -> dict[str, Any]:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bench.common import migrated_app
    from bench.digest import NOW
    from bench.world import add_school_year, build_teams, fix_sequences, plan_meetings
    from bot.core.clock import FrozenClock
    from handlers.web.server import COOKIE, add_web_routes
    from handlers.web.tokens import start_session

    async with migrated_app(url) as app:
        app.clock = app.dispatcher.clock = FrozenClock(NOW)
        world = await build_teams(app.engine, teams, teams_per_school=teams, at=NOW)
        await add_school_year(app.engine, world, end=NOW.date())
        await fix_sequences(app.engine)
        await plan_meetings(app.engine, NOW)
        school_id = world.schools[0]
        async with app.sessions() as session:
            token, _ = await start_session(session, world.leaders[school_id], NOW)
            await session.commit()
        statements: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        webapp = web.Application()
        add_web_routes(webapp, app)
        times: list[float] = []
        queries: list[int] = []
        size = 0
        async with TestClient(TestServer(webapp, host="127.0.0.1")) as client:
            for i in range(repeats + 1):
                statements.clear()
                event.listen(app.engine.sync_engine, "before_cursor_execute", count)
                started = time.perf_counter()
                try:
                    response = await client.get(f"/web/school/{school_id}", cookies={COOKIE: token})
                    body = await response.text()
                finally:
                    elapsed = time.perf_counter() - started
                    event.remove(app.engine.sync_engine, "before_cursor_execute", count)
                if response.status != 200:
                    raise RuntimeError(f"the school page answered {response.status}")
                size = len(body)
                if i:  # the first request loads the templates
                    times.append(elapsed)
                    queries.append(len(statements))
    return {"teams": teams, "seconds": statistics.median(times), "queries": max(queries), "html_chars": size}


def bench_web(
    url_for: Callable[[str], str], sizes: tuple[int, ...] = SIZES, repeats: int = 3
) -> dict[str, Any]:
    runs = [asyncio.run(measure(url_for(f"web{n}"), n, repeats)) for n in sizes]
    return {"runs": runs, "target_s": 1.0}
