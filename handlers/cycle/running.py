"""The intervention in time (seed 002, "neem de tijd"; seed 003, the cycle's data plan).

After phase 3 the round enters phase 4 first as *in uitvoering*: from the intervention's start
(when phase 3 was closed) until its last measurement moment. The evaluation opens when the last
moment has a result, or when the chair moves on with a reason. While it runs, the team sees where
it is in the plan ("week 5 van 12; volgende meting 15 maart: …"), is reminded before each moment
what to measure with which instrument, and is asked for the result after it. The momentum guard
measures against this plan, not against the length of the phase.

A round is running when ``phase == 4`` and ``evaluation_opened_at`` is empty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import command_name
from bot.core.context import Context
from bot.core.replies import Reply
from handlers.common.school_time import local_start, next_allowed, zone
from handlers.common.targets import NoChat, text, to_team
from handlers.common.values import date_msg, today_in
from handlers.cycle.moment_owner import owner_names
from prompts.catalog import Join, Msg
from storage.models import (
    Cycle,
    CycleRound,
    MeasurementMoment,
    Member,
    PlanRecord,
    School,
    Team,
    TeamMembership,
)

REMIND_DAYS_BEFORE = 3  # the reminder: what to measure, with which instrument
ASK_DAYS_AFTER = 1  # the question for the result
MISSED_AFTER_DAYS = 7  # a moment this long past without a result is what the momentum guard flags
SEND_AT = "08:00"  # local time of reminders and questions


def is_running(rnd: CycleRound) -> bool:
    return rnd.phase == 4 and rnd.evaluation_opened_at is None


def plan_weeks(start: date, moments: Sequence[MeasurementMoment], today: date) -> tuple[int, int]:
    """(this week, weeks in the plan): week 1 starts on the intervention's start; the plan ends
    on the last measurement moment."""
    last = max(m.on for m in moments)
    weeks = max(1, math.ceil((last - start).days / 7))
    week = max(1, (today - start).days // 7 + 1)
    return min(week, weeks), weeks


def moment_what(m: MeasurementMoment, instrument: str | None, who: str | None) -> str:
    """'begrijpend lezen, M-toets, Carla': the label, the instrument and who is responsible."""
    return ", ".join(x for x in (m.label, instrument, who) if x)


async def running_lines(session: AsyncSession, rounds: Sequence[tuple[int, CycleRound]],
                        today: date, tz: str) -> dict[int, Msg]:
    """For each (team id, round) that is running: 'in uitvoering, week 5 van 12; volgende meting …'.
    A few queries for all rounds together."""
    live = {rnd.id: (team_id, rnd) for team_id, rnd in rounds if is_running(rnd)}
    if not live:
        return {}
    moments: dict[int, list[MeasurementMoment]] = {}
    for m in (await session.exec(select(MeasurementMoment).where(
            col(MeasurementMoment.round_id).in_(list(live)))
            .order_by(col(MeasurementMoment.on), col(MeasurementMoment.id)))).all():
        moments.setdefault(m.round_id, []).append(m)
    instruments = {p.round_id: p.instrument for p in (await session.exec(
        select(PlanRecord).where(col(PlanRecord.round_id).in_(list(live))))).all()}
    chairs = await chair_names(session, [team_id for team_id, _ in live.values()])
    owners = await owner_names(session, [m for ms in moments.values() for m in ms])  # else the chair
    out: dict[int, Msg] = {}
    for rid, (team_id, rnd) in live.items():
        ms = moments.get(rid, [])
        if not ms:
            continue
        start = today_in(tz, rnd.phase_started_at)
        week, weeks = plan_weeks(start, ms, today)
        open_ = [m for m in ms if m.result_value is None]
        ahead = [m for m in open_ if m.on >= today]
        if open_ and open_[0].on < today:  # a moment passed without a result comes first
            then: Msg = Msg("method.running_waiting", on=date_msg(open_[0].on),
                            result_cmd=command_name("result"))
        elif ahead:
            nxt = ahead[0]
            then = Msg("method.running_next", on=date_msg(nxt.on),
                       what=moment_what(nxt, instruments.get(rid), owners.get(nxt.id) or chairs.get(team_id)))
        else:
            then = Msg("method.running_done")
        out[team_id] = Msg("method.running", week=week, weeks=weeks, next=then)
    return out


async def chair_names(session: AsyncSession, team_ids: Sequence[int]) -> dict[int, str]:
    """Each team's chair by name (the longest-serving one): the person responsible for measuring."""
    if not team_ids:
        return {}
    rows = (await session.exec(
        select(TeamMembership.team_id, Member.display_name)
        .join(Member, col(Member.id) == col(TeamMembership.member_id))
        .where(col(TeamMembership.team_id).in_(list(team_ids)), TeamMembership.role == "chair")
        .order_by(col(TeamMembership.joined_at), col(TeamMembership.id)))).all()
    out: dict[int, str] = {}
    for team_id, name in rows:
        out.setdefault(team_id, name)
    return out


