"""The state of a team's inquiry cycle, and the exit criteria that keep a team from skipping
from problem to solution.

The criteria follow the method (see ``shared/PRODUCT.md``): a phase is done when its records
are there, not when the calendar says so. What each criterion is called lives in the catalogs
(``cycle.missing.*``); which records are checked lives here.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Choices, Option
from handlers.common.learning_team import learning_team
from handlers.common.suggest import unknown_team
from prompts.catalog import Catalog, Msg
from storage import queries as q
from storage.models import (
    Action,
    Agreement,
    Cycle,
    CycleRound,
    DirectionRecord,
    EvaluationRecord,
    Hypothesis,
    MeasurementMoment,
    Member,
    PlanRecord,
    ProblemRecord,
    Source,
    Team,
    TeamMembership,
)

MAX_HYPOTHESES = 3
MAX_TEAM_BUTTONS = 12  # a leader offered the school's teams: more would not fit a phone


_QUESTION_KEYS: weakref.WeakKeyDictionary[Catalog, dict[int, tuple[str, ...]]] = weakref.WeakKeyDictionary()


def question_keys(catalog: Catalog, phase: int) -> list[str]:
    """The guiding questions of a phase, as the catalog defines them (q1, q2, …).

    Found once per catalog and phase: answering a question asks for them several times, and
    scanning every catalog key each time cost about half a millisecond per answer (``python -m bench``)."""
    known = _QUESTION_KEYS.setdefault(catalog, {})
    if phase not in known:
        prefix = f"cycle.phase{phase}.q."
        keys = {k[len(prefix):].split(".")[0] for k in catalog.messages["nl"] if k.startswith(prefix)}
        known[phase] = tuple(sorted(keys, key=lambda k: int(re.sub(r"\D", "", k) or 0)))
    return list(known[phase])


async def cycle_team(ctx: Context) -> Team:
    """The team a cycle command is about: this team channel, else the member's working team,
    else their only team."""
    if ctx.team is not None:
        return learning_team(ctx.team)
    if ctx.member is None:
        raise UserError(Msg("cycle.no_team", team_cmd=command_name("team_focus")))
    rows = (await ctx.session.exec(
        select(Team).join(TeamMembership, col(TeamMembership.team_id) == col(Team.id))
        .where(TeamMembership.member_id == ctx.member.id).order_by(col(Team.name_key))
    )).all()
    for wanted in (ctx.focus_team_id, ctx.member.working_team_id):
        for team in rows:
            if wanted is not None and team.id == wanted:
                return team
    if len(rows) == 1:
        return rows[0]
    key = "cycle.which_team" if rows else "cycle.no_team"
    raise UserError(Msg(key, team_cmd=command_name("team_focus"),
                        teams=", ".join(t.name for t in rows)))


async def team_named_or_mine(ctx: Context, name: str | None) -> Team:
    """The team named (any team of the school: agendas, status and results are open to every
    colleague), else this channel's team, else the caller's own (working) team."""
    if name:
        school = ctx.require_school()
        found = await q.team_by_name(ctx.session, school.id, name)
        if found is None:
            raise await unknown_team(ctx.session, school.id, name)
        return found
    return await cycle_team(ctx)


async def require_team_member(ctx: Context, team: Team) -> Member:
    if ctx.member is None or await ctx.team_membership(team) is None:
        raise UserError(Msg("cycle.not_in_team", team=team.name,
                            join_cmd=command_name("team_join")))
    return ctx.member


async def active_cycle(session: AsyncSession, team_id: int) -> tuple[Cycle, CycleRound] | None:
    return (await active_cycles(session, [team_id])).get(team_id)


async def require_cycle(ctx: Context, team: Team) -> tuple[Cycle, CycleRound]:
    found = await active_cycle(ctx.session, team.id)
    if found is None:
        raise UserError(Msg("cycle.none", team=team.name,
                            start_cmd=command_name("cycle_start")))
    return found


def require_phase(rnd: CycleRound, allowed: tuple[int, ...], what: str) -> None:
    """Records belong to their phase: once the team has moved on, they are closed."""
    if rnd.phase not in allowed:
        raise UserError(Msg("cycle.wrong_phase", what=Msg(what), now=Msg(f"cycle.phase{rnd.phase}.name"),
                            allowed=Msg(f"cycle.phase{allowed[0]}.name")))


async def team_members(session: AsyncSession, team_id: int) -> list[tuple[Member, str]]:
    rows = (
        await session.exec(
            select(Member, TeamMembership.role)
            .join(TeamMembership, col(TeamMembership.member_id) == col(Member.id))
            .where(TeamMembership.team_id == team_id)
            .order_by(col(Member.display_name))
        )
    ).all()
    return [(m, role) for m, role in rows]


@dataclass
class RoundRecords:
    """Everything recorded in one round, loaded with one query per table."""

    round: CycleRound
    problem: ProblemRecord | None
    hypotheses: list[Hypothesis]
    agreements: list[Agreement]
    sources: list[Source]
    direction: DirectionRecord | None
    actions: list[Action]
    plan: PlanRecord | None
    moments: list[MeasurementMoment]
    evaluation: EvaluationRecord | None


async def load_rounds(session: AsyncSession, rounds: Sequence[CycleRound]) -> dict[int, RoundRecords]:
    """Everything recorded in these rounds, with one query per table for all of them together (an
    agenda for one team and the reminders of two thousand cost the same number of queries).
    The members' answers, the round's biggest table, are not among them: only ``/status`` lists
    them, and it reads the current phase's (``answers.phase_answers``)."""
    ids = sorted({r.id for r in rounds})
    if not ids:
        return {}

    async def by_round(model: Any, *order: Any) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = {rid: [] for rid in ids}
        rows = (await session.exec(select(model).where(col(model.round_id).in_(ids)).order_by(*order))).all()
        for row in rows:
            found[row.round_id].append(row)
        return found

    problem = await by_round(ProblemRecord, col(ProblemRecord.id))
    hypotheses = await by_round(Hypothesis, col(Hypothesis.id))
    agreements = await by_round(Agreement, col(Agreement.id))
    sources = await by_round(Source, col(Source.id))
    direction = await by_round(DirectionRecord, col(DirectionRecord.id))
    actions = await by_round(Action, col(Action.id))
    plan = await by_round(PlanRecord, col(PlanRecord.id))
    moments = await by_round(MeasurementMoment, col(MeasurementMoment.on), col(MeasurementMoment.id))
    evaluation = await by_round(EvaluationRecord, col(EvaluationRecord.id))
    first = lambda rows: rows[0] if rows else None  # noqa: E731  (one record per round at most)
    return {
        r.id: RoundRecords(
            round=r, problem=first(problem[r.id]), hypotheses=hypotheses[r.id], agreements=agreements[r.id],
            sources=sources[r.id], direction=first(direction[r.id]), actions=actions[r.id],
            plan=first(plan[r.id]), moments=moments[r.id], evaluation=first(evaluation[r.id]),
        )
        for r in rounds
    }


