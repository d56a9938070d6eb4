"""Teams: create, link to a channel or group, join, leave, list, and chairs."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.commands import Access, Param, Where, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.fallback import fix_for
from bot.core.replies import Choices, DirectTo, Option, Text
from handlers.common.learning_team import learning_team
from handlers.common.orders import person_team_order
from handlers.common.people import find_person
from handlers.common.suggest import unknown_team
from handlers.common.validation import clean_name
from prompts.catalog import Join, Msg
from storage import queries as q
from storage.models import ChatLink, Team, TeamMembership

TEAM_NAME_MAX = 60


async def _team_from(ctx: Context, name: str | None, command_id: str) -> Team:
    """The team named in the arguments, else the team of this channel or group."""
    school = ctx.require_school()
    if name:
        team = await q.team_by_name(ctx.session, school.id, name)
        if team is None:
            raise await unknown_team(ctx.session, school.id, name)
        return team
    if ctx.team is not None:
        return learning_team(ctx.team)
    raise UsageError(command_id, Msg("team.which"))


@command("team_create", params=(Param("name", rest=True),), access=Access.SCHOOL_MANAGER, section="teams")
async def create_team(ctx: Context, name: str) -> Text:
    school = ctx.require_school()
    clean = clean_name(name, max_length=TEAM_NAME_MAX, what="name.team")
    key = q.name_key(clean)
    if await q.team_by_name(ctx.session, school.id, clean) is not None:
        raise UserError(Msg("team.exists", team=clean))
    team = Team(school_id=school.id, name=clean, name_key=key, created_at=ctx.now())
    ctx.session.add(team)
    await ctx.session.flush()
    lines: list[object] = [Msg("team.created", team=clean)]
    ev = ctx.event
    if not ev.chat.is_private and ctx.team is None and await ctx.can_post_here() is False:
        lines.append(Msg("delivery.cannot_post_here", fix=fix_for(ev.platform, clean)))  # created, not linked
    elif not ev.chat.is_private and ctx.team is None:
        ctx.session.add(
            ChatLink(platform=ev.platform, chat_id=ev.chat.chat_id, team_id=team.id, linked_at=ctx.now())
        )
        lines.append(Msg("team.linked_here", team=clean))
    lines.append(Msg("team.how_to_join", team=clean, join_cmd=command_name("team_join"),
                     chair_cmd=command_name("make_chair")))
    return Text(Join(lines))


@command("team_link", params=(Param("team", rest=True),), access=Access.SCHOOL_MEMBER, where=Where.GROUP,
         section="teams")
async def link_team(ctx: Context, team: str) -> Text:
    target = await _team_from(ctx, team, "team_link")
    await ctx.require_team_manager(target)
    ev = ctx.event
    if ctx.team is not None:
        if ctx.team.id == target.id:
            return Text(Msg("team.already_linked", team=target.name))
        raise UserError(Msg("team.chat_taken", team=ctx.team.name))
    if await ctx.can_post_here() is False:  # the bot may not post here: link nothing, say how to fix it
        raise UserError(Msg("delivery.cannot_post_here", fix=fix_for(ev.platform, target.name)))
    existing = await q.chat_of_team(ctx.session, target.id, ev.platform)
    if existing is not None and existing.platform == ev.platform:
        existing.chat_id, existing.linked_at = ev.chat.chat_id, ctx.now()
        ctx.session.add(existing)
        return Text(Msg("team.relinked", team=target.name))
    ctx.session.add(
        ChatLink(platform=ev.platform, chat_id=ev.chat.chat_id, team_id=target.id, linked_at=ctx.now())
    )
    return Text(Msg("team.linked_here", team=target.name))


async def _active_teams(ctx: Context, school_id: int) -> list[Team]:
    return list((await ctx.session.exec(select(Team).where(
        Team.school_id == school_id, col(Team.archived_at).is_(None)))).all())


@command("team_join", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="teams")
async def join_team(ctx: Context, team: str | None) -> Text | Choices:
    if not team and ctx.team is None:  # a bare /aansluiten outside a team's chat: the teams as buttons
        school = ctx.require_school()
        active = sorted(await _active_teams(ctx, school.id), key=lambda t: t.name.casefold())
        if active:  # each button names its team by id: a long emoji name does not fit a Telegram button
            return Choices(Msg("conv.pick_team"),
                           tuple(Option(t.name, f"team_join {q.team_ref(t.id)}") for t in active))
    target = await _team_from(ctx, team, "team_join")
    if await ctx.team_membership(target) is not None:
        return Text(Msg("team.already_in", team=target.name))
    member = await ctx.ensure_member()
    await ctx.ensure_school_membership()
    ctx.session.add(
        TeamMembership(team_id=target.id, member_id=member.id, role="member", joined_at=ctx.now())
    )
    return Text(Msg("team.joined", team=target.name, person=member.display_name))


@command("team_leave", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="teams")
async def leave_team(ctx: Context, team: str | None) -> Text:
    target = await _team_from(ctx, team, "team_leave")
    tm = await ctx.team_membership(target)
    if tm is None:
        raise UserError(Msg("team.not_in", team=target.name))
    await ctx.session.delete(tm)
    return Text(Msg("team.left", team=target.name))


@command("teams", access=Access.SCHOOL_MEMBER, section="teams")
async def list_teams(ctx: Context) -> Text:
    school = ctx.require_school()
    overview = await q.teams_overview(ctx.session, school.id)
    people = await q.people_of_school(ctx.session, school.id)
    lines: list[object] = [Msg("teams.title", school=school.name)]
    if not overview:
        lines.append(Msg("teams.none", team_cmd=command_name("team_create")))
    for item in overview:
        head = "teams.team_linked" if item.linked else "teams.team_unlinked"
        n = len(item.members)
        count = Msg("teams.count", count=n)
        lines.append(Msg(head, team=item.team.name, count=count))
        if not item.members:
            lines.append(Msg("teams.no_members"))
        for member, role in item.members:
            lines.append(Msg(f"teams.member_{role}", person=member.display_name))
    leaders = [p for p in people if p.membership.is_leader or p.membership.is_admin]
    if leaders:
        lines.append(Msg("teams.leadership"))
        for p in leaders:
            roles = [Msg("role.leader")] if p.membership.is_leader else []
            if p.membership.is_admin:
                roles.append(Msg("role.admin"))
            lines.append(Msg("teams.leader_line", person=p.member.display_name, roles=Join(roles, ", ")))
    return Text(Join(lines))


@command("make_chair", params=(Param("person"), Param("team", required=False, rest=True)),
         access=Access.SCHOOL_MEMBER, section="teams")
async def make_chair(ctx: Context, person: str, team: str | None) -> list[Text]:
    await person_team_order(ctx, person, team, "make_chair")  # /voorzitter Middenbouw johan
    target = await _team_from(ctx, team, "make_chair")
    await ctx.require_team_manager(target)
    found = await find_person(ctx, person)
    tm = await q.team_membership(ctx.session, target.id, found.member.id)
    if tm is not None and tm.role == "chair":
        return [Text(Msg("team.already_chair", person=found.member.display_name, team=target.name))]
    if tm is None:
        tm = TeamMembership(team_id=target.id, member_id=found.member.id, joined_at=ctx.now())
    tm.role = "chair"
    ctx.session.add(tm)
    replies = [Text(Join([
        Msg("team.chair_made", person=found.member.display_name, team=target.name),
        Msg("daily.chair_next", person=found.member.display_name, rhythm_cmd=command_name("meeting_rhythm"),
            cycle_cmd=command_name("cycle_start")),
    ]))]
    if ctx.member is None or found.member.id != ctx.member.id:
        replies.append(
            Text(
                Join([Msg("team.chair_you", team=target.name,
                          by=ctx.member.display_name if ctx.member else "?"),
                      Msg("method.role_brief", tips_cmd=command_name("tips"))]),  # seed 001: the role
                target=DirectTo(found.member.id),
            )
        )
    return replies
