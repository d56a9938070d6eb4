"""Writing the messages of claimed outbox rows (the drain's first step, :mod:`bot.core.outbox`).

A row is *written* at send time — its renderer turns the stored payload into replies, the
resolver turns those into addressed messages — in the transaction that also stores what the bot
will wait for (questions). One row at a time (:func:`prepare`), or, for kinds with a batch renderer
(reminders), a run of rows together (:func:`prepare_together`): one claim, one query per kind of
record and one commit for the lot. Recipients reached by an earlier attempt are not sent to again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from bot.core import lease
from bot.core.capability import Job, Skip
from bot.core.delivery import Outgoing, Resolver
from bot.core.lease import Claim
from bot.core.replies import Reply
from storage.models import Outbox

if TYPE_CHECKING:
    from bot.app import Leerteam
    from bot.core.outbox import TickReport

log = logging.getLogger("bot.core.outbox")

MAX_ATTEMPTS = 5
RENDER_TOGETHER = 100  # rows of a kind with a batch renderer written in one transaction (reminders)
DELIVERED = "_delivered"  # Outbox.payload: recipients already reached, when a row goes to several
GAVE_UP = "_gave_up"  # Outbox.payload: recipients that failed for good (not tried again)

Prepared = tuple[Claim, list[Outgoing], dict[str, Any]]


async def prepare_together(app: Leerteam, row_ids: list[int], now: datetime,
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
            rows = {int(row_id): (kind, payload) for row_id, kind, payload in (await session.exec(
                select(Outbox.id, Outbox.kind, Outbox.payload)
                .where(col(Outbox.id).in_([c.row_id for c in claims])))).all()}  # columns, not objects
            by_kind: dict[str, list[Claim]] = {}
            for c in claims:
                by_kind.setdefault(rows[c.row_id][0], []).append(c)
            rendered: dict[int, list[Reply] | Skip] = {}
            for kind, kind_claims in by_kind.items():
                jobs = [Job(session, kind, dict(rows[c.row_id][1]), now, app.catalog, app.registry)
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
                written.append((c, dict(rows[c.row_id][1]),
                                replies if isinstance(replies, Skip) else await resolver.resolve(replies)))
            await session.commit()  # questions the bot now waits for are stored before sending
    except Exception:
        log.exception("outbox rows %s… could not be written together; one by one instead", row_ids[:3])
        for c in claims:  # back to pending as they were, then each on its own
            await lease.finish(app.sessions, c, status="pending", attempts=Outbox.attempts - 1)
        return [p for row_id in (c.row_id for c in claims)
                if (p := await prepare(app, row_id, now, report)) is not None]
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
    outgoing = [o for o in outgoing if recipient(o) not in done]
    if outgoing:
        return claim, outgoing, payload
    if done:
        await lease.finish(app.sessions, claim, status="sent", sent_at=now)
        return None
    await lease.finish(app.sessions, claim, status="skipped", note="no address")
    log.info("outbox row %s skipped: no address", claim.row_id)
    report.skipped += 1
    return None


async def prepare(app: Leerteam, row_id: int, now: datetime,
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
        await release(app, claim, payload={}, delivered=[], gave_up=[], why="could not be written")
        return None
    return await _addressed(app, claim, outgoing, payload, now, report)


def recipient(out: Outgoing) -> str:
    a = out.address
    return f"{a.platform}|{a.chat_id or ''}|{a.user_id or ''}"


def merged(payload: dict[str, Any], delivered: list[str], gave_up: list[str]) -> dict[str, Any]:
    return {**payload, DELIVERED: sorted(set(payload.get(DELIVERED, [])) | set(delivered)),
            GAVE_UP: sorted(set(payload.get(GAVE_UP, [])) | set(gave_up))}


async def release(app: Leerteam, claim: Claim, payload: dict[str, Any], delivered: list[str],
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
                       payload=merged(payload, delivered, gave_up) if payload else Outbox.payload)