async def load_round(session: AsyncSession, rnd: CycleRound) -> RoundRecords:
    return (await load_rounds(session, [rnd]))[rnd.id]


async def active_cycles(session: AsyncSession,
                        team_ids: Sequence[int]) -> dict[int, tuple[Cycle, CycleRound]]:
    """Each team's active cycle with its newest round, for many teams in one query."""
    if not team_ids:
        return {}
    rows = (await session.exec(
        select(Cycle, CycleRound).join(CycleRound, col(CycleRound.cycle_id) == col(Cycle.id))
        .where(col(Cycle.team_id).in_(list(team_ids)), Cycle.status == "active")
        .order_by(col(CycleRound.number).desc())
    )).all()
    found: dict[int, tuple[Cycle, CycleRound]] = {}
    for cycle, rnd in rows:
        found.setdefault(cycle.team_id, (cycle, rnd))
    return found


def majority(n: int) -> int:
    return n // 2 + 1


async def missing_for(session: AsyncSession, team: Team, rec: RoundRecords) -> list[Msg]:
    """What the current phase still needs before the team may move on (empty: ready)."""
    return (await missing_for_teams(session, [(team, rec)]))[team.id]


async def missing_for_teams(session: AsyncSession, wanted: Sequence[tuple[Team, RoundRecords]]
                            ) -> dict[int, list[Msg]]:
    """:func:`missing_for` for many teams, with one query per kind of fact for all of them."""
    team_ids = [team.id for team, _ in wanted]
    members: dict[int, list[tuple[int, str]]] = {tid: [] for tid in team_ids}
    if team_ids:  # (id, name) only: for a fan-out this reads every member of every team
        for member_id, name, team_id in (await session.exec(
            select(Member.id, Member.display_name, TeamMembership.team_id)
            .join(TeamMembership, col(TeamMembership.member_id) == col(Member.id))
            .where(col(TeamMembership.team_id).in_(team_ids)).order_by(col(Member.display_name))
        )).all():
            members[team_id].append((int(member_id), name))
    cycles = sorted({rec.round.cycle_id for _, rec in wanted if rec.round.phase == 2})
    logged: dict[int, set[int]] = {cid: set() for cid in cycles}
    if cycles:  # the library belongs to the whole cycle: a second round builds on what was read
        for added_by, cycle_id in (await session.exec(
            select(Source.added_by, CycleRound.cycle_id)
            .join(CycleRound, col(CycleRound.id) == col(Source.round_id))
            .where(col(CycleRound.cycle_id).in_(cycles)))).all():
            if added_by is not None:
                logged[cycle_id].add(added_by)
    return {team.id: _missing(rec, members[team.id], logged.get(rec.round.cycle_id, set()))
            for team, rec in wanted}


