"""Outbox claims as leases, with a fencing token.

A process claims a due row by one UPDATE that records who holds it (:func:`new_holder`, unique per
process), until when (``lease_until`` = now + :data:`LEASE`) and the claim's number
(``claim_no`` + 1). While its sends are under way the holder renews its leases every
:data:`RENEW_EVERY`. A row whose lease ran out (its holder died or hangs) is claimable again, so it
is taken up within ``LEASE`` + one tick (under a minute with the default 30 s tick), not ten minutes.

Every later write to the row — sent, skipped, failed, released — is fenced: ``WHERE holder = me
AND claim_no = n AND status = 'sending'``. A process that was paused past its lease and resumes
finds its update changes nothing (another process holds a newer claim) and neither marks the row
nor records it as its own. A clean shutdown releases the claims of this process at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, or_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ClauseElement
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Outbox
from storage.queries import core, table_of

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=45)  # a claim's life without renewal: longer than the slowest send (30 s)
RENEW_EVERY = 15.0  # seconds between renewals while sends are under way (three per lease)
STALE_AFTER = timedelta(minutes=10)  # rows claimed before leases existed (no lease_until)


def new_holder() -> str:
    """A token naming this process (host, pid and a random part: a restarted pid is another holder)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Claim:
    row_id: int
    holder: str
    claim_no: int


def claimable(due_by: datetime, now: datetime) -> Any:
    """Rows that are due and free, or whose holder's lease ran out."""
    return or_(
        and_(col(Outbox.status) == "pending", col(Outbox.due_at) <= due_by),
        and_(col(Outbox.status) == "sending", col(Outbox.lease_until) < now),
        and_(col(Outbox.status) == "sending", col(Outbox.lease_until).is_(None),
             col(Outbox.claimed_at) < now - STALE_AFTER),
    )


def _fence(claim: Claim) -> Any:
    return and_(col(Outbox.id) == claim.row_id, col(Outbox.holder) == claim.holder,
                col(Outbox.claim_no) == claim.claim_no, col(Outbox.status) == "sending")


async def claim(sessions: async_sessionmaker[AsyncSession], row_id: int, holder: str, due_by: datetime,
                now: datetime) -> Claim | None:
    """Take the row for this process, or None when it is not (or no longer) free."""
    async with sessions() as session:
        taken = await core(session,
            update(Outbox).where(col(Outbox.id) == row_id, claimable(due_by, now))
            .values(status="sending", holder=holder, claim_no=Outbox.claim_no + 1, claimed_at=now,
                    lease_until=now + LEASE, attempts=Outbox.attempts + 1)
            .returning(col(Outbox.claim_no))
        )
        number = taken.scalar()
        await session.commit()
    return None if number is None else Claim(row_id, holder, int(number))


async def claim_many(sessions: async_sessionmaker[AsyncSession], row_ids: Sequence[int], holder: str,
                     due_by: datetime, now: datetime) -> list[Claim]:
    """:func:`claim` for a batch of rows in one statement; the rows that were free, in the order
    asked for (the others are another process's, or done)."""
    if not row_ids:
        return []
    async with sessions() as session:
        taken = await core(session,
            update(Outbox).where(col(Outbox.id).in_(list(row_ids)), claimable(due_by, now))
            .values(status="sending", holder=holder, claim_no=Outbox.claim_no + 1, claimed_at=now,
                    lease_until=now + LEASE, attempts=Outbox.attempts + 1)
            .returning(col(Outbox.id), col(Outbox.claim_no))
        )
        numbers = {int(row_id): int(number) for row_id, number in taken.all()}
        await session.commit()
    return [Claim(row_id, holder, numbers[row_id]) for row_id in row_ids if row_id in numbers]


_FINISHED: dict[tuple[str, ...], Any] = {}  # prepared outcome statements, by the columns they set


def _finished(columns: tuple[str, ...]) -> Any:
    """``UPDATE outbox SET holder = NULL, lease_until = NULL, <columns> WHERE <this claim>`` with
    every value bound: built once per set of columns, since every message sent writes one."""
    if columns not in _FINISHED:
        table = table_of(Outbox)
        _FINISHED[columns] = (
            update(Outbox)
            .where(col(Outbox.id) == bindparam("fence_row"), col(Outbox.holder) == bindparam("fence_holder"),
                   col(Outbox.claim_no) == bindparam("fence_no"), col(Outbox.status) == "sending")
            .values(holder=None, lease_until=None,
                    **{c: bindparam(f"set_{c}", type_=table.c[c].type) for c in columns}))
    return _FINISHED[columns]


