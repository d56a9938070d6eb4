"""What each page shows, gathered by calling the chat's own data functions (the digest's
set-based facts, the agenda, the cycle's records, the quality card's blocks, poll aggregates).

Nothing here decides who may see what: :mod:`handlers.web.access` does, with the chat's rules,
before any of these run. Poll and scan figures come only from the polls capability's aggregate
functions, which withhold anything below the school's threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.common.measures import measure_msg
from handlers.common.values import today_in
from handlers.cycle.charter import charter_lines, charter_of
from handlers.cycle.quality_card import Block, build_card
from handlers.cycle.state import active_cycle, load_round
from handlers.leader import digest_data as dd
from handlers.leader.digest import attention_lines
from handlers.meetings.plan import (
    agenda_body,
    meeting_line,
    next_meeting,
    open_items,
    upcoming,
    when_msg,
    zone,
)
from prompts.catalog import Msg
from storage.models import Cycle, QualityCard, School, Team, TeamMembership

AGENDA_SHOWN = 3


@dataclass
class TeamRow:
    """One line of the school page."""

    team: Team
    role: str | None  # the reader's role in this team, if any
    focus: str | None = None
    phase: int | None = None
    days: int | None = None
    next_meeting: Any = None  # a Msg with the date and time, or None
    agenda: list[str] = field(default_factory=list)
    agenda_more: int = 0
    attention: list[Any] = field(default_factory=list)


async def roles_of(session: AsyncSession, member_id: int) -> dict[int, str]:
    rows = (
        await session.exec(
            select(TeamMembership.team_id, TeamMembership.role).where(TeamMembership.member_id == member_id)
        )
    ).all()
    return {team_id: role for team_id, role in rows}


async def school_rows(session: AsyncSession, school: School, member_id: int, now: datetime) -> list[TeamRow]:
    """Every team of the school with the digest's facts (a fixed number of queries for any
    number of teams) and its open agenda points; the reader's own teams first."""
    facts = await dd.gather(session, school, None, now)
    ids = [f.team.id for f in facts.teams]
    items = await open_items(session, ids)
    roles = await roles_of(session, member_id)
    tz = zone(school)
    rows: list[TeamRow] = []
    for f in facts.teams:
        row = TeamRow(f.team, roles.get(f.team.id))
        if f.cycle is not None and f.round is not None:
            row.focus, row.phase = f.cycle.title, f.round.phase
            row.days = (
                today_in(school.timezone, now) - today_in(school.timezone, f.round.phase_started_at)
            ).days
        if f.next_meeting is not None:
            row.next_meeting = when_msg(f.next_meeting.starts_at, tz)
        titles = [i.title for i in items.get(f.team.id, [])]
        row.agenda, row.agenda_more = titles[:AGENDA_SHOWN], max(0, len(titles) - AGENDA_SHOWN)
        row.attention = attention_lines(f, now)
        rows.append(row)
    rows.sort(key=lambda r: r.role is None)  # stable: the reader's teams first, each group by name
    return rows


@dataclass
class GoalChart:
    """The team's goal against its measurements, for the SVG chart and its words."""

    goal: float | None
    baseline: float | None
    points: list[tuple[Any, float]]  # (date, value)
    unit: str = ""
    sign: str | None = None  # "%" when the numbers were typed as 42 % (every label keeps it)


@dataclass
class TeamView:
    team: Team
    school: School
    role: str | None
    cycle: Cycle | None = None
    round_number: int | None = None
    phase: int | None = None
    blocks: list[Block] = field(default_factory=list)
    chart: GoalChart | None = None
    meetings: list[Any] = field(default_factory=list)
    agenda_head: Any = None
    agenda: list[Any] = field(default_factory=list)
    cards: list[tuple[QualityCard, Cycle]] = field(default_factory=list)
    charter: list[Any] = field(default_factory=list)  # the team's ambition and ground rules


async def team_view(
    session: AsyncSession, team: Team, school: School, member_id: int, now: datetime
) -> TeamView:
    tz = zone(school)
    view = TeamView(team, school, (await roles_of(session, member_id)).get(team.id))
    found = await active_cycle(session, team.id)
    if found is not None:
        cycle, rnd = found
        view.cycle, view.round_number, view.phase = cycle, rnd.number, rnd.phase
        view.blocks = (await build_card(session, team, cycle, school))[2:]  # without the card's own title
        rec = await load_round(session, rnd)
        goal = rec.plan.goal_value if rec.plan else None
        baseline = rec.problem.baseline_value if rec.problem else None
        points = [(m.on, m.result_value) for m in rec.moments if m.result_value is not None]
        if goal is not None or baseline is not None or points:
            sign = (rec.problem.baseline_sign if rec.problem else None) or (
                rec.plan.goal_sign if rec.plan else None)
            view.chart = GoalChart(
                goal, baseline, points, (rec.problem.baseline_unit or "") if rec.problem else "", sign
            )
    team_id: int = team.id
    view.meetings = [meeting_line(n, m, tz) for n, m in enumerate(await upcoming(session, team_id, now), 1)]
    meeting = await next_meeting(session, team_id, now)
    view.agenda_head = (
        Msg("agenda.head", team=team.name, when=when_msg(meeting.starts_at, tz))
        if meeting
        else Msg("agenda.head_unplanned", team=team.name)
    )
    view.charter = charter_lines(await charter_of(session, team_id))
    # the page shows the charter in its own section, so not a second time atop the agenda
    agenda = await agenda_body(session, team, meeting, tz, now)
    view.agenda = [line for line in agenda if line not in view.charter]
    view.cards = await cards_of(session, [team.id])
    return view


async def cards_of(session: AsyncSession, team_ids: list[int]) -> list[tuple[QualityCard, Cycle]]:
    return [
        (c, y)
        for c, y in (
            await session.exec(
                select(QualityCard, Cycle)
                .join(Cycle, col(Cycle.id) == col(QualityCard.cycle_id))
                .where(col(QualityCard.team_id).in_(team_ids))
                .order_by(col(QualityCard.created_at))
            )
        ).all()
    ]


def chart_words(chart: GoalChart) -> Msg:
    """The chart's numbers in words (its alt text), in the reader's language."""
    from handlers.common.values import date_msg
    from prompts.catalog import Join

    points = Join(
        [Msg("page.chart_point", on=date_msg(on), value=measure_msg(v, chart.sign))
         for on, v in chart.points],
        "; ",
    )
    return Msg(
        "page.chart_alt",
        baseline=measure_msg(chart.baseline, chart.sign) if chart.baseline is not None else "—",
        goal=measure_msg(chart.goal, chart.sign) if chart.goal is not None else "—",
        points=points if chart.points else Msg("page.chart_no_points"),
    )
