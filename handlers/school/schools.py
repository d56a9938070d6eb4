"""Starting a school, joining it, and the school-wide roles (leader, admin)."""

from __future__ import annotations

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import PRIVATE, DirectTo, Text
from handlers.common.people import find_person
from handlers.common.validation import clean_name, shorten
from prompts.catalog import Join, Msg
from storage import queries as q
from storage.models import School, SchoolLink, SchoolMembership

SCHOOL_NAME_MAX = 80


@command("school_start", params=(Param("name", rest=True),), section="school")
async def start_school(ctx: Context, name: str) -> list[Text]:
    ev = ctx.event
    if ctx.school is not None and (ctx.school_via_workspace or ctx.team is not None):
        raise UserError(Msg("school.exists_here", school=ctx.school.name))
    if ctx.school is not None and await ctx.membership() is not None:
        raise UserError(Msg("school.already_member", school=ctx.school.name))
    clean = clean_name(name, max_length=SCHOOL_NAME_MAX, what="name.school")
    member = await ctx.ensure_member()
    code = q.new_join_code()
    while await q.school_by_code(ctx.session, code) is not None:  # 32^8 codes: rare, but checked
        code = q.new_join_code()
    school = School(name=clean, timezone=ctx.settings.timezone, language=ctx.lang,
                    join_code=code, created_at=ctx.now())
    ctx.session.add(school)
    await ctx.session.flush()
    if ev.chat.workspace_id:
        ctx.session.add(
            SchoolLink(platform=ev.platform, workspace_id=ev.chat.workspace_id, school_id=school.id)
        )
    ctx.session.add(
        SchoolMembership(
            school_id=school.id, member_id=member.id, is_admin=True, is_leader=True, joined_at=ctx.now()
        )
    )
    await ctx.session.flush()
    ctx.school = school
    replies = [Text(Join([
        Msg("school.started", school=clean),
        Msg("school.next_step", team_cmd=command_name("team_create")),
    ]))]
    if not ev.chat.workspace_id:
        replies.append(Text(_code_message(ctx, school), target=PRIVATE))
    return replies


def _code_message(ctx: Context, school: School) -> Join:
    """The join code, and where the platform has them, a link that joins with one tap."""
    lines: list[object] = [Msg("school.code", code=school.join_code,
                               join_cmd=command_name("school_join"))]
    if ctx.event.chat.join_link:
        lines.append(
            Msg("school.code_link", link=ctx.event.chat.join_link.replace("{code}", school.join_code))
        )
    return Join(lines)


@command("school_code", access=Access.SCHOOL_MANAGER, section="school")
async def show_code(ctx: Context) -> Text:
    school = ctx.require_school()
    return Text(_code_message(ctx, school), target=PRIVATE)


@command("school_join", params=(Param("code"),), section="school")
async def join_school(ctx: Context, code: str) -> Text:
    school = await q.school_by_code(ctx.session, code)
    if school is None:
        raise UserError(Msg("school.bad_code", code=shorten(code, 16)))
    ctx.school = school
    if await ctx.membership(school) is not None:
        return Text(Msg("school.already_joined", school=school.name))
    await ctx.ensure_school_membership()
    return Text(Join([
        Msg("school.joined", school=school.name),
        Msg("school.joined_next", join_cmd=command_name("team_join"),
            teams_cmd=command_name("teams")),
    ]))


@command("make_leader", params=(Param("person", rest=True),), access=Access.SCHOOL_MANAGER, section="school")
async def make_leader(ctx: Context, person: str) -> list[Text]:
    school = ctx.require_school()
    found = await find_person(ctx, person)
    if found.membership.is_leader:
        return [Text(Msg("school.already_leader", person=found.member.display_name, school=school.name))]
    found.membership.is_leader = True
    ctx.session.add(found.membership)
    replies = [Text(Msg("school.leader_made", person=found.member.display_name, school=school.name))]
    if ctx.member is None or found.member.id != ctx.member.id:
        replies.append(Text(Msg("school.leader_you", school=school.name,
                                by=ctx.member.display_name if ctx.member else "?"),
                            target=DirectTo(found.member.id)))
    return replies
