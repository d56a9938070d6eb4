"""Bringing an archived team back: ``/herstelteam <teamnaam>`` (the school leader, as for archiving).

Archiving kept the team's history (cycle, meetings, agenda, notes, polls) and, in
``ArchivedMembership``, who was in it and in which role. Restoring makes the team active again under
its own name, with those people back in their roles (only those still at the school), and says how to
link its chat again: the chat was freed at archiving and may belong to another team by now.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Text
from handlers.common.validation import shorten
from prompts.catalog import Msg
from storage import queries as q
from storage.models import ArchivedMembership, SchoolMembership, Team, TeamMembership


def original_key(team: Team) -> str:
    """An archived team's name key without the ``~id~`` that freed its name (manage.archive_team)."""
    return team.name_key.split("~", 2)[-1] if team.name_key.startswith("~") else team.name_key


async def archived_named(ctx: Context, name: str) -> Team:
    """The school's archived team with this name (the most recently archived, if there are several)."""
    school = ctx.require_school()
    key = q.name_key(name)
    archived = list((await ctx.session.exec(select(Team).where(
        Team.school_id == school.id, col(Team.archived_at).is_not(None)))).all())
    found = sorted((t for t in archived if original_key(t) == key),
                   key=lambda t: (t.archived_at, t.id), reverse=True)
    if found:
        return found[0]
    active = await q.team_by_name(ctx.session, school.id, name)
    if active is not None:
        raise UserError(Msg("day.restore_not_archived", team=active.name))
    if not archived:
        raise UserError(Msg("day.restore_none", school=school.name))
    names = ", ".join(sorted({t.name for t in archived}, key=str.casefold))
    raise UserError(Msg("day.restore_unknown", team=shorten(name), teams=names))


@command("team_restore", params=(Param("team", rest=True),), access=Access.SCHOOL_MANAGER, section="teams")
async def restore_team(ctx: Context, team: str) -> Text:
    target = await archived_named(ctx, team)
    key = original_key(target)
    taken = await q.team_by_name(ctx.session, target.school_id, target.name)
    if taken is not None:  # a new team took the freed name meanwhile: nothing changes until it is renamed
        raise UserError(Msg("day.restore_name_taken", team=taken.name,
                            rename_cmd=command_name("team_rename")))
    target.archived_at, target.name_key = None, key
    ctx.session.add(target)
    kept = list((await ctx.session.exec(select(ArchivedMembership).where(
        ArchivedMembership.team_id == target.id).order_by(col(ArchivedMembership.id)))).all())
    at_school = set((await ctx.session.exec(select(SchoolMembership.member_id).where(
        SchoolMembership.school_id == target.school_id))).all())
    back = 0
    for row in kept:
        if row.member_id in at_school:
            ctx.session.add(TeamMembership(team_id=target.id, member_id=row.member_id, role=row.role,
                                           joined_at=row.joined_at))
            back += 1
        await ctx.session.delete(row)
    await ctx.session.flush()
    return Text(Msg("day.restored", team=target.name, count=back, link_cmd=command_name("team_link"),
                    join_cmd=command_name("team_join")))
