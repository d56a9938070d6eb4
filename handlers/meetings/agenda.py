"""The agenda: any member adds a point for the team's next meeting, the chair orders and removes
points, anyone marks one handled; unhandled points roll over to the next meeting by themselves.
Every member of the school can read any team's agenda; the leader sees all teams at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import col, select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import Choices, Reply, Text
from handlers.common.people import find_person
from handlers.common.school_time import when_msg, zone
from handlers.common.validation import shorten
from handlers.common.values import read_index, read_minutes, read_text, today_in
from handlers.cycle.running import running_lines
from handlers.cycle.state import cycle_team, offer_teams, require_team_member, team_named_or_mine
from handlers.meetings.commands import school_of
from handlers.meetings.plan import agenda_body, item_line, next_meeting, next_meetings, open_items
from prompts.catalog import Join, Msg
from storage import circle
from storage import queries as q
from storage.models import AgendaItem, Cycle, CycleRound, Meeting, School, Team

TITLE_MAX = 200
MAX_OPEN = 30


async def _items(ctx: Context, team: Team) -> list[AgendaItem]:
    return (await open_items(ctx.session, [team.id])).get(team.id, [])


async def _pick(
    ctx: Context, team: Team, number: str, command_id: str
) -> tuple[list[AgendaItem], AgendaItem]:
    items = await _items(ctx, team)
    if not items:
        raise UserError(Msg("agenda.empty", team=team.name, add_cmd=command_name("agenda_add")))
    if not 1 <= (read_index(number) or 0) <= len(items):
        raise UsageError(command_id, Msg("agenda.bad_number", text=shorten(number), max=len(items),
                                         agenda_cmd=command_name("agenda")))
    return items, items[int(number) - 1]


@command("agenda_add", params=(Param("item", rest=True, max_length=20000),), access=Access.SCHOOL_MEMBER,
         section="meetings")
async def add_item(ctx: Context, item: str) -> list[Reply]:
    team = await cycle_team(ctx)
    member = await require_team_member(ctx, team)
    parts = [p.strip() for p in item.split("|")]
    if len(parts) > 3:
        raise UsageError("agenda_add", Msg("agenda.parts"))
    title = " ".join(read_text(parts[0], max_length=TITLE_MAX, what="agenda.what.title").split())
    minutes = (
        read_minutes(parts[1], low=1, high=240) if len(parts) > 1 and parts[1] not in ("", "-") else None
    )
    owner_id = None
    if len(parts) > 2 and parts[2] not in ("", "-"):
        person = await find_person(ctx, parts[2])
        if await q.team_membership(ctx.session, team.id, person.member.id) is None:
            raise UserError(
                Msg("agenda.owner_not_in_team", person=person.member.display_name, team=team.name)
            )
        owner_id = person.member.id
    items = await _items(ctx, team)
    if len(items) >= MAX_OPEN:
        raise UserError(Msg("agenda.full", max=MAX_OPEN))
    top = max((i.position for i in items), default=0)
    ctx.session.add(AgendaItem(team_id=team.id, title=title, minutes=minutes, owner_member_id=owner_id,
                               added_by=member.id, position=top + 1, status="open", added_at=ctx.now()))
    school = await school_of(ctx, team)
    meeting = await next_meeting(ctx.session, team.id, ctx.now())
    when = when_msg(meeting.starts_at, zone(school)) if meeting else Msg("agenda.next_unplanned")
    return [Text(Msg("agenda.added", n=len(items) + 1, title=title, team=team.name, when=when,
                     agenda_cmd=command_name("agenda")))]


@command("agenda", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="meetings")
async def show_agenda(ctx: Context, team: str | None) -> Text | Choices:
    offer = await offer_teams(ctx, team, "agenda")
    if offer is not None:
        return offer
    found = await team_named_or_mine(ctx, team)
    school = await school_of(ctx, found)
    tz, now = zone(school), ctx.now()
    meeting = await next_meeting(ctx.session, found.id, now)
    head = (Msg("agenda.head", team=found.name, when=when_msg(meeting.starts_at, tz)) if meeting
            else Msg("agenda.head_unplanned", team=found.name))
    body = await agenda_body(ctx.session, found, meeting, tz, now)
    return Text(Join([head, *body, Msg("agenda.how", add_cmd=command_name("agenda_add"),
                                       done_cmd=command_name("agenda_done"))]))


@command("agenda_remove", params=(Param("number"),), access=Access.SCHOOL_MEMBER, section="meetings")
async def remove_item(ctx: Context, number: str) -> Text:
    team = await cycle_team(ctx)
    _, item = await _pick(ctx, team, number, "agenda_remove")
    mine = ctx.member is not None and item.added_by == ctx.member.id
    if not mine and not await ctx.can_manage_team(team):
        raise UserError(Msg("agenda.remove_not_yours", team=team.name))
    item.status, item.handled_at = "removed", ctx.now()
    ctx.session.add(item)
    return Text(Msg("agenda.removed", title=item.title))


@command(
    "agenda_move", params=(Param("number"), Param("place")), access=Access.SCHOOL_MEMBER, section="meetings"
)
async def reorder_item(ctx: Context, number: str, place: str) -> Text:
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    items, item = await _pick(ctx, team, number, "agenda_move")
    if not 1 <= (read_index(place) or 0) <= len(items):
        raise UsageError("agenda_move", Msg("agenda.bad_number", text=shorten(place), max=len(items),
                                            agenda_cmd=command_name("agenda")))
    items.remove(item)
    items.insert(int(place) - 1, item)
    for pos, it in enumerate(items, 1):
        if it.position != pos:
            it.position = pos
            ctx.session.add(it)
    names = await q.names_of(ctx.session, [i.owner_member_id for i in items])
    return Text(
        Join(
            [
                Msg("agenda.reordered", team=team.name),
                *[item_line(n, i, names) for n, i in enumerate(items, 1)],
            ]
        )
    )


@command("agenda_done", params=(Param("number"),), access=Access.SCHOOL_MEMBER, section="meetings")
async def item_done(ctx: Context, number: str) -> Text:
    team = await cycle_team(ctx)
    if not await ctx.can_manage_team(team):
        await require_team_member(ctx, team)
    _, item = await _pick(ctx, team, number, "agenda_done")
    return await mark_done(ctx, team, item)


async def mark_done(ctx: Context, team: Team, item: AgendaItem) -> Text:
    """A point handled, in the meeting going on or last held (else the next): a team's or the chairs'."""
    now = ctx.now()
    current = (
        await ctx.session.exec(
            select(Meeting)
            .where(
                Meeting.team_id == team.id,
                col(Meeting.status).in_(("planned", "held")),
                col(Meeting.starts_at) <= now,
            )
            .order_by(col(Meeting.starts_at).desc())
        )
    ).first()
    if current is None:
        current = await next_meeting(ctx.session, team.id, now)
    item.status, item.handled_at = "done", now
    item.meeting_id = current.id if current else None
    ctx.session.add(item)
    return Text(Msg("agenda.done", title=item.title))


async def _phases(ctx: Context, team_ids: Sequence[int]) -> dict[int, Any]:
    """The current phase of each team's active cycle (or, while its intervention runs, where it
    stands in the plan), in a few queries."""
    if not team_ids:
        return {}
    rounds: dict[int, CycleRound] = {}
    for team_id, rnd in (await ctx.session.exec(
        select(Cycle.team_id, CycleRound).join(CycleRound, col(CycleRound.cycle_id) == col(Cycle.id))
        .where(col(Cycle.team_id).in_(list(team_ids)), Cycle.status == "active")
        .order_by(col(CycleRound.number))
    )).all():
        rounds[team_id] = rnd  # the last round wins
    tz = ctx.school.timezone if ctx.school else ctx.settings.timezone
    running = await running_lines(ctx.session, list(rounds.items()), today_in(tz, ctx.now()), tz)
    return {team_id: Msg("agenda.all_phase", phase=rnd.phase,
                         name=running.get(team_id) or Msg(f"cycle.phase{rnd.phase}.name"))
            for team_id, rnd in rounds.items()}


@command("agenda_all", access=Access.SCHOOL_MANAGER, section="meetings")
async def all_agendas(ctx: Context) -> Text:
    """The leader's view: every team's next meeting and agenda, set-based (a few queries in all)."""
    school = ctx.require_school()
    teams = list((await ctx.session.exec(select(Team).where(Team.school_id == school.id,
                                                            Team.kind == circle.TEAM_KIND,
                                                            col(Team.archived_at).is_(None))
                                         .order_by(col(Team.name_key)))).all())
    lines: list[Any] = [Msg("agenda.all_head", school=school.name)]
    if not teams:
        lines.append(Msg("teams.none", team_cmd=command_name("team_create")))
        return Text(Join(lines))
    ids = [t.id for t in teams]
    now, tz = ctx.now(), zone(school)
    meetings = await next_meetings(ctx.session, ids, now)
    items = await open_items(ctx.session, ids)
    phases = await _phases(ctx, ids)
    names = await q.names_of(ctx.session, [i.owner_member_id for its in items.values() for i in its])
    for team in teams:
        m = meetings.get(team.id)
        when = when_msg(m.starts_at, tz) if m else Msg("agenda.next_unplanned")
        lines.append(Msg("agenda.all_team", team=team.name, when=when,
                         phase=phases.get(team.id) or Msg("agenda.all_no_cycle")))
        its = items.get(team.id, [])
        if not its:
            lines.append(Msg("agenda.all_no_items"))
        lines += [item_line(n, i, names) for n, i in enumerate(its[:8], 1)]
        if len(its) > 8:
            lines.append(Msg("agenda.more_items", count=len(its) - 8))
    lines.append(Msg("agenda.all_hint", agenda_cmd=command_name("agenda")))
    return Text(Join(lines))


async def next_meeting_steps(ctx: Context, teams: Sequence[q.TeamOverview]) -> Mapping[int, Sequence[Any]]:
    """For the overview (Slack's App Home): each team's next meeting and the size of its agenda."""
    ids = [t.team.id for t in teams]
    if not ids or ctx.school is None:
        return {}
    meetings = await next_meetings(ctx.session, ids, ctx.now())
    items = await open_items(ctx.session, ids)
    school = ctx.school if isinstance(ctx.school, School) else None
    tz = zone(school)
    out: dict[int, list[Any]] = {}
    for team_id, m in meetings.items():
        out[team_id] = [
            Msg(
                "agenda.home_next",
                when=when_msg(m.starts_at, tz),
                count=len(items.get(team_id, [])),
                agenda_cmd=command_name("agenda"),
            )
        ]
    return out
