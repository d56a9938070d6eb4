"""The clock: APScheduler is only a metronome, the database is the truth.

One interval job (``LEERTEAM_TICK_SECONDS``, default 30 s) calls :meth:`bot.app.Leerteam.tick`.
Nothing else is scheduled in APScheduler and nothing is pickled: every tick looks in the database
for what is due. A tick has two halves:

1. **plan** (one transaction; on PostgreSQL only one process at a time, by an advisory lock,
   the others skip it): create meetings from the rhythms up to eight weeks ahead, queue the
   reminders that are due, close meetings that ended (agenda points roll over, the chair is asked
   for notes), and run the momentum guard. Everything queued is an :class:`Outbox` row with a
   unique ``dedupe_key``: inserting it twice is a no-op.
2. **drain** (on PostgreSQL only in the process holding the sender lock, so an installation
   keeps one pace): each due row is *claimed* as a lease (:mod:`bot.core.lease`): only the
   process whose update changed the row sends it, and only the current holder may record its
   outcome. The row is written (rendered) at send time, delivered through the transport attached
   to the app, and marked ``sent``, ``skipped`` (e.g. the meeting was moved or has already
   started: logged and counted) or ``failed`` (for good, or after :data:`MAX_ATTEMPTS`; a team
   post that failed for good queues one notice to the chair). A row whose holder died is taken
   up again when its lease (45 s) runs out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, text
from sqlmodel import col, select

from bot.core import lease
from bot.core.capability import Job, PlanRun, Skip
from bot.core.delivery import DeliveryFailed, Outgoing, Resolver
from bot.core.fallback import as_failure
from bot.core.lease import RENEW_EVERY, Claim
from bot.core.replies import Reply
from storage import queries as q
from storage.models import Outbox

if TYPE_CHECKING:
    from bot.app import Leerteam

log = logging.getLogger(__name__)

ADVISORY_LOCK = 7411006  # PostgreSQL: one planner at a time
SENDER_LOCK = 7411015  # PostgreSQL: one sender at a time, across every process of an installation
MAX_ATTEMPTS = 5
BATCH = 500
# Outbox rows on their way to the platform at once (see drain). Telegram allows 30 messages/s per
# bot; at a round trip of 50-100 ms, 3 sends in flight keep that pace, so 4 leave a margin. The
# window is also the most a crash can duplicate: a row in flight may have arrived before the
# process died, and is sent again when its lease runs out.
SENDERS = 4
RENDER_TOGETHER = 100  # rows of a kind with a batch renderer written in one transaction (reminders)
UNDELIVERABLE = "delivery.undeliverable"  # outbox kind: the chair is told a team post failed for good


@dataclass
class TickReport:
    planned: bool = False
    new_meetings: int = 0
    queued: int = 0
    closed: int = 0
    nudges: int = 0
    sent: list[Outgoing] = field(default_factory=list)
    skipped: int = 0
    failed: int = 0
    drained: bool = False  # False: another process is the sender (PostgreSQL), or no transport


async def plan(app: Leerteam, now: datetime, report: TickReport) -> None:
    async with app.sessions() as session:
        if (await session.connection()).dialect.name == "postgresql":
            conn = await session.connection()
            got = (await conn.execute(text(f"SELECT pg_try_advisory_xact_lock({ADVISORY_LOCK})"))).scalar()
            if not got:
                return  # another process is planning right now; its rows are ours to drain too
        run = PlanRun(session, now, app.settings, report)
        for planner in app.registry.planners:  # the capabilities' due work, in the app's order
            await planner(run)
        await session.commit()
        report.planned = True


@asynccontextmanager
async def _elected(app: Leerteam) -> AsyncIterator[bool]:
    """On PostgreSQL, only the process holding the sender lock drains, so the installation keeps
    one pace (the platform's per-bot limit) however many processes it runs. The lock is held on
    its own connection for the whole drain and dies with the process."""
    if app.engine.dialect.name != "postgresql":
        yield True  # SQLite: one process
        return
    async with app.engine.connect() as conn:
        got = bool((await conn.execute(text(f"SELECT pg_try_advisory_lock({SENDER_LOCK})"))).scalar())
        try:
            yield got
        finally:
            if got:
                await conn.execute(text(f"SELECT pg_advisory_unlock({SENDER_LOCK})"))
                await conn.commit()


async def drain(app: Leerteam, now: datetime, report: TickReport) -> None:
    """Send everything that is due, batch after batch, until nothing due is left (a burst of
    thousands of reminders is not spread over several ticks). Rows are claimed (leased, see
    :mod:`bot.core.lease`) and written one after another, in order; up to :data:`SENDERS` of them
    are on their way at once, so the platform's round trip does not set the pace — the
    transport's rate limiter does. A row whose delivery failed is not tried again in the same
    drain (the cursor has passed it)."""
    if not app.transports:
        return  # nobody to send through: the rows wait for a process that has a transport
    async with _elected(app) as sender:
        if not sender:
            return  # another process is the sender; replies to commands are not affected
        report.drained = True
        renewing = asyncio.create_task(_renew(app))
        try:
            await _drain(app, now, report)
        finally:
            renewing.cancel()


async def _renew(app: Leerteam) -> None:
    while True:
        await asyncio.sleep(RENEW_EVERY)
        try:
            await lease.renew(app.sessions, app.holder, app.clock.now())
        except Exception as exc:  # the next renewal tries again; the lease has 30 s to spare
            log.warning("could not renew outbox leases: %s", exc)


async def _drain(app: Leerteam, now: datetime, report: TickReport) -> None:
    after: tuple[datetime, int] | None = None
    in_flight = asyncio.Semaphore(SENDERS)
    sending: set[asyncio.Task[None]] = set()
    together = app.registry.batch_renderers
    try:
        while True:
            async with app.sessions() as session:
                stmt = select(Outbox.id, Outbox.due_at, Outbox.kind).where(
                    lease.claimable(now, app.clock.now()))
                if after is not None:
                    stmt = stmt.where(or_(col(Outbox.due_at) > after[0],
                                          and_(col(Outbox.due_at) == after[0], col(Outbox.id) > after[1])))
                batch = (
                    await session.exec(stmt.order_by(col(Outbox.due_at), col(Outbox.id)).limit(BATCH))
                ).all()
            if not batch:
                return
            after = (batch[-1][1], int(batch[-1][0]))
            chunk: list[int] = []  # consecutive rows whose kind is written together
            for i, (row_id, _, kind) in enumerate(batch):
                if kind in together:
                    chunk.append(int(row_id))
                    ends = i + 1 == len(batch) or batch[i + 1][2] not in together
                    if ends or len(chunk) >= RENDER_TOGETHER:
                        for prepared in await _prepare_together(app, chunk, now, report):
                            await in_flight.acquire()  # no more on their way than the window can send
                            _send(app, prepared, report, in_flight, sending)
                        chunk = []
                    continue
                await in_flight.acquire()  # claim no more than the window can send
                one = await _prepare(app, int(row_id), now, report)
                if one is None:
                    in_flight.release()
                    continue
                _send(app, one, report, in_flight, sending)
    finally:
        if sending:
            await asyncio.gather(*sending, return_exceptions=True)


Prepared = tuple[Claim, list[Outgoing], dict[str, Any]]


def _send(app: Leerteam, prepared: Prepared, report: TickReport, in_flight: asyncio.Semaphore,
          sending: set[asyncio.Task[None]]) -> None:
    task = asyncio.create_task(_deliver(app, *prepared, report, in_flight))
    sending.add(task)
    task.add_done_callback(sending.discard)


async def _prepare_together(app: Leerteam, row_ids: list[int], now: datetime,
                            report: TickReport) -> list[Prepared]:
    """Claim a run of rows whose kind has a batch renderer and write all their messages in one
    transaction: one claim, one query per kind of record, one commit for the lot (a fan-out of
    two thousand reminders costs a few hundred statements, not fifty thousand). If writing the
    batch fails, its rows are written one by one instead, so one bad row holds up no other."""
    claims = await lease.claim_many(app.sessions, row_ids, app.holder, now, app.clock.now())
    if not claims:
        return []
    platform = next(iter(app.transports))
    written: list[tuple[Claim, dict[str, Any], list[Outgoing] | Skip]] = []
    try:
        async with app.sessions() as session:
            rows = {r.id: r for r in (await session.exec(
                select(Outbox).where(col(Outbox.id).in_([c.row_id for c in claims])))).all()}
            by_kind: dict[str, list[Claim]] = {}
            for c in claims:
                by_kind.setdefault(rows[c.row_id].kind, []).append(c)
            rendered: dict[int, list[Reply] | Skip] = {}
            for kind, kind_claims in by_kind.items():
                jobs = [Job(session, kind, dict(rows[c.row_id].payload), now, app.catalog, app.registry)
                        for c in kind_claims]
                results = await app.registry.batch_renderers[kind](jobs)
                for c, result in zip(kind_claims, results, strict=True):
                    rendered[c.row_id] = result
            resolver = Resolver.for_clock(session, app.catalog, default_lang=app.settings.language,
                                          now=now, platform=platform)
            await resolver.prefetch([r for result in rendered.values() if not isinstance(result, Skip)
                                     for r in result])
            for c in claims:
                replies = rendered[c.row_id]
                written.append((c, dict(rows[c.row_id].payload),
                                replies if isinstance(replies, Skip) else await resolver.resolve(replies)))
            await session.commit()  # questions the bot now waits for are stored before sending
    except Exception:
        log.exception("outbox rows %s… could not be written together; one by one instead", row_ids[:3])
        for c in claims:  # back to pending as they were, then each on its own
            await lease.finish(app.sessions, c, status="pending", attempts=Outbox.attempts - 1)
        return [p for row_id in (c.row_id for c in claims)
                if (p := await _prepare(app, row_id, now, report)) is not None]
    prepared: list[Prepared] = []
    for c, payload, outcome in written:
        if isinstance(outcome, Skip):
            log.info("outbox row %s skipped: %s", c.row_id, outcome)
            await lease.finish(app.sessions, c, status="skipped", note=str(outcome)[:200])
            report.skipped += 1
            continue
        kept = await _addressed(app, c, outcome, payload, now, report)
        if kept is not None:
            prepared.append(kept)
    return prepared


async def _addressed(app: Leerteam, claim: Claim, outgoing: list[Outgoing], payload: dict[str, Any],
                     now: datetime, report: TickReport) -> Prepared | None:
    """What is left to send of a written row (recipients reached by an earlier attempt are not sent
    to again); a row with nothing left is finished here."""
    done = set(payload.get(DELIVERED, [])) | set(payload.get(GAVE_UP, []))  # earlier attempts
    outgoing = [o for o in outgoing if _recipient(o) not in done]
    if outgoing:
        return claim, outgoing, payload
    if done:
        await lease.finish(app.sessions, claim, status="sent", sent_at=now)
        return None
    await lease.finish(app.sessions, claim, status="skipped", note="no address")
    log.info("outbox row %s skipped: no address", claim.row_id)
    report.skipped += 1
    return None


async def _prepare(app: Leerteam, row_id: int, now: datetime,
                   report: TickReport) -> tuple[Claim, list[Outgoing], dict[str, Any]] | None:
    """Claim a row and write its messages; None when there is nothing (more) to send."""
    # the lease is stamped with the real time, not the tick's start: a long drain must not make
    # its own rows look expired to another process
    claim = await lease.claim(app.sessions, row_id, app.holder, now, app.clock.now())
    if claim is None:
        return None  # another process has it
    platform = next(iter(app.transports))
    payload: dict[str, Any] = {}
    try:
        async with app.sessions() as session:
            row = await session.get(Outbox, row_id)
            assert row is not None
            payload, kind = dict(row.payload), row.kind
            try:
                renderer = app.registry.renderers.get(kind)
                if renderer is None:
                    raise Skip(f"unknown kind {kind}")
                replies = await renderer(Job(session, kind, dict(payload), now, app.catalog, app.registry))
            except Skip as why:  # e.g. the meeting has started: too late to remind, said in the log
                await session.rollback()
                log.info("outbox row %s (%s) skipped: %s", row_id, kind, why)
                await lease.finish(app.sessions, claim, status="skipped", note=str(why)[:200])
                report.skipped += 1
                return None
            resolver = Resolver.for_clock(session, app.catalog, default_lang=app.settings.language, now=now,
                                          platform=platform)
            outgoing = await resolver.resolve(replies)
            await session.commit()  # questions the bot now waits for are stored before sending
    except Exception:
        log.exception("outbox row %s could not be prepared", row_id)
        await _release(app, claim, payload={}, delivered=[], gave_up=[], why="could not be written")
        return None
    return await _addressed(app, claim, outgoing, payload, now, report)


DELIVERED = "_delivered"  # Outbox.payload: recipients already reached, when a row goes to several
GAVE_UP = "_gave_up"  # Outbox.payload: recipients that failed for good (not tried again)
FAILED_TEAM = "_failed_team"  # Outbox.payload: the team whose chat refused the post (the digest counts)


def _recipient(out: Outgoing) -> str:
    a = out.address
    return f"{a.platform}|{a.chat_id or ''}|{a.user_id or ''}"


async def _deliver(app: Leerteam, claim: Claim, outgoing: list[Outgoing], payload: dict[str, Any],
                   report: TickReport, in_flight: asyncio.Semaphore) -> None:
    try:
        delivered: list[str] = []
        gave_up: list[str] = []
        why: list[str] = []
        for_now = 0
        for out in outgoing:
            transport = app.transports.get(out.address.platform)
            try:
                if transport is None:
                    raise DeliveryFailed(permanent=False, reason=f"no {out.address.platform} transport here")
                await transport.send(out)
                delivered.append(_recipient(out))
                report.sent.append(out)
            except Exception as exc:  # the delivery contract (anything unexpected: failed for now)
                failed = as_failure(exc)
                why.append(failed.reason)
                where = out.address.chat_id or out.address.user_id
                log.warning("outbox row %s: delivery to %s failed %s: %s", claim.row_id, where,
                            "for good" if failed.permanent else "for now", failed.reason)
                if not failed.permanent:
                    for_now += 1
                    continue
                gave_up.append(_recipient(out))
                team_id = getattr(getattr(out.reply, "target", None), "team_id", None)
                if team_id is not None:
                    payload = {**payload, FAILED_TEAM: int(team_id)}  # for the leader's digest
                    await _tell_chair(app, int(team_id), out, failed.reason)
        if not for_now and not gave_up:
            await lease.finish(app.sessions, claim, status="sent", sent_at=app.clock.now())
        elif not for_now:  # nothing left worth trying: failed for good (sent if someone got it)
            status = "sent" if delivered or payload.get(DELIVERED) else "failed"
            report.failed += status == "failed"
            await lease.finish(app.sessions, claim, status=status, note=f"failed for good: {why[0]}"[:200],
                               sent_at=app.clock.now() if status == "sent" else None,
                               payload=_merged(payload, delivered, gave_up))
        else:  # try again later, for those not reached yet only
            await _release(app, claim, payload, delivered, gave_up, why[-1])
    except Exception:  # the row stays 'sending' and is taken up again when its lease runs out
        log.exception("outbox row %s: could not record the delivery", claim.row_id)
    finally:
        in_flight.release()


def _merged(payload: dict[str, Any], delivered: list[str], gave_up: list[str]) -> dict[str, Any]:
    return {**payload, DELIVERED: sorted(set(payload.get(DELIVERED, [])) | set(delivered)),
            GAVE_UP: sorted(set(payload.get(GAVE_UP, [])) | set(gave_up))}


async def _tell_chair(app: Leerteam, team_id: int, out: Outgoing, reason: str) -> None:
    """A scheduled team post failed for good: queue one private notice to the chair (deduped per
    team and chat: a week of failing reminders is one message, not one each)."""
    now = app.clock.now()
    key = f"{UNDELIVERABLE}:{team_id}:{out.address.platform}:{out.address.chat_id}"[:160]
    async with app.sessions() as session:
        await q.insert_ignore(session, Outbox, [{
            "dedupe_key": key, "kind": UNDELIVERABLE, "due_at": now, "status": "pending", "attempts": 0,
            "created_at": now, "claim_no": 0,
            "payload": {"team_id": team_id, "platform": out.address.platform, "reason": reason[:120]},
        }], ["dedupe_key"])
        await session.commit()


async def _release(app: Leerteam, claim: Claim, payload: dict[str, Any], delivered: list[str],
                   gave_up: list[str], why: str) -> None:
    """A failed attempt: try again on a later tick, up to MAX_ATTEMPTS; recipients already
    reached are remembered on the row, so a retry does not send to them twice."""
    async with app.sessions() as session:
        row = await session.get(Outbox, claim.row_id)
        attempts = row.attempts if row is not None else MAX_ATTEMPTS
    status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
    if status == "failed":
        log.warning("outbox row %s failed after %d attempts: %s", claim.row_id, attempts, why)
    await lease.finish(app.sessions, claim, status=status, note=f"delivery failed: {why}"[:200],
                       payload=_merged(payload, delivered, gave_up) if payload else Outbox.payload)


async def next_due(app: Leerteam, after: datetime, until: datetime) -> datetime | None:
    """The first moment in (after, until] at which a tick has something to do: a queued row is
    due, a capability's own moment comes (a reminder falls due, a meeting ends, a poll closes), or
    (on long jumps) the planning horizon moves. The console's simulated clock stops at each of
    these, as if the bot had been running."""
    found: list[datetime] = []
    async with app.sessions() as session:
        first_row = (await session.exec(select(Outbox.due_at).where(
            Outbox.status == "pending", col(Outbox.due_at) > after, col(Outbox.due_at) <= until,
        ).order_by(col(Outbox.due_at)))).first()
        if first_row is not None:
            found.append(first_row)
        for moments in app.registry.due_moments:  # the capabilities' own moments
            found += [t for t in await moments(session, after, until) if after < t <= until]
    if until - after > timedelta(days=7):
        found.append(after + timedelta(days=7))
    return min(found) if found else None


class Clockwork:
    """APScheduler's AsyncIOScheduler with one interval job: ``await app.tick()``.

    ``coalesce`` and ``max_instances=1`` make a slow tick delay the next instead of piling up;
    missed runs after a pause are not replayed (the tick itself catches up from the database)."""

    def __init__(self, app: Leerteam, seconds: int) -> None:
        self.app = app
        self.seconds = seconds
        self.scheduler: Any = None
        self._running: asyncio.Task[Any] | None = None

    async def _tick(self) -> None:
        self._running = asyncio.current_task()
        try:
            await self.app.tick()
        except asyncio.CancelledError:  # shutting down: what is claimed is taken up again later
            log.info("tick cancelled")
        except Exception:  # a failing tick must not stop the clock
            log.exception("tick failed")
        finally:
            self._running = None

    def start(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler  # lazy: the console starts fast

        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.seconds,
            id="leerteam-tick",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=self.seconds,
            next_run_time=datetime.now(UTC) + timedelta(seconds=1),
        )
        self.scheduler.start()

    async def stop(self, grace: float = 20.0) -> None:
        """Stop ticking, let a tick that is under way finish, then release whatever this process
        still holds (other processes need not wait for its leases to run out)."""
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None
        running = self._running
        if running is not None and not running.done():
            try:
                await asyncio.wait_for(asyncio.shield(running), timeout=grace)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("the last tick did not finish within %.0f s", grace)
        try:
            await lease.release_all(self.app.sessions, self.app.holder)
        except Exception as exc:  # the leases run out by themselves
            log.warning("could not release outbox claims: %s", exc)
