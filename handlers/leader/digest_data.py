"""Everything the leader digest says about a school's teams, gathered set-based.

The number of queries is fixed — one per kind of fact, for all teams at once — so a board with
fifty teams gets its digest as fast as a school with two (``tests/test_digest.py`` counts them).
Only aggregates leave this module: counts, averages, dates. Individual poll or scan answers are
never read here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.outbox import FAILED_TEAM
from handlers.cycle.running import running_lines
from handlers.meetings.plan import next_meetings
from storage import circle
from storage.models import (
    Answer,
    Cycle,
    CycleRound,
    DirectionRecord,
    EvaluationRecord,
    LeaderQuestion,
    LeaderVisit,
    MeasurementMoment,
    Meeting,
    Member,
    MomentumFlag,
    Outbox,
    PhaseTransition,
    PlanRecord,
    ProblemRecord,
    School,
    SchoolMembership,
    Source,
    Team,
    TeamMembership,
)
from storage.queries import names_of

WEEK = timedelta(days=7)
MEETING_WINDOW = timedelta(days=28)
VISIT_WINDOW = timedelta(days=31)
KEY_SOURCES = 2


@dataclass
class TeamFacts:
    team: Team
    chair: str | None = None
    members: int = 0
    cycle: Cycle | None = None
    round: CycleRound | None = None
    problem: str | None = None
    plan: PlanRecord | None = None
    last_result: float | None = None
    baseline: float | None = None
    last_sign: str | None = None  # "%" when typed as 58 % (issue 13: numbers keep their unit)
    baseline_sign: str | None = None
    held: int = 0
    cancelled: int = 0
    planned: int = 0  # held + cancelled + still to come within the window: what the rhythm promised
    answered: int = 0  # members who answered at least one guiding question in the current round
    overrides: list[PhaseTransition] = field(default_factory=list)
    flags: list[MomentumFlag] = field(default_factory=list)
    closed_cycles: list[tuple[Cycle, str | None]] = field(default_factory=list)  # (cycle, verdict)
    questions: list[LeaderQuestion] = field(default_factory=list)
    last_visit: date | None = None
    next_meeting: Meeting | None = None
    reflection: dict[str, Any] = field(default_factory=dict)  # poll and scan aggregates (polls module)
    running: Any = None  # while the intervention runs: where it stands in the plan (a Msg)
    direction: str | None = None  # for the leader's dialogue (seed 000): the chosen direction,
    key_sources: list[str] = field(default_factory=list)  # the most relevant and reliable sources,
    learned: str | None = None  # and what the team learned so far (this round or the last)
    # the borging reviewed since the last digest: (cycle title, yes|partly|no, the team's line)
    reviews: list[tuple[str, str, str | None]] = field(default_factory=list)
    undelivered: int = 0  # the bot's posts for this team that failed for good since the last digest


@dataclass
class SchoolFacts:
    school: School
    since: datetime
    now: datetime
    teams: list[TeamFacts]
    names: dict[int, str]
    in_no_team: list[str] = field(default_factory=list)  # staff (not leaders) in no team: for the leader only


async def gather(session: AsyncSession, school: School, leader_id: int | None, now: datetime,
                 since: datetime | None = None, reflection: Sequence[ReflectionProvider] = ()) -> SchoolFacts:
    since = since or now - WEEK
    teams = list((await session.exec(
        # an archived team is history only: not in the digest
        select(Team).where(Team.school_id == school.id, col(Team.archived_at).is_(None),
                           Team.kind == circle.TEAM_KIND)
        .order_by(col(Team.name_key)))).all())
    ids = [t.id for t in teams]
    facts = {t.id: TeamFacts(t) for t in teams}
    if not ids:
        return SchoolFacts(school, since, now, [], {})

    # who is in each team, and each team's chair (the longest-serving one, as meetings.plan.chairs_of
    # decides it; the digest lists learning teams only, so its chairs' meeting fallback never applies),
    # in one query with the counts
    chairs: dict[int, int] = {}
    for team_id, member_id, role in (await session.exec(
            select(TeamMembership.team_id, TeamMembership.member_id, TeamMembership.role)
            .where(col(TeamMembership.team_id).in_(ids))
            .order_by(col(TeamMembership.joined_at), col(TeamMembership.id)))).all():
        facts[team_id].members += 1
        if role == "chair":
            chairs.setdefault(team_id, member_id)

    # the focus: each active cycle with its newest round, and that round's one-per-round records
    # (problem, plan, direction, evaluation: unique per round, so the outer joins add no rows)
    records: dict[int, tuple[Any, ...]] = {}
    focus: Any = (
        sa.select(Cycle, CycleRound, ProblemRecord, PlanRecord, DirectionRecord, EvaluationRecord)
        .join(CycleRound, col(CycleRound.cycle_id) == col(Cycle.id))
        .outerjoin(ProblemRecord, col(ProblemRecord.round_id) == col(CycleRound.id))
        .outerjoin(PlanRecord, col(PlanRecord.round_id) == col(CycleRound.id))
        .outerjoin(DirectionRecord, col(DirectionRecord.round_id) == col(CycleRound.id))
        .outerjoin(EvaluationRecord, col(EvaluationRecord.round_id) == col(CycleRound.id))
        .where(col(Cycle.team_id).in_(ids), col(Cycle.status) == "active")
        .order_by(col(CycleRound.number)))
    for cycle, rnd, *recs in (await session.exec(focus)).all():
        facts[cycle.team_id].cycle, facts[cycle.team_id].round = cycle, rnd
        records[rnd.id] = tuple(recs)
    by_round = {f.round.id: f for f in facts.values() if f.round is not None}
    round_ids = list(by_round)
    if round_ids:
        for round_id, f in by_round.items():
            problem, plan, direction, evaluation = records[round_id]
            if problem is not None:
                f.problem, f.baseline = problem.statement, problem.baseline_value
                f.baseline_sign = problem.baseline_sign
            f.plan = plan
            f.direction = direction.text if direction is not None else None
            f.learned = f.round.carried_learning if f.round is not None else None
            if evaluation is not None and evaluation.learned is not None:
                f.learned = evaluation.learned
        for m in (
            await session.exec(
                select(MeasurementMoment)
                .where(
                    col(MeasurementMoment.round_id).in_(round_ids),
                    col(MeasurementMoment.result_value).is_not(None),
                )
                .order_by(col(MeasurementMoment.on))
            )
        ).all():
            by_round[m.round_id].last_result, by_round[m.round_id].last_sign = m.result_value, m.result_sign
        by_cycle = {f.cycle.id: f for f in by_round.values() if f.cycle is not None}
        for source, cycle_id in (await session.exec(
                select(Source, CycleRound.cycle_id)
                .join(CycleRound, col(CycleRound.id) == col(Source.round_id))
                .where(col(CycleRound.cycle_id).in_(list(by_cycle)))
                .order_by((col(Source.relevance) * col(Source.reliability)).desc(), col(Source.id)))).all():
            if len(by_cycle[cycle_id].key_sources) < KEY_SOURCES:
                by_cycle[cycle_id].key_sources.append(source.title)
        today = now.astimezone(ZoneInfo(school.timezone)).date()
        running = await running_lines(session, [(f.team.id, f.round) for f in by_round.values()
                                                 if f.round is not None], today, school.timezone)
        for team_id, line in running.items():
            facts[team_id].running = line
        for round_id, count in (await session.exec(
                select(Answer.round_id, func.count(func.distinct(Answer.member_id)))
                .where(col(Answer.round_id).in_(round_ids)).group_by(col(Answer.round_id)))).all():
            by_round[round_id].answered = int(count)

    # meetings in the last four weeks (and those of the window still to come do not count yet)
    window_start = now - MEETING_WINDOW
    for team_id, status, count in (await session.exec(
            select(Meeting.team_id, Meeting.status, func.count())
            .where(col(Meeting.team_id).in_(ids), col(Meeting.starts_at) >= window_start,
                   col(Meeting.starts_at) <= now, col(Meeting.status).in_(("held", "cancelled", "planned")))
            .group_by(col(Meeting.team_id), col(Meeting.status)))).all():
        f = facts[team_id]
        if status == "held":
            f.held += int(count)
        elif status == "cancelled":
            f.cancelled += int(count)
        f.planned += int(count)

    # what happened since the last digest: overrides, momentum flags, finished cycles
    for t, team_id in (await session.exec(
            select(PhaseTransition, Cycle.team_id)
            .join(CycleRound, col(CycleRound.id) == col(PhaseTransition.round_id))
            .join(Cycle, col(Cycle.id) == col(CycleRound.cycle_id))
            .where(col(Cycle.team_id).in_(ids), col(PhaseTransition.override_reason).is_not(None),
                   col(PhaseTransition.at) >= since).order_by(col(PhaseTransition.at)))).all():
        facts[team_id].overrides.append(t)
    for flag in (await session.exec(select(MomentumFlag).where(
            col(MomentumFlag.team_id).in_(ids), col(MomentumFlag.raised_at) >= since)
            .order_by(col(MomentumFlag.raised_at)))).all():
        facts[flag.team_id].flags.append(flag)
    closed = (await session.exec(
        select(Cycle, EvaluationRecord.verdict)
        .join(CycleRound, col(CycleRound.cycle_id) == col(Cycle.id))
        .join(EvaluationRecord, col(EvaluationRecord.round_id) == col(CycleRound.id), isouter=True)
        .where(col(Cycle.team_id).in_(ids), Cycle.status == "closed", col(Cycle.closed_at) >= since)
        .order_by(col(Cycle.closed_at), col(CycleRound.number)))).all()
    last_verdict: dict[int, tuple[Cycle, str | None]] = {}
    for cycle, verdict in closed:
        last_verdict[cycle.id] = (cycle, verdict)
    for cycle, verdict in last_verdict.values():
        facts[cycle.team_id].closed_cycles.append((cycle, verdict))

    for ev, cycle in (await session.exec(
            select(EvaluationRecord, Cycle)
            .join(CycleRound, col(CycleRound.id) == col(EvaluationRecord.round_id))
            .join(Cycle, col(Cycle.id) == col(CycleRound.cycle_id))
            .where(col(Cycle.team_id).in_(ids), col(EvaluationRecord.review_answered_at) >= since)
            .order_by(col(EvaluationRecord.review_answered_at)))).all():
        facts[cycle.team_id].reviews.append((cycle.title, ev.review_answer or "yes", ev.review_note))

    # two-way: open questions for the leader, and the leader's visits
    for question in (await session.exec(select(LeaderQuestion).where(
            col(LeaderQuestion.team_id).in_(ids), col(LeaderQuestion.answered_at).is_(None))
            .order_by(col(LeaderQuestion.asked_at)))).all():
        facts[question.team_id].questions.append(question)
    if leader_id is not None:
        for team_id, last in (await session.exec(
                select(LeaderVisit.team_id, func.max(LeaderVisit.on))
                .where(col(LeaderVisit.team_id).in_(ids), LeaderVisit.member_id == leader_id)
                .group_by(col(LeaderVisit.team_id)))).all():
            facts[team_id].last_visit = last
    for team_id, meeting in (await next_meetings(session, ids, now)).items():
        facts[team_id].next_meeting = meeting

    refs: set[int | None] = set(chairs.values())
    refs |= {q.asked_by for f in facts.values() for q in f.questions}
    refs |= {fl.member_id for f in facts.values() for fl in f.flags}
    names = await names_of(session, refs)
    for team_id, chair in chairs.items():
        facts[team_id].chair = names.get(chair)

    await add_reflection(session, facts, since, now, reflection)
    await add_undelivered(session, facts, since)
    in_teams = select(TeamMembership.member_id).where(col(TeamMembership.team_id).in_(ids))
    outside = list((await session.exec(
        select(Member.display_name).join(SchoolMembership, col(SchoolMembership.member_id) == col(Member.id))
        .where(SchoolMembership.school_id == school.id, col(SchoolMembership.is_leader).is_(False),
               col(Member.id).not_in(in_teams)).order_by(col(Member.display_name)))).all())
    return SchoolFacts(school, since, now, [facts[i] for i in ids], names, outside)


async def add_undelivered(session: AsyncSession, facts: dict[int, TeamFacts], since: datetime) -> None:
    """Failed outbox rows per team (the core marks the team whose chat refused a post)."""
    failed = (await session.exec(select(Outbox.payload).where(
        Outbox.status == "failed", col(Outbox.created_at) >= since))).all()
    for payload in failed:
        team_id = payload.get(FAILED_TEAM, payload.get("team_id"))
        if isinstance(team_id, int) and team_id in facts:
            facts[team_id].undelivered += 1


# The digest's extension point: poll and scan aggregates come from the polls capability when the
# app runs it, as a set-based provider (one or two queries for all teams) contributed under this hook
# name; only aggregates at or above the school's anonymity threshold are ever returned.
REFLECTION_HOOK = "digest.reflection"
ReflectionProvider = Callable[
    [AsyncSession, list[int], datetime, datetime], Awaitable[Mapping[int, Mapping[str, Any]]]
]


async def add_reflection(session: AsyncSession, facts: dict[int, TeamFacts], since: datetime, now: datetime,
                         providers: Sequence[ReflectionProvider]) -> None:
    for provider in providers:
        for team_id, values in (await provider(session, list(facts), since, now)).items():
            if team_id in facts:
                facts[team_id].reflection.update(values)


def visited_recently(f: TeamFacts, now: datetime) -> bool:
    return f.last_visit is not None and f.last_visit >= (now - VISIT_WINDOW).date()

