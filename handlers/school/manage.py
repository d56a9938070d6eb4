"""Managing a school day to day: taking a role back (chair, leader), renaming a team, removing a
member from a team, archiving or deleting a team, leaving the school.

Every command checks the role first, says exactly what changed, and changes nothing else: a chair
who is no longer chair stays in the team, a member removed from a team keeps everything they wrote,
an archived team keeps its cycle, meetings and polls. Destructive steps (deleting a team, leaving
the school) ask first with buttons; a button is re-checked when pressed, never trusted.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import PRIVATE, Choices, DirectTo, Option, Reply, Text
from handlers.common.orders import person_team_order
from handlers.common.people import find_person
from handlers.common.validation import clean_name, shorten
from handlers.school.team_removal import delete_team_rows
from handlers.school.teams import TEAM_NAME_MAX, _team_from
from prompts.catalog import Msg
from storage import queries as q
from storage.models import ArchivedMembership, ChatLink, Member, SchoolMembership, Team, TeamMembership


@command("chair_remove", params=(Param("person"), Param("team", required=False, rest=True)),
         access=Access.SCHOOL_MEMBER, section="teams")
async def remove_chair(ctx: Context, person: str, team: str | None) -> list[Text]:
    await person_team_order(ctx, person, team, "chair_remove")
    target = await _team_from(ctx, team, "chair_remove")
    await ctx.require_team_manager(target)
    found = await find_person(ctx, person)
    tm = await q.team_membership(ctx.session, target.id, found.member.id)
    name = found.member.display_name
    if tm is None or tm.role != "chair":
        raise UserError(Msg("manage.not_chair", person=name, team=target.name))
    tm.role = "member"
    ctx.session.add(tm)
    replies = [Text(Msg("manage.chair_removed", person=name, team=target.name,
                        chair_cmd=command_name("make_chair")))]
    if ctx.member is None or found.member.id != ctx.member.id:
        replies.append(Text(Msg("manage.chair_removed_you", team=target.name),
                            target=DirectTo(found.member.id)))
    return replies


async def _leaders(ctx: Context, school_id: int) -> list[SchoolMembership]:
    return list((await ctx.session.exec(select(SchoolMembership).where(
        SchoolMembership.school_id == school_id, col(SchoolMembership.is_leader)))).all())


@command("leader_remove", params=(Param("person", rest=True),), access=Access.SCHOOL_MANAGER,
         section="school")
async def remove_leader(ctx: Context, person: str) -> list[Text]:
    school = ctx.require_school()
    found = await find_person(ctx, person)
    name = found.member.display_name
    if not found.membership.is_leader:
        raise UserError(Msg("manage.not_leader", person=name, school=school.name))
    if len(await _leaders(ctx, school.id)) <= 1:
        raise UserError(Msg("manage.last_leader", school=school.name, leader_cmd=command_name("make_leader")))
    found.membership.is_leader = False
    ctx.session.add(found.membership)
    replies = [Text(Msg("manage.leader_removed", person=name, school=school.name))]
    if ctx.member is None or found.member.id != ctx.member.id:
        replies.append(Text(Msg("manage.leader_removed_you", school=school.name),
                            target=DirectTo(found.member.id)))
    return replies


@command("team_rename", params=(Param("names", rest=True),), access=Access.SCHOOL_MEMBER, section="teams")
async def rename_team(ctx: Context, names: str) -> Text:
    """`/hernoem Oud | Nieuw`, or in the team's own channel `/hernoem Nieuw`."""
    old, sep, new = names.partition("|")
    target = await _team_from(ctx, old.strip() if sep else None, "team_rename")
    await ctx.require_team_manager(target)
    clean = clean_name(new if sep else names, max_length=TEAM_NAME_MAX, what="name.team")
    key = q.name_key(clean)
    if key == target.name_key:
        if clean == target.name:
            return Text(Msg("manage.rename_same", team=target.name))
    else:
        other = await q.team_by_name(ctx.session, target.school_id, clean)
        if other is not None:
            raise UserError(Msg("team.exists", team=clean))
    before = target.name
    target.name, target.name_key = clean, key
    ctx.session.add(target)
    return Text(Msg("manage.renamed", old=before, team=clean))


@command("team_remove_member", params=(Param("person"), Param("team", required=False, rest=True)),
         access=Access.SCHOOL_MEMBER, section="teams")
async def remove_member(ctx: Context, person: str, team: str | None) -> list[Text]:
    await person_team_order(ctx, person, team, "team_remove_member")
    target = await _team_from(ctx, team, "team_remove_member")
    await ctx.require_team_manager(target)
    found = await find_person(ctx, person)
    name = found.member.display_name
    tm = await q.team_membership(ctx.session, target.id, found.member.id)
    if tm is None:
        raise UserError(Msg("manage.not_in_team", person=name, team=target.name))
    await ctx.session.delete(tm)
    await _clear_working_team(ctx, found.member, target)
    replies = [Text(Msg("manage.member_removed", person=name, team=target.name))]
    if ctx.member is None or found.member.id != ctx.member.id:
        replies.append(Text(Msg("manage.member_removed_you", team=target.name,
                                join_cmd=command_name("team_join")), target=DirectTo(found.member.id)))
    return replies


async def _clear_working_team(ctx: Context, member: Member, team: Team) -> None:
    if member.working_team_id == team.id:
        member.working_team_id = None
        ctx.session.add(member)