def _missing(rec: RoundRecords, members: list[tuple[int, str]], logged: set[int]) -> list[Msg]:
    """``members``: the team's (id, display name), by name."""
    phase = rec.round.phase
    missing: list[Msg] = []
    if phase == 1:
        p = rec.problem
        if p is None or not p.statement:
            missing.append(Msg("cycle.missing.statement"))
        if p is None or p.baseline_value is None or not p.baseline_source:
            missing.append(Msg("cycle.missing.baseline"))
        if not rec.hypotheses:
            missing.append(Msg("cycle.missing.hypotheses"))
        elif len(rec.hypotheses) > MAX_HYPOTHESES:
            missing.append(
                Msg("cycle.missing.too_many_hypotheses", count=len(rec.hypotheses), max=MAX_HYPOTHESES)
            )
        member_ids = {member_id for member_id, _ in members}
        agreed = len({a.member_id for a in rec.agreements} & member_ids)
        need = majority(len(members))
        if agreed < need:
            missing.append(Msg("cycle.missing.agreement", agreed=agreed, need=need, total=len(members)))
    elif phase == 2:
        without = [name for member_id, name in members if member_id not in logged]
        if without:
            missing.append(Msg("cycle.missing.sources", names=", ".join(without)))
        if rec.round.number > 1 and not rec.sources:  # a next round needs new knowledge (or a reason)
            missing.append(Msg("method.missing_new_source", source_cmd=command_name("source"),
                                   override_cmd=command_name("cycle_override")))
        if rec.direction is None:
            missing.append(Msg("cycle.missing.direction"))
    elif phase == 3:
        if not rec.actions:
            missing.append(Msg("cycle.missing.actions"))
        plan = rec.plan
        if plan is None or plan.goal_value is None or plan.goal_deadline is None:
            missing.append(Msg("cycle.missing.goal"))
        if plan is None or not plan.instrument or plan.baseline_moment is None:
            missing.append(Msg("cycle.missing.dataplan"))
        if not rec.moments:
            missing.append(Msg("cycle.missing.moments"))
        elif (
            plan is not None
            and plan.goal_deadline is not None
            and min(m.on for m in rec.moments) > plan.goal_deadline
        ):
            missing.append(Msg("cycle.missing.moment_before_deadline"))
    elif phase == 4:
        open_moments = [m for m in rec.moments if m.result_value is None]
        if open_moments:
            missing.append(Msg("cycle.missing.results", count=len(open_moments)))
        ev = rec.evaluation
        if ev is None or ev.verdict is None:
            missing.append(Msg("cycle.missing.verdict"))
        if ev is None or not ev.learned:
            missing.append(Msg("cycle.missing.learned"))
        if ev is not None and ev.verdict == "solved" and (not ev.embedding or ev.review_on is None):
            missing.append(Msg("cycle.missing.embedding"))
    return missing




async def offer_teams(ctx: Context, name: str | None, command_id: str,
                      value: Callable[[Team], str] | None = None) -> Choices | None:
    """A school leader in no team who asks about "the team" privately is offered the school's teams
    as buttons (each runs ``command_id`` for that team, or the button ``value`` given), rather than
    being told to join one."""
    if name or ctx.team is not None or ctx.member is None or not ctx.event.chat.is_private:
        return None
    school = ctx.school
    if school is None or not await ctx.is_school_manager():
        return None
    mine = (await ctx.session.exec(select(TeamMembership.id)
                                   .join(Team, col(Team.id) == col(TeamMembership.team_id))
                                   .where(TeamMembership.member_id == ctx.member.id,
                                          Team.school_id == school.id))).first()
    if mine is not None:
        return None
    teams = [o.team for o in await q.teams_overview(ctx.session, school.id)]
    if not teams:
        return None
    return Choices(Msg("daily.pick_team", command=command_name(command_id)),
                   tuple(Option(t.name, value(t) if value else f"{command_id} {q.team_ref(t.id)}")
                         for t in teams[:MAX_TEAM_BUTTONS]))
