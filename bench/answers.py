"""Row 1 — answer throughput: ``/antwoord <nr> <tekst>`` through the whole path, against the raw
single-row commit rate of the same database measured a moment earlier.

The path is exactly what a transport calls: :meth:`Leerteam.handle` (event → dispatcher with
its processed-event key → identity, school, team, role → the answer handler → one commit →
replies rendered and handed to a transport). The transport only counts, so the figure is the
core's, not a platform's. The raw rate is one ``INSERT`` plus ``COMMIT`` per row on one
connection of the same engine (same driver, same pool, same server settings): the most a
one-transaction-per-event design could ever reach.

Two runs: one event at a time (latency p50/p99 per event) and ``concurrency`` events in flight,
as a busy webhook would deliver them; in the concurrent run a share of the events is delivered
twice with the same event id (as Slack and Telegram redeliver), and every duplicate must stay
unanswered.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, text
from sqlmodel import select

from bench.common import CountingTransport, migrated_app, percentile
from bot.core.events import ChatRef, CommandEvent, UserRef
from handlers.cycle.state import question_keys
from storage.models import Answer

PLATFORM = "console"
WORKSPACE = "local"


@dataclass
class AnswerConfig:
    teams: int = 20
    members: int = 5
    answers: int = 2000
    raw_commits: int = 2000
    concurrency: int = 8
    redeliver_share: float = 0.05
    rounds: int = 5


def _event(user: str, chat: str | None, line: str, event_id: str | None = None) -> CommandEvent:
    name, _, args = line[1:].partition(" ")
    chat_ref = ChatRef(PLATFORM, chat or f"dm-{user}", chat is None, chat, WORKSPACE)
    who = UserRef(PLATFORM, user, user.capitalize(), handle=user)
    return CommandEvent(event_id=event_id or uuid.uuid4().hex, chat=chat_ref, user=who,
                        received_at=datetime.now(timezone.utc), name=name, args=args)


async def _say(app: Any, transport: CountingTransport, user: str, chat: str | None, line: str) -> None:
    before = transport.errors
    await app.handle(_event(user, chat, line), transport)
    if transport.errors != before:
        raise RuntimeError(f"setup command refused: {line!r} as {user}")


async def setup(app: Any, cfg: AnswerConfig) -> list[tuple[str, str]]:
    """A school with ``teams`` teams of ``members`` teachers, each team in phase 1 of a cycle,
    made with the same commands a school would type. Returns (teacher, team chat) pairs."""
    t = CountingTransport(PLATFORM)
    await _say(app, t, "leider", None, "/nieuweschool Bench School")
    people: list[tuple[str, str]] = []
    for i in range(cfg.teams):
        chat = f"team-{i}"
        await _say(app, t, "leider", chat, f"/nieuwteam Team {i}")
        for j in range(cfg.members):
            user = f"t{i}m{j}"
            await _say(app, t, user, chat, "/aansluiten")
            people.append((user, chat))
        await _say(app, t, "leider", chat, f"/cyclus Begrijpend lezen {i}")
    return people


class RawCommits:
    """Single-row ``INSERT`` + ``COMMIT`` on connections of the app's own engine."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.next_id = 1

    async def create(self) -> None:
        async with self.app.engine.begin() as conn:
            await conn.execute(text("DROP TABLE IF EXISTS bench_commit"))
            await conn.execute(text("CREATE TABLE bench_commit (id INTEGER PRIMARY KEY, note VARCHAR(200), "
                                    "at VARCHAR(40))"))

    async def drop(self) -> int:
        async with self.app.engine.begin() as conn:
            stored = (await conn.execute(text("SELECT COUNT(*) FROM bench_commit"))).scalar_one()
            await conn.execute(text("DROP TABLE bench_commit"))
        return int(stored)

    async def run(self, n: int, concurrency: int = 1) -> float:
        """Seconds for ``n`` commits, ``concurrency`` connections each doing its share."""
        ids = iter(range(self.next_id, self.next_id + n))
        self.next_id += n

        async def worker() -> None:
            async with self.app.engine.connect() as conn:
                for i in ids:
                    await conn.execute(text("INSERT INTO bench_commit (id, note, at) VALUES (:id, :note, :at)"),
                                       {"id": i, "note": f"row {i}", "at": datetime.now(timezone.utc).isoformat()})
                    await conn.commit()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


def _answer_lines(people: list[tuple[str, str]], keys: int, n: int, seed: int) -> list[tuple[str, str, str]]:
    rnd = random.Random(seed)
    lines = []
    for k in range(n):
        user, chat = people[k % len(people)]
        q = rnd.randint(1, keys)
        lines.append((user, chat, f"/antwoord {q} Antwoord {k} van {user}: we zien dat lezen in groep {k % 8 + 1} "
                                  f"vooral stokt bij de langere teksten."))
    return lines