@command("team_archive", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MANAGER,
         section="teams")
async def archive_team(ctx: Context, team: str | None) -> Text:
    """Keep a team's history, end its activity: its channel is freed (and can become a new team's),
    its memberships end (so nothing is sent for it any more), its name is free again."""
    target = await _team_from(ctx, team, "team_archive")
    await ctx.session.flush()
    links = (await ctx.session.exec(select(ChatLink).where(ChatLink.team_id == target.id))).all()
    for link in links:
        await ctx.session.delete(link)
    memberships = (await ctx.session.exec(
        select(TeamMembership).where(TeamMembership.team_id == target.id))).all()
    for tm in memberships:  # kept for /herstelteam (handlers/school/team_restore.py)
        ctx.session.add(ArchivedMembership(team_id=tm.team_id, member_id=tm.member_id, role=tm.role,
                                           joined_at=tm.joined_at))
        await ctx.session.delete(tm)
    workers = (await ctx.session.exec(select(Member).where(Member.working_team_id == target.id))).all()
    for m in workers:
        m.working_team_id = None
        ctx.session.add(m)
    target.archived_at = ctx.now()
    target.name_key = f"~{target.id}~{target.name_key}"[:60]  # the name is free for a new team
    ctx.session.add(target)
    if ctx.team is not None and ctx.team.id == target.id:
        ctx.team = None
    return Text(Msg("manage.archived", team=target.name, count=len(memberships),
                    delete_cmd=command_name("team_delete")))


async def _any_team(ctx: Context, name: str) -> Team:
    """A team by name, archived ones included (for deleting): the active one first."""
    school = ctx.require_school()
    team = await q.team_by_name(ctx.session, school.id, name)
    if team is not None:
        return team
    key = q.name_key(name)
    for t in (await ctx.session.exec(select(Team).where(Team.school_id == school.id))).all():
        if t.archived_at is not None and t.name_key.split("~", 2)[-1] == key:
            return t
    raise UserError(Msg("team.unknown", team=shorten(name), teams_cmd=command_name("teams")))


@command("team_delete", params=(Param("team", rest=True),), access=Access.SCHOOL_MANAGER, section="teams")
async def ask_delete_team(ctx: Context, team: str) -> list[Reply]:
    target = await _any_team(ctx, team)
    body = Msg("manage.delete_confirm", team=target.name, archive_cmd=command_name("team_archive"))
    return [Choices(body, (
        Option(Msg("manage.delete_yes", team=target.name), f"team_delete_confirm {target.id}"),
        Option(Msg("manage.delete_no"), "team_delete_cancel"),
    ), target=PRIVATE)]


@command("team_delete_cancel", hidden=True)
async def cancel_delete_team(ctx: Context) -> Text:
    return Text(Msg("manage.delete_cancelled"), target=PRIVATE)


@command("team_delete_confirm", params=(Param("team"),), access=Access.SCHOOL_MANAGER, hidden=True)
async def confirm_delete_team(ctx: Context, team: str) -> Text:
    school = ctx.require_school()
    target = await ctx.session.get(Team, int(team)) if team.isdigit() else None
    if target is None or target.school_id != school.id:
        raise UserError(Msg("manage.delete_gone"))  # pressed twice, or another school's button
    name = target.name
    await delete_team_rows(ctx.session, target.id)
    ctx.team = None
    return Text(Msg("manage.deleted", team=name), target=PRIVATE)


@command("school_leave", access=Access.SCHOOL_MEMBER, section="school")
async def ask_leave_school(ctx: Context) -> list[Reply]:
    school = ctx.require_school()
    await _refuse_last_leader(ctx)
    return [Choices(Msg("manage.leave_confirm", school=school.name,
                        delete_cmd=command_name("delete_my_data")), (
        Option(Msg("manage.leave_yes", school=school.name), f"school_leave_confirm {school.id}"),
        Option(Msg("manage.leave_no"), "school_leave_cancel"),
    ), target=PRIVATE)]


async def _refuse_last_leader(ctx: Context) -> None:
    school = ctx.require_school()
    mine = await ctx.membership()
    if mine is not None and mine.is_leader and len(await _leaders(ctx, school.id)) <= 1:
        raise UserError(Msg("manage.last_leader_leaving", school=school.name,
                            leader_cmd=command_name("make_leader")))


@command("school_leave_cancel", hidden=True)
async def cancel_leave_school(ctx: Context) -> Text:
    return Text(Msg("manage.leave_cancelled"), target=PRIVATE)


@command("school_leave_confirm", params=(Param("school"),), access=Access.SCHOOL_MEMBER, hidden=True)
async def confirm_leave_school(ctx: Context, school: str) -> Text:
    here = ctx.require_school()
    if school != str(here.id):
        raise UserError(Msg("manage.leave_other_school"))
    await _refuse_last_leader(ctx)
    member = ctx.require_member()
    team_ids = select(Team.id).where(Team.school_id == here.id)
    for tm in (await ctx.session.exec(select(TeamMembership).where(
            TeamMembership.member_id == member.id, col(TeamMembership.team_id).in_(team_ids)))).all():
        await ctx.session.delete(tm)
    if member.working_team_id is not None:
        member.working_team_id = None
        ctx.session.add(member)
    mine = await ctx.membership()
    if mine is not None:
        await ctx.session.delete(mine)
    return Text(Msg("manage.left_school", school=here.name, join_cmd=command_name("school_join")),
                target=PRIVATE)
