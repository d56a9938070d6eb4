"""The momentum guard: notices what makes learning teams fade, once.

- two (or more) meetings cancelled in a row (holidays do not break or count in a row);
- a cycle phase that has not moved for ``LEERTEAM_STALL_WEEKS`` weeks — measured against the plan:
  a running intervention (phase 4 before its evaluation opens) is never stalled by its length;
  what stalls it is a measurement moment that passed a week ago without a result (seed 002,
  "neem de tijd");
- a member who contributed nothing (no answer, agenda point, source or hypothesis) since the
  last ``LEERTEAM_QUIET_MEETINGS`` held meetings.

Each finding is a :class:`MomentumFlag` with a unique key, so it is raised once however often
the clock ticks; its private nudge to the chair is an outbox row keyed by the flag, so it is sent
once. The flags stay for the leader's digest. Every check is a handful of queries for all teams
together, not a query per team.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.config import Settings
from handlers.common.school_time import hold_quiet
from handlers.common.values import today_in
from handlers.cycle.running import MISSED_AFTER_DAYS, open_moments
from handlers.cycle.short_cycle import SHORTEST_STALL_WEEKS
from handlers.cycle.short_cycle import stall_weeks as short_stall_weeks
from handlers.meetings.plan import HORIZON_DAYS, chairs_of
from storage.models import (
    AgendaItem,
    Answer,
    Cycle,
    CycleRound,
    Hypothesis,
    Meeting,
    MomentumFlag,
    Outbox,
    Source,
    TeamMembership,
)
from storage.queries import insert_ignore

LOOK_BACK_DAYS = 56


async def check(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Raise new flags and queue one nudge per new flag; returns the number of nudges queued."""
    flags = await _cancelled_in_a_row(session, now)
    flags += await _phase_stalled(session, settings, now)
    flags += await _moments_missed(session, now)
    flags += await _quiet_members(session, settings, now)
    if not flags:
        return 0
    await insert_ignore(session, MomentumFlag, flags, ["key"])
    chairs = await chairs_of(session, sorted({f["team_id"] for f in flags}))
    nudges = []
    nudge_teams: list[int | None] = []  # each nudge's team, for the quiet hours
    for f in flags:
        chair = chairs.get(f["team_id"])
        if chair is None or chair == f.get("member_id"):
            continue  # no chair to nudge: the flag waits for the leader's digest
        nudge_teams.append(f["team_id"])
        nudges.append(
            {
                "dedupe_key": f"nudge:{f['key']}",
                "kind": "nudge",
                "due_at": now,
                "status": "pending",
                "attempts": 0,
                "created_at": now,
                "payload": {
                    "flag_key": f["key"],
                    "kind": f["kind"],
                    "team_id": f["team_id"],
                    "chair_id": chair,
                    "member_id": f.get("member_id"),
                    "detail": f["detail"],
                },
            }
        )
    await hold_quiet(session, nudges, nudge_teams)
    return await insert_ignore(session, Outbox, nudges, ["dedupe_key"])


def _flag(team_id: int, kind: str, key: str, now: datetime, detail: dict[str, Any],
          member_id: int | None = None) -> dict[str, Any]:
    return {"team_id": team_id, "kind": kind, "key": key, "member_id": member_id, "detail": detail,
            "raised_at": now}


