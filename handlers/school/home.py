"""A person's overview of their school: their own teams first, then every other team, each with
what is next for it. The start of agenda transparency: every member of a school sees every
team's state.

Platform-neutral: it is a hidden command (``home``) that returns one text. Slack runs it when
someone opens the app's Home tab and shows the text there; another platform can offer it as a
button or a command. Later capabilities (the inquiry cycle, meetings) add what is next for a team
by contributing a provider to the hook :data:`HOME_NEXT_HOOK` (``bot/core/capability.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.core.commands import command, command_name
from bot.core.context import Context
from bot.core.replies import Text
from prompts.catalog import Join, Msg
from storage import queries as q
from storage.models import AgendaItem, Cycle, CycleRound, Meeting

MAX_STEPS = 5  # lines of "what is next" per team
AGENDA_SHOWN = 3  # agenda titles shown per team

# The overview's extension point: capabilities contribute (order, provider) pairs under this hook
# name; provider(ctx, teams) -> {team id: [what is next, most urgent first]}, one call for all teams,
# so a provider fetches what it needs in one query (set-based, not one query per team). Lower
# ``order`` is shown first.
HOME_NEXT_HOOK = "home.next"
# The inquiry cycle's running intervention: provider(ctx, [(team id, round)]) -> {team id: line}
# ("in uitvoering, week 5 van 12; volgende meting …"), shown in the team's focus line.
HOME_RUNNING_HOOK = "home.running"
# Sections after the teams, for whom they concern: provider(ctx) -> [lines] (the chairs' meeting adds
# itself for the school's chairs and leaders: handlers/chairs/).
HOME_SECTIONS_HOOK = "home.sections"
NextProvider = Callable[[Context, Sequence[q.TeamOverview]], Awaitable[Mapping[int, Sequence[Any]]]]


async def setup_steps(ctx: Context, teams: Sequence[q.TeamOverview]) -> Mapping[int, Sequence[Any]]:
    """The foundation's own next steps: a team needs a channel, members and a chair."""
    steps: dict[int, list[Any]] = {}
    for item in teams:
        todo: list[Any] = []
        if not item.linked:
            todo.append(Msg("home.next_link", link_cmd=command_name("team_link"), team=item.team.name))
        if not item.members:
            todo.append(Msg("home.next_members", join_cmd=command_name("team_join"), team=item.team.name))
        elif all(role != "chair" for _, role in item.members):
            todo.append(Msg("home.next_chair", chair_cmd=command_name("make_chair")))
        steps[item.team.id] = todo
    return steps


