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
   outcome. The row is written (rendered) at send time (:mod:`bot.core.writing`), delivered through
   the transport attached to the app, and marked ``sent``, ``skipped`` (e.g. the meeting was moved
   or has already started: logged and counted) or ``failed`` (for good, or after
   ``writing.MAX_ATTEMPTS``; a team post that failed for good queues one notice to the chair).
   A row whose holder died is taken up again when its lease (45 s) runs out.
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
from bot.core.capability import PlanRun
from bot.core.delivery import DeliveryFailed, Outgoing
from bot.core.fallback import as_failure
from bot.core.lease import RENEW_EVERY, Claim
from bot.core.writing import (
    DELIVERED,
    RENDER_TOGETHER,
    Prepared,
    merged,
    prepare,
    prepare_together,
    recipient,
    release,
)
from storage import queries as q
from storage.models import Outbox

if TYPE_CHECKING:
    from bot.app import Leerteam

log = logging.getLogger(__name__)

ADVISORY_LOCK = 7411006  # PostgreSQL: one planner at a time
SENDER_LOCK = 7411015  # PostgreSQL: one sender at a time, across every process of an installation
BATCH = 500
# Outbox rows on their way to the platform at once (see drain). Telegram allows 30 messages/s per
# bot; at a round trip of 50-100 ms, 3 sends in flight keep that pace, so 4 leave a margin. The
# window is also the most a crash can duplicate: a row in flight may have arrived before the
# process died, and is sent again when its lease runs out.
SENDERS = 4
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
    outcomes = lease.Outcomes(app.sessions)
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
                        for prepared in await prepare_together(app, chunk, now, report):
                            await in_flight.acquire()  # no more on their way than the window can send
                            _send(app, prepared, report, in_flight, sending, outcomes)
                        chunk = []
                    continue
                await in_flight.acquire()  # claim no more than the window can send
                one = await prepare(app, int(row_id), now, report)
                if one is None:
                    in_flight.release()
                    continue
                _send(app, one, report, in_flight, sending, outcomes)
    finally:
        if sending:
            await asyncio.gather(*sending, return_exceptions=True)
        await outcomes.close()


FAILED_TEAM = "_failed_team"  # Outbox.payload: the team whose chat refused the post (the digest counts)


def _send(app: Leerteam, prepared: Prepared, report: TickReport, in_flight: asyncio.Semaphore,
          sending: set[asyncio.Task[None]], outcomes: lease.Outcomes) -> None:
    task = asyncio.create_task(_deliver(app, *prepared, report, in_flight, outcomes))
    sending.add(task)
    task.add_done_callback(sending.discard)


async def _deliver(app: Leerteam, claim: Claim, outgoing: list[Outgoing], payload: dict[str, Any],
                   report: TickReport, in_flight: asyncio.Semaphore, outcomes: lease.Outcomes) -> None:
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
                delivered.append(recipient(out))
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
                gave_up.append(recipient(out))
                team_id = getattr(getattr(out.reply, "target", None), "team_id", None)
                if team_id is not None:
                    payload = {**payload, FAILED_TEAM: int(team_id)}  # for the leader's digest
                    await _tell_chair(app, int(team_id), out, failed.reason)
        if not for_now and not gave_up:
            await outcomes.finish(claim, status="sent", sent_at=app.clock.now())
        elif not for_now:  # nothing left worth trying: failed for good (sent if someone got it)
            status = "sent" if delivered or payload.get(DELIVERED) else "failed"
            report.failed += status == "failed"
            await lease.finish(app.sessions, claim, status=status, note=f"failed for good: {why[0]}"[:200],
                               sent_at=app.clock.now() if status == "sent" else None,
                               payload=merged(payload, delivered, gave_up))
        else:  # try again later, for those not reached yet only
            await release(app, claim, payload, delivered, gave_up, why[-1])
    except Exception:  # the row stays 'sending' and is taken up again when its lease runs out
        log.exception("outbox row %s: could not record the delivery", claim.row_id)
    finally:
        in_flight.release()


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