def _finished_params(claim: Claim, values: dict[str, Any]) -> dict[str, Any]:
    """What :func:`_finished`'s statement binds: this claim's fence and the outcome's values."""
    return {"fence_row": claim.row_id, "fence_holder": claim.holder, "fence_no": claim.claim_no,
            **{f"set_{c}": v for c, v in values.items()}}


async def finish(sessions: async_sessionmaker[AsyncSession], claim: Claim, **values: Any) -> bool:
    """Write the outcome (status, note, payload …) if this claim is still the current one."""
    async with sessions() as session:
        if any(isinstance(v, ClauseElement | InstrumentedAttribute) for v in values.values()):
            stmt = update(Outbox).where(_fence(claim)).values(holder=None, lease_until=None, **values)
            done = await core(session, stmt)
        else:  # plain values (every sent message): the prepared statement
            done = await core(session, _finished(tuple(sorted(values))), _finished_params(claim, values))
        await session.commit()
    return _recorded(claim, done.rowcount)


def _recorded(claim: Claim, rowcount: int) -> bool:
    if rowcount != 1:
        log.warning("outbox row %s: claim %s of %s was taken over; its outcome is not recorded",
                    claim.row_id, claim.claim_no, claim.holder)
        return False
    return True


class Outcomes:
    """Where a drain writes its sent rows' outcomes: one connection held for the whole drain, each
    outcome still its own transaction, committed right after its own send (so exactly-once is as
    with :func:`finish`). Thousands of reminders then cost no session and no pool checkout each —
    a third of an outcome's CPU (``python -m bench``, row 2). The drain's senders take turns on
    the connection; a failed write gives the connection up, and the next outcome takes a new one."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.engine: AsyncEngine = sessions.kw["bind"]
        self._conn: AsyncConnection | None = None
        self._turns = asyncio.Lock()

    async def finish(self, claim: Claim, **values: Any) -> bool:
        """:func:`finish` for plain values (``status``, ``sent_at`` …)."""
        params = _finished_params(claim, values)
        async with self._turns:
            if self._conn is None:
                self._conn = await self._autocommitting()
            try:
                done = await self._conn.execute(_finished(tuple(sorted(values))), params)
                await self._conn.commit()
            except BaseException:
                await self._drop()
                raise
        return _recorded(claim, done.rowcount)

    async def _autocommitting(self) -> AsyncConnection:
        """A connection on which each outcome, one statement, is committed as it runs, with no
        COMMIT of its own (on SQLite one hand-off to the database thread instead of two; on
        PostgreSQL one round trip less). SQLAlchemy restores a connection's isolation level when it
        goes back to the pool only once the switch has completed, so a sender cancelled meanwhile
        lets the switch finish before it gives the connection back."""
        conn = await self.engine.connect()
        switching = asyncio.ensure_future(conn.execution_options(isolation_level="AUTOCOMMIT"))
        try:
            await asyncio.shield(switching)
        except BaseException:
            await asyncio.gather(switching, return_exceptions=True)
            await conn.close()
            raise
        return conn

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()  # rolls back what the failed write left open
            except Exception as exc:
                log.warning("could not close the outcome connection: %s", exc)

    async def close(self) -> None:
        async with self._turns:
            await self._drop()


async def renew(sessions: async_sessionmaker[AsyncSession], holder: str, now: datetime) -> int:
    """Extend every lease this process holds (called while sends are under way)."""
    async with sessions() as session:
        renewed = await core(session,
            update(Outbox).where(col(Outbox.holder) == holder, col(Outbox.status) == "sending")
            .values(lease_until=now + LEASE)
        )
        await session.commit()
    return int(renewed.rowcount or 0)


async def release_all(sessions: async_sessionmaker[AsyncSession], holder: str) -> int:
    """A clean shutdown: this process's claims are free again at once (not after the lease)."""
    async with sessions() as session:
        freed = await core(session,
            update(Outbox).where(col(Outbox.holder) == holder, col(Outbox.status) == "sending")
            .values(status="pending", holder=None, lease_until=None, attempts=Outbox.attempts - 1)
        )
        await session.commit()
    count = int(freed.rowcount or 0)
    if count:
        log.info("released %d outbox claim(s) at shutdown", count)
    return count
