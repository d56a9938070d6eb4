"""The clock: APScheduler is only a metronome, the database is the truth.

One interval job (``LEERTEAM_TICK_SECONDS``, default 30 s) calls :meth:`bot.app.Leerteam.tick`.
Nothing else is scheduled in APScheduler and nothing is pickled: every tick looks in the database
for what is due. A tick has two halves:

1. **plan** (one transaction; on PostgreSQL only one process at a time, by an advisory lock,
   the others skip it): create meetings from the rhythms up to eight weeks ahead, queue the
   reminders that are due, close meetings that ended (agenda points roll over, the chair is asked
   for notes), and run the momentum guard. Everything queued is an :class:`Outbox` row with a
   unique ``dedupe_key``: inserting it twice is a no-op.
2. **drain**: each due row is *claimed* with ``UPDATE … SET status='sending' WHERE id=… AND
   status='pending'``; only the process whose update changed the row sends it, so two processes
   never both send. The row is written (rendered) at send time, delivered through the transport
   attached to the app, and marked ``sent`` (or ``skipped``, e.g. when the meeting was moved or
   has already started). A row left in ``sending`` by a process that died is taken up again
   after :data:`STALE_AFTER`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, text, update
from sqlmodel import col, select

from bot.core.capability import Job, PlanRun, Skip
from bot.core.delivery import Outgoing, Resolver
from storage.models import Outbox

if TYPE_CHECKING:
    from bot.app import Leerteam

log = logging.getLogger(__name__)

ADVISORY_LOCK = 7411006  # PostgreSQL: one planner at a time
STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 5
BATCH = 500
SENDERS = 16  # outbox messages on their way to the platform at once (see drain)


@dataclass
class TickReport:
    planned: bool = False
    new_meetings: int = 0
    queued: int = 0
    closed: int = 0
    nudges: int = 0
    sent: list[Outgoing] = field(default_factory=list)
    skipped: int = 0


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


def _claimable(now: datetime) -> Any:
    return or_(
        and_(col(Outbox.status) == "pending", col(Outbox.due_at) <= now),
        and_(col(Outbox.status) == "sending", col(Outbox.claimed_at) < now - STALE_AFTER),
    )


async def drain(app: Leerteam, now: datetime, report: TickReport) -> None:
    """Send everything that is due, batch after batch, until nothing due is left (a burst of
    thousands of reminders is not spread over several ticks). Rows are claimed and written one
    after another, in order; up to :data:`SENDERS` of them are on their way at once, so the
    platform's round trip does not set the pace — the transport's rate limiter does. A row
    whose delivery failed is not tried again in the same drain (the cursor has passed it)."""
    if not app.transports:
        return  # nobody to send through: the rows wait for a process that has a transport
    after: tuple[datetime, int] | None = None
    in_flight = asyncio.Semaphore(SENDERS)
    sending: set[asyncio.Task[None]] = set()
    try:
        while True:
            async with app.sessions() as session:
                stmt = select(Outbox.id, Outbox.due_at).where(_claimable(now))
                if after is not None:
                    stmt = stmt.where(or_(col(Outbox.due_at) > after[0],
                                          and_(col(Outbox.due_at) == after[0], col(Outbox.id) > after[1])))
                batch = (
                    await session.exec(stmt.order_by(col(Outbox.due_at), col(Outbox.id)).limit(BATCH))
                ).all()
            if not batch:
                return
            after = (batch[-1][1], int(batch[-1][0]))
            for row_id, _ in batch:
                outgoing = await _prepare(app, int(row_id), now, report)
                if outgoing is None:
                    continue
                await in_flight.acquire()
                task = asyncio.create_task(_deliver(app, int(row_id), outgoing, now, report, in_flight))
                sending.add(task)
                task.add_done_callback(sending.discard)
    finally:
        if sending:
            await asyncio.gather(*sending, return_exceptions=True)


async def _prepare(app: Leerteam, row_id: int, now: datetime, report: TickReport) -> list[Outgoing] | None:
    """Claim a row and write its messages; None when there is nothing (more) to send."""
    async with app.sessions() as session:
        # the claim is stamped with the real time, not the tick's start: a long drain must not make
        # its own rows look stale to another process
        claimed = await session.exec(update(Outbox).where(col(Outbox.id) == row_id, _claimable(now))
                                     .values(status="sending", claimed_at=max(now, app.clock.now()),
                                             attempts=Outbox.attempts + 1))
        await session.commit()
        if claimed.rowcount != 1:
            return None  # another process has it
    platform = next(iter(app.transports))
    try:
        async with app.sessions() as session:
            row = await session.get(Outbox, row_id)
            assert row is not None
            try:
                renderer = app.registry.renderers.get(row.kind)
                if renderer is None:
                    raise Skip(f"unknown kind {row.kind}")
                replies = await renderer(
                    Job(session, row.kind, dict(row.payload), now, app.catalog, app.registry)
                )
            except Skip as why:
                await session.rollback()
                await _finish(app, row_id, "skipped", now, str(why)[:200])
                report.skipped += 1
                return None
            resolver = Resolver.for_clock(session, app.catalog, default_lang=app.settings.language, now=now,
                                          platform=platform)
            outgoing = await resolver.resolve(replies)
            done = set(row.payload.get(DELIVERED, []))  # recipients reached by an earlier attempt
            outgoing = [o for o in outgoing if _recipient(o) not in done]
            await session.commit()  # questions the bot now waits for are stored before sending
    except Exception:
        log.exception("outbox row %s could not be prepared", row_id)
        await _release(app, row_id, now)
        return None
    if not outgoing:
        if done:
            await _finish(app, row_id, "sent", now)
            return None
        await _finish(app, row_id, "skipped", now, "no address")
        report.skipped += 1
        return None
    return outgoing


DELIVERED = "_delivered"  # Outbox.payload: recipients already reached, when a row goes to several


def _recipient(out: Outgoing) -> str:
    a = out.address
    return f"{a.platform}|{a.chat_id or ''}|{a.user_id or ''}"


async def _deliver(app: Leerteam, row_id: int, outgoing: list[Outgoing], now: datetime, report: TickReport,
                   in_flight: asyncio.Semaphore) -> None:
    try:
        delivered: list[str] = []
        failed = 0
        for out in outgoing:
            transport = app.transports.get(out.address.platform)
            if transport is None:
                failed += 1
                continue
            try:
                await transport.send(out)
                delivered.append(_recipient(out))
                report.sent.append(out)
            except Exception:
                failed += 1
                log.exception("outbox row %s: delivery to %s failed", row_id, out.address)
        if not failed:
            await _finish(app, row_id, "sent", now)
        else:  # try again later, for those not reached yet only
            await _release(app, row_id, now, delivered)
    except Exception:  # the row stays 'sending' and is taken up again after STALE_AFTER
        log.exception("outbox row %s: could not record the delivery", row_id)
    finally:
        in_flight.release()


async def _finish(app: Leerteam, row_id: int, status: str, now: datetime, note: str | None = None) -> None:
    async with app.sessions() as session:
        await session.exec(update(Outbox).where(col(Outbox.id) == row_id)
                           .values(status=status, sent_at=now if status == "sent" else None, note=note))
        await session.commit()


async def _release(app: Leerteam, row_id: int, now: datetime, delivered: list[str] | None = None) -> None:
    """A failed attempt: try again on a later tick, up to MAX_ATTEMPTS; recipients already
    reached are remembered on the row, so a retry does not send to them twice."""
    async with app.sessions() as session:
        row = await session.get(Outbox, row_id)
        if row is not None:
            if delivered:
                row.payload = {
                    **row.payload,
                    DELIVERED: sorted(set(row.payload.get(DELIVERED, [])) | set(delivered)),
                }
            row.status = "failed" if row.attempts >= MAX_ATTEMPTS else "pending"
            row.note = "delivery failed"
            session.add(row)
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
        """Stop ticking, and let a tick that is under way finish (its outbox rows are claimed:
        cutting it off would leave them waiting for the stale-claim timeout)."""
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None
        running = self._running
        if running is not None and not running.done():
            try:
                await asyncio.wait_for(asyncio.shield(running), timeout=grace)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("the last tick did not finish within %.0f s", grace)