async def run_answers(app: Any, lines: list[tuple[str, str, str]], concurrency: int,
                      redeliver_share: float = 0.0, seed: int = 1) -> dict[str, Any]:
    transport = CountingTransport(PLATFORM)
    events = [_event(u, c, line) for u, c, line in lines]
    rnd = random.Random(seed)
    redelivered = [e for e in events if rnd.random() < redeliver_share]
    queue: list[Any] = list(events)
    for e in redelivered:  # the twin arrives shortly after the original, often while it is in flight
        queue.insert(min(len(queue), queue.index(e) + rnd.randint(1, max(1, concurrency))), e)
    latencies: list[float] = []
    answered: dict[str, int] = {}
    it = iter(queue)

    async def worker() -> None:
        for event in it:
            started = time.perf_counter()
            sent = await app.handle(event, transport)
            latencies.append(time.perf_counter() - started)
            if sent:
                answered[event.event_id] = answered.get(event.event_id, 0) + len(sent)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    unanswered = sum(1 for e in events if e.event_id not in answered)
    duplicates = sum(n - 1 for n in answered.values() if n > 1)
    return {
        "_latencies": latencies,
        "events": len(queue), "answers": len(events), "redelivered": len(redelivered),
        "seconds": elapsed, "per_second": len(queue) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
        "replies": transport.sent, "error_replies": transport.errors,
        "unanswered": unanswered, "duplicate_replies": duplicates,
    }


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = sum(p["seconds"] for p in parts)
    latencies = [x for p in parts for x in p.pop("_latencies")]
    events = sum(p["events"] for p in parts)
    out = {k: sum(p[k] for p in parts) for k in ("events", "answers", "redelivered", "replies", "error_replies",
                                                   "unanswered", "duplicate_replies")}
    out.update(seconds=seconds, per_second=events / seconds, p50_ms=percentile(latencies, 50) * 1000,
               p99_ms=percentile(latencies, 99) * 1000)
    return out


async def statements_per_answer(app: Any, lines: list[tuple[str, str, str]]) -> float:
    """SQL statements the database receives per answer (SQLAlchemy's ``before_cursor_execute``:
    every statement sent, the processed-event key included; BEGIN/COMMIT are not statements)."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        seen.append(statement)

    sa_event.listen(app.engine.sync_engine, "before_cursor_execute", count)
    try:
        await run_answers(app, lines, 1)
    finally:
        sa_event.remove(app.engine.sync_engine, "before_cursor_execute", count)
    return len(seen) / len(lines)


def _first_answers(people: list[tuple[str, str]], n: int) -> list[tuple[str, str, str]]:
    """``n`` answers to question 1 by different people: each is a first answer (before the warm-up)."""
    return [(user, chat, f"/antwoord 1 Eerste antwoord van {user}.") for user, chat in people[:n]]


class StatementFloor:
    """The statements of one edited answer sent straight through SQLAlchemy's async Core on the
    app's engine, one transaction per answer, with no dispatcher, handler, ORM object or reply:
    what the answer path could reach if Leerteam's own code took no time at all. Same statements,
    same driver and pool as the real path (read from the modules that send them, not copied)."""

    def __init__(self, app: Any, people: list[tuple[str, str]]) -> None:
        from bot.core.dispatcher import _EVENT_KEY
        from handlers.common.versions import _KEEP
        from handlers.cycle.answers import _ROUND_AND_ANSWERS, _SAVE_ANSWER
        from storage.queries import who_and_where_statement

        self.app, self.people = app, people
        self.event_key, self.keep, self.round = _EVENT_KEY, _KEEP, _ROUND_AND_ANSWERS
        self.who = who_and_where_statement()
        self.save = _SAVE_ANSWER._statement(app.engine.dialect.name)
        self.ids: dict[str, tuple[int, int]] = {}

    async def prepare(self) -> None:
        """Each person's member id and team id, read once before timing (the real path reads them
        from the ``who`` query's mapped objects)."""
        from storage.models import Identity, TeamMembership

        async with self.app.sessions() as session:
            rows = (await session.exec(select(Identity.user_id, TeamMembership.member_id, TeamMembership.team_id)
                                       .join(TeamMembership, TeamMembership.member_id == Identity.member_id))).all()
        self.ids = {user: (member_id, team_id) for user, member_id, team_id in rows}

    async def run(self, n: int, concurrency: int = 1) -> float:
        """Seconds for ``n`` answers' worth of statements, ``concurrency`` at once (each in its own
        session, as the dispatcher runs events)."""
        started = time.perf_counter()
        numbers = iter(range(n))

        async def worker() -> None:
            for k in numbers:
                await self._one(k)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started

    async def _one(self, k: int) -> None:
        now = datetime.now(timezone.utc)
        user, chat = self.people[k % len(self.people)]
        async with self.app.sessions() as session:
            conn = await session.connection()
            await conn.execute(self.event_key, {"platform": PLATFORM, "event_id": uuid.uuid4().hex,
                                                "processed_at": now})
            (await conn.execute(self.who, {"platform": PLATFORM, "user_id": user, "chat_id": chat,
                                           "workspace_id": WORKSPACE})).one()
            member_id, team_id = self.ids[user]
            rows = (await conn.execute(self.round, {"team_id": team_id})).all()
            await conn.execute(self.save, {"round_id": rows[0][0], "phase": rows[0][1], "question": "1.floor",
                                           "member_id": member_id, "text": f"Antwoord {k}",
                                           "created_at": now, "updated_at": now})
            await conn.execute(self.keep, {"entry_table": "answer", "entry_id": 0, "member_id": member_id,
                                           "data": {"text": f"Antwoord {k - 1}"}, "saved_at": now})
            await session.commit()