async def home_running(ctx: Context, rounds: Sequence[tuple[int, CycleRound]]) -> dict[int, Msg]:
    """The overview's hook (``home.running``): the running line per team of this school."""
    tz = ctx.school.timezone if ctx.school else ctx.settings.timezone
    return await running_lines(ctx.session, rounds, today_in(tz, ctx.now()), tz)


async def open_evaluation(ctx: Context, team: Team, cycle: Cycle, rnd: CycleRound,
                          reason: str | None = None) -> list[Reply]:
    """The last measurement has a result (or the chair moves on): phase 4's evaluation opens."""
    from handlers.cycle.commands import phase_opening  # the opening text lives with the other phases

    now = ctx.now()
    rnd.evaluation_opened_at, rnd.phase_started_at = now, now
    ctx.session.add(rnd)
    head: list[object] = []
    if reason:  # the role word of whoever moves on: the chair, or the school leader acting for the team
        who = Msg("daily.who_chair") if await ctx.team_role(team) == "chair" else Msg("daily.who_leader")
        head.append(Msg("cycle.overridden", reason=reason, who=who))
    head.append(Msg("method.evaluation_opens"))
    return await to_team(ctx.session, team, text(Join([*head, phase_opening(ctx, rnd, cycle.title)])),
                         no_chat=NoChat.ANSWER_HERE, acting=ctx)


# --- the clock: reminders before, questions after each measurement moment --------------------
async def open_moments(session: AsyncSession) -> list[tuple[MeasurementMoment, CycleRound, Team, School]]:
    rows = (await session.exec(
        select(MeasurementMoment, CycleRound, Team, School)
        .join(CycleRound, col(CycleRound.id) == col(MeasurementMoment.round_id))
        .join(Cycle, col(Cycle.id) == col(CycleRound.cycle_id))
        .join(Team, col(Team.id) == col(Cycle.team_id))
        .join(School, col(School.id) == col(Team.school_id))
        .where(Cycle.status == "active", CycleRound.phase == 4,
               col(CycleRound.evaluation_opened_at).is_(None),
               col(MeasurementMoment.result_value).is_(None))
    )).all()
    return [(m, r, t, s) for m, r, t, s in rows]


def moment_times(m: MeasurementMoment, school: School) -> dict[str, datetime]:
    tz = zone(school)
    return {"before": local_start(m.on - timedelta(days=REMIND_DAYS_BEFORE), SEND_AT, tz),
            "after": local_start(m.on + timedelta(days=ASK_DAYS_AFTER), SEND_AT, tz)}


async def queue_moment_messages(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """Outbox rows for moments whose reminder or question has fallen due, keyed per moment and
    date (a moved moment gets new keys). A reminder is not sent once the moment has passed."""
    rows: list[dict[str, Any]] = []
    for m, _, team, school in await open_moments(session):
        times = moment_times(m, school)
        for which, due in times.items():
            if due > now or (which == "before" and now >= times["after"]):
                continue
            rows.append({"dedupe_key": f"moment:{m.id}:{m.on.isoformat()}:{which}",
                         "kind": f"moment_{which}", "due_at": next_allowed(school, due),  # quiet hours
                         "status": "pending", "attempts": 0,
                         "created_at": now, "payload": {"moment_id": m.id, "team_id": team.id}})
    return rows


async def moment_due_times(session: AsyncSession, after: datetime, until: datetime) -> list[datetime]:
    """When a reminder or question falls due (the console's clock stops there)."""
    found: list[datetime] = []
    for m, _, _, school in await open_moments(session):
        found += [t for t in moment_times(m, school).values() if after < t <= until]
    return found