async def focus_meeting_agenda(ctx: Context, teams: Sequence[q.TeamOverview]) -> Mapping[int, Sequence[Any]]:
    """Agenda transparency: each team's focus and phase, its next meeting and what is on the
    agenda. Three queries for all teams together."""
    from handlers.common.school_time import when_msg

    ids = [t.team.id for t in teams]
    if not ids or ctx.school is None:
        return {}
    steps: dict[int, list[Any]] = {i: [] for i in ids}
    rounds: dict[int, tuple[Cycle, CycleRound]] = {}
    for cycle, rnd in (await ctx.session.exec(
        select(Cycle, CycleRound).join(CycleRound, col(CycleRound.cycle_id) == col(Cycle.id))
        .where(col(Cycle.team_id).in_(ids), Cycle.status == "active").order_by(col(CycleRound.number))
    )).all():
        rounds[cycle.team_id] = (cycle, rnd)  # the last round wins
    meetings: dict[int, Meeting] = {}
    for meeting in (await ctx.session.exec(
        select(Meeting).where(col(Meeting.team_id).in_(ids), Meeting.status == "planned",
                              col(Meeting.starts_at) >= ctx.now()).order_by(col(Meeting.starts_at))
    )).all():
        meetings.setdefault(meeting.team_id, meeting)
    agenda: dict[int, list[str]] = {}
    for item in (await ctx.session.exec(
        select(AgendaItem).where(col(AgendaItem.team_id).in_(ids), AgendaItem.status == "open")
        .order_by(col(AgendaItem.position), col(AgendaItem.id))
    )).all():
        agenda.setdefault(item.team_id, []).append(item.title)
    start_cmd = command_name("cycle_start")
    tz = ZoneInfo(ctx.school.timezone)
    running: dict[int, Any] = {}
    for provider in ctx.registry.hooks(HOME_RUNNING_HOOK):
        running.update(await provider(ctx, [(team_id, rnd) for team_id, (_, rnd) in rounds.items()]))
    for team_id in ids:
        if team_id in rounds:
            cycle, rnd = rounds[team_id]
            steps[team_id].append(Msg("home.next_focus", focus=cycle.title, number=rnd.phase,
                                      phase=running.get(team_id) or Msg(f"cycle.phase{rnd.phase}.name")))
        else:
            steps[team_id].append(Msg("home.next_no_focus", start_cmd=start_cmd))
        if team_id in meetings:
            steps[team_id].append(Msg("home.next_meeting", when=when_msg(meetings[team_id].starts_at, tz)))
        titles = agenda.get(team_id, [])
        if titles:
            shown = ", ".join(titles[:AGENDA_SHOWN]) + (", …" if len(titles) > AGENDA_SHOWN else "")
            steps[team_id].append(Msg("home.next_agenda", items=shown))
    return steps


async def _next_steps(ctx: Context, teams: Sequence[q.TeamOverview]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {t.team.id: [] for t in teams}
    providers = sorted(ctx.registry.hooks(HOME_NEXT_HOOK), key=lambda item: item[0])
    for _, provider in providers:
        for team_id, items in (await provider(ctx, teams)).items():
            if team_id in found:
                found[team_id].extend(items)
    return found


@command("home", hidden=True)
async def home(ctx: Context) -> Text:
    school = ctx.school
    if school is None:
        return Text(Msg("home.no_school", start_cmd=command_name("school_start")))
    if not await ctx.in_school():
        return Text(Join([Msg("home.title", school=school.name), Msg("school.not_member")]))
    teams = await q.teams_overview(ctx.session, school.id)
    mine_role: dict[int, str] = {}
    if ctx.member is not None:
        for item in teams:
            for member, role in item.members:
                if member.id == ctx.member.id:
                    mine_role[item.team.id] = role
    steps = await _next_steps(ctx, teams)
    lines: list[Any] = [Msg("home.title", school=school.name), Msg("home.yours")]
    mine = [t for t in teams if t.team.id in mine_role]
    others = [t for t in teams if t.team.id not in mine_role]
    if not mine:
        lines.append(
            Msg("home.none_yours", join_cmd=command_name("team_join"), teams_cmd=command_name("teams"))
        )
    for item in mine:
        role_msg = Msg("home.role_chair") if mine_role[item.team.id] == "chair" else Msg("home.role_member")
        lines.append(Msg("home.team_yours", team=item.team.name, role=role_msg))
        lines.extend(_what_next(steps.get(item.team.id, [])))
    if others:
        lines.append(Msg("home.others"))
    elif not teams:
        lines.append(Msg("home.no_teams", team_cmd=command_name("team_create")))
    for item in others:
        n = len(item.members)
        count = Msg("teams.count", count=n)
        lines.append(Msg("home.team_other", team=item.team.name, count=count))
        lines.extend(_what_next(steps.get(item.team.id, [])))
    for provider in ctx.registry.hooks(HOME_SECTIONS_HOOK):
        lines.extend(await provider(ctx))
    return Text(Join(lines))


def _what_next(items: list[Any]) -> list[Any]:
    if not items:
        return [Msg("home.next", step=Msg("home.next_nothing"))]
    return [Msg("home.next", step=item) for item in items[:MAX_STEPS]]