async def bench_answers(url: str, cfg: AnswerConfig) -> dict[str, Any]:
    """Raw commits and answers are measured in alternating rounds, so that load from anything
    else on the machine falls on both sides of the ratio alike."""
    async with migrated_app(url) as app:
        dialect = app.engine.dialect.name
        people = await setup(app, cfg)
        keys = len(question_keys(app.catalog, 1))
        raw = RawCommits(app)
        await raw.create()
        await raw.run(min(100, cfg.raw_commits))  # warm-up: pool, caches
        firsts = _first_answers(people, min(50, len(people)))
        per_first = await statements_per_answer(app, firsts)
        per_edit = await statements_per_answer(app, firsts)  # the same answers again: each an edit
        await run_answers(app, _answer_lines(people, keys, min(100, cfg.answers), seed=0), 1)
        floor = StatementFloor(app, people)
        await floor.prepare()
        await floor.run(min(50, cfg.answers))
        rounds = max(1, min(cfg.rounds, cfg.answers // 10))
        raw_s = raw_c = floor_s = floor_c = 0.0
        serial_parts, conc_parts = [], []
        per_raw, per_ans = cfg.raw_commits // rounds, cfg.answers // rounds
        answered = {(u, line.split()[1]) for u, _, line in firsts} | {
            (u, line.split()[1]) for u, _, line in _answer_lines(people, keys, min(100, cfg.answers), seed=0)}
        edits = 0
        for r in range(rounds):
            raw_s += await raw.run(per_raw)
            lines = _answer_lines(people, keys, per_ans, seed=10 + r)
            for u, _, line in lines:
                edits += (u, line.split()[1]) in answered
                answered.add((u, line.split()[1]))
            serial_parts.append(await run_answers(app, lines, 1))
            floor_s += await floor.run(per_ans)
            raw_c += await raw.run(per_raw, cfg.concurrency)
            floor_c += await floor.run(per_ans, cfg.concurrency)
            conc_parts.append(await run_answers(app, _answer_lines(people, keys, per_ans, seed=100 + r),
                                                cfg.concurrency, cfg.redeliver_share, seed=1000 + r))
        stored_raw = await raw.drop()
        assert stored_raw == per_raw * rounds * 2 + min(100, cfg.raw_commits), stored_raw
        async with app.sessions() as session:
            stored = (await session.exec(select(func.count()).select_from(Answer))).one()
    serial, conc = _merge(serial_parts), _merge(conc_parts)
    raw_serial = {"commits": per_raw * rounds, "seconds": raw_s, "per_second": per_raw * rounds / raw_s}
    raw_conc = {"commits": per_raw * rounds, "seconds": raw_c, "per_second": per_raw * rounds / raw_c}
    return {
        "database": dialect, "teams": cfg.teams, "teachers": len(people), "answers": per_ans * rounds,
        "concurrency": cfg.concurrency, "rounds": rounds,
        "raw_commit": raw_serial, "raw_commit_concurrent": raw_conc,
        "serial": serial, "concurrent": conc,
        "ratio_serial": serial["per_second"] / raw_serial["per_second"],
        "ratio_concurrent": conc["per_second"] / raw_conc["per_second"],
        "answer_rows": stored, "statements_per_answer": per_first, "statements_per_edit": per_edit,
        "edit_share": edits / (per_ans * rounds),
        "floor": {"answers": per_ans * rounds, "seconds": floor_s, "per_second": per_ans * rounds / floor_s,
                  "ratio": per_ans * rounds / floor_s / raw_serial["per_second"]},
        "floor_concurrent": {"answers": per_ans * rounds, "seconds": floor_c,
                             "per_second": per_ans * rounds / floor_c,
                             "ratio": per_ans * rounds / floor_c / raw_conc["per_second"]},
        "duplicates": conc["duplicate_replies"] + serial["duplicate_replies"],
        "losses": conc["unanswered"] + serial["unanswered"],
        "error_replies": conc["error_replies"] + serial["error_replies"],
    }