async def _cancelled_in_a_row(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    teams = select(Meeting.team_id).where(
        Meeting.status == "cancelled", col(Meeting.starts_at) >= now - timedelta(days=LOOK_BACK_DAYS))
    rows = (await session.exec(select(Meeting).where(
        col(Meeting.team_id).in_(teams), col(Meeting.status).in_(("planned", "held", "cancelled")),
        col(Meeting.starts_at) >= now - timedelta(days=LOOK_BACK_DAYS),
        col(Meeting.starts_at) <= now + timedelta(days=HORIZON_DAYS),
    ).order_by(col(Meeting.team_id), col(Meeting.starts_at)))).all()
    out: list[dict[str, Any]] = []
    run: list[Meeting] = []

    def close() -> None:
        if len(run) >= 2:
            out.append(
                _flag(
                    run[0].team_id,
                    "cancelled_in_a_row",
                    f"cancelled:{run[0].team_id}:{run[0].id}",
                    now,
                    {"count": len(run), "starts": [m.starts_at.isoformat() for m in run]},
                )
            )

    for m in rows:
        if run and (m.team_id != run[-1].team_id or m.status != "cancelled"):
            close()
            run = []
        if m.status == "cancelled":
            run.append(m)
    close()
    return out


async def _phase_stalled(session: AsyncSession, settings: Settings, now: datetime) -> list[dict[str, Any]]:
    # a short first cycle expects shorter phases (handlers/cycle/short_cycle.py): read from its shortest
    cutoff = now - timedelta(weeks=min(settings.stall_weeks, SHORTEST_STALL_WEEKS))
    rows = (await session.exec(
        select(Cycle, CycleRound).join(CycleRound, col(CycleRound.cycle_id) == col(Cycle.id))
        .where(Cycle.status == "active", col(CycleRound.phase_started_at) <= cutoff)
        # a running intervention is measured against its plan (_moments_missed), not its length
        .where(or_(col(CycleRound.phase) != 4, col(CycleRound.evaluation_opened_at).is_not(None)))
        .order_by(col(CycleRound.number).desc())
    )).all()
    latest: dict[int, tuple[Cycle, CycleRound]] = {}
    for cycle, rnd in rows:
        latest.setdefault(cycle.id, (cycle, rnd))
    # a later round that is not stalled overrides: only flag a cycle whose newest round is old
    newest = (
        dict(
            (
                await session.exec(
                    select(CycleRound.cycle_id, func.max(CycleRound.number))
                    .where(col(CycleRound.cycle_id).in_(list(latest)))
                    .group_by(col(CycleRound.cycle_id))
                )
            ).all()
        )
        if latest
        else {}
    )
    out = []
    for cycle, rnd in latest.values():
        if newest.get(cycle.id) != rnd.number:
            continue
        limit = short_stall_weeks(cycle, rnd.phase, settings.stall_weeks)  # shorter in a short first cycle
        if now - rnd.phase_started_at < timedelta(weeks=limit):
            continue
        weeks = (now - rnd.phase_started_at).days // 7
        key = f"phase:{rnd.id}:{rnd.phase}:{rnd.phase_started_at.date().isoformat()}"
        out.append(_flag(cycle.team_id, "phase_stalled", key, now,
                         {"phase": rnd.phase, "weeks": weeks, "title": cycle.title}))
    return out


async def _moments_missed(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """A measurement moment of a running intervention, a week past, still without a result."""
    out = []
    for m, _, team, school in await open_moments(session):
        if today_in(school.timezone, now) < m.on + timedelta(days=MISSED_AFTER_DAYS):
            continue
        out.append(_flag(team.id, "moment_missed", f"missed:{m.id}:{m.on.isoformat()}", now,
                         {"moment_id": m.id, "on": m.on.isoformat(), "label": m.label or ""}))
    return out


async def _quiet_members(session: AsyncSession, settings: Settings, now: datetime) -> list[dict[str, Any]]:
    k = settings.quiet_meetings
    held = (await session.exec(select(Meeting.team_id, Meeting.starts_at).where(
        Meeting.status == "held", col(Meeting.starts_at) >= now - timedelta(days=7 * 8 * k),
    ).order_by(col(Meeting.team_id), col(Meeting.starts_at).desc()))).all()
    cutoffs: dict[int, datetime] = {}
    counts: dict[int, int] = {}
    for team_id, starts in held:
        counts[team_id] = counts.get(team_id, 0) + 1
        if counts[team_id] == k:
            cutoffs[team_id] = starts
    if not cutoffs:
        return []
    team_ids = list(cutoffs)
    members = (
        await session.exec(select(TeamMembership).where(col(TeamMembership.team_id).in_(team_ids)))
    ).all()
    last: dict[tuple[int, int], datetime] = {}

    def seen(team_id: int, member_id: int | None, at: datetime | None) -> None:
        if member_id is None or at is None:
            return
        key = (team_id, member_id)
        if key not in last or at > last[key]:
            last[key] = at

    round_team = (select(CycleRound.id, Cycle.team_id).join(Cycle, col(Cycle.id) == col(CycleRound.cycle_id))
                  .where(col(Cycle.team_id).in_(team_ids)).subquery())
    for team_id, member_id, at in (
        await session.exec(
            select(round_team.c.team_id, Answer.member_id, func.max(Answer.updated_at))
            .join(round_team, round_team.c.id == col(Answer.round_id))
            .group_by(round_team.c.team_id, col(Answer.member_id))
        )
    ).all():
        seen(team_id, member_id, _aware(at))
    for round_team_id, added_by, added_at in (await session.exec(
        select(round_team.c.team_id, Hypothesis.added_by, func.max(Hypothesis.added_at))
        .join(round_team, round_team.c.id == col(Hypothesis.round_id))
        .group_by(round_team.c.team_id, col(Hypothesis.added_by))
    )).all():
        seen(round_team_id, added_by, _aware(added_at))
    for model in (AgendaItem, Source):
        for record_team_id, record_by, record_at in (await session.exec(
            select(model.team_id, model.added_by, func.max(model.added_at))
            .where(col(model.team_id).in_(team_ids)).group_by(col(model.team_id), col(model.added_by))
        )).all():
            seen(record_team_id, record_by, _aware(record_at))
    out = []
    for tm in members:
        cutoff = cutoffs[tm.team_id]
        if tm.joined_at >= cutoff:
            continue  # too new to be quiet
        last_seen = last.get((tm.team_id, tm.member_id))
        if last_seen is not None and last_seen >= cutoff:
            continue
        since = last_seen.isoformat() if last_seen is not None else "never"
        out.append(_flag(tm.team_id, "quiet_member", f"quiet:{tm.team_id}:{tm.member_id}:{since}", now,
                         {"meetings": k}, member_id=tm.member_id))
    return out


def _aware(value: Any) -> datetime | None:
    """Aggregates (max) come back without the column type on some databases: make them UTC."""

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
