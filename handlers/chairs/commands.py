"""The voorzittersoverleg's commands: its overview, rhythm, agenda (a point added, a point
handled), notes, and the chat it lives in.

Who may: the chairs of the school's learning teams and its leaders (``circle.require_participant``);
only a leader (or admin) picks its chat. Everything else — dated meetings, holidays, reminders with
the agenda, the notes asked afterwards, quiet hours — is the meetings capability's, unchanged,
because the chairs' meeting is a team row of kind "chairs" (``circle.py`` says why).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.core.commands import Access, Param, Where, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.fallback import fix_for
from bot.core.replies import Reply, Text
from handlers.chairs import circle
from handlers.chairs.state import state_lines
from handlers.common.school_time import when_msg, zone
from handlers.common.validation import shorten
from handlers.common.values import read_index, read_minutes, read_text
from handlers.meetings.agenda import MAX_OPEN, TITLE_MAX, mark_done
from handlers.meetings.commands import apply_rhythm, last_held, rhythm_msg, rhythm_of, store_notes
from handlers.meetings.plan import agenda_body, next_meeting, open_items
from prompts.catalog import Join, Msg
from storage import circle as participants
from storage import queries as q
from storage.models import AgendaItem, ChatLink, Meeting, Team

OFF_WORDS = {"uit", "off", "geen", "none"}


async def _where(ctx: Context, team: Team | None) -> Msg:
    if team is not None and await q.chat_of_team(ctx.session, team.id, None) is not None:
        return Msg("chairs.where_chat")
    return Msg("chairs.where_private", link_cmd=command_name("chairs_link"))


@command("chairs_meeting", access=Access.SCHOOL_MEMBER, section="meetings")
async def overview(ctx: Context) -> Text:
    await circle.require_participant(ctx)
    school = ctx.require_school()
    team = await circle.find(ctx)
    who = await participants.participant_ids(ctx.session, school.id)
    names = await q.names_of(ctx.session, who)
    lines: list[Any] = [Msg("chairs.title", school=school.name), Msg("chairs.about"),
                        Msg("chairs.who", names=", ".join(sorted(names.values(), key=str.casefold)))]
    rhythm = await rhythm_of(ctx, team) if team is not None else None
    if team is None or rhythm is None:
        lines.append(Msg("chairs.no_rhythm", rhythm_cmd=command_name("chairs_rhythm")))
    else:
        lines.append(rhythm_msg(rhythm))
        coming = await next_meeting(ctx.session, team.id, ctx.now())
        if coming is not None:
            lines.append(Msg("meet.first_next", when=when_msg(coming.starts_at, zone(school))))
    lines.append(await _where(ctx, team))
    lines.append(Msg("chairs.commands", agenda_cmd=command_name("chairs_agenda"),
                     add_cmd=command_name("chairs_add"), notes_cmd=command_name("chairs_notes")))
    return Text(Join(lines))


@command("chairs_rhythm", params=(Param("day"), Param("time"), Param("minutes", required=False),
                                  Param("weeks", required=False)),
         access=Access.SCHOOL_MEMBER, section="meetings")
async def set_rhythm(ctx: Context, day: str, time: str, minutes: str | None,
                     weeks: str | None) -> list[Reply]:
    await circle.require_participant(ctx)
    team = await circle.ensure(ctx)
    hint = Msg("chairs.rhythm_hint", add_cmd=command_name("chairs_add"),
               agenda_cmd=command_name("chairs_agenda"))
    return await apply_rhythm(ctx, team, day, time, minutes, weeks, head="chairs.rhythm_set", hint=hint)


@command("chairs_agenda", access=Access.SCHOOL_MEMBER, section="meetings")
async def show_agenda(ctx: Context) -> Text:
    """The chairs' own points, then what the bot gathered from every team."""
    await circle.require_participant(ctx)
    school = ctx.require_school()
    team = await circle.find(ctx)
    tz, now = zone(school), ctx.now()
    meeting = await next_meeting(ctx.session, team.id, now) if team is not None else None
    head = (Msg("chairs.agenda_head", when=when_msg(meeting.starts_at, tz)) if meeting is not None
            else Msg("chairs.agenda_unplanned", rhythm_cmd=command_name("chairs_rhythm")))
    lines: list[Any] = [head]
    if team is not None:
        lines += await agenda_body(ctx.session, team, meeting, tz, now)
    else:
        lines.append(Msg("agenda.no_items"))
    lines += await state_lines(ctx.session, school, now)
    lines.append(Msg("chairs.agenda_hint", add_cmd=command_name("chairs_add"),
                     done_cmd=command_name("chairs_done")))
    return Text(Join(lines))


@command("chairs_add", params=(Param("item", rest=True, max_length=20000),), access=Access.SCHOOL_MEMBER,
         section="meetings")
async def add_point(ctx: Context, item: str) -> Text:
    await circle.require_participant(ctx)
    member = ctx.require_member()
    parts = [p.strip() for p in item.split("|")]
    if len(parts) > 2:
        raise UsageError("chairs_add", Msg("chairs.parts"))
    title = " ".join(read_text(parts[0], max_length=TITLE_MAX, what="agenda.what.title").split())
    typed = parts[1] if len(parts) > 1 and parts[1] not in ("", "-") else None
    minutes = read_minutes(typed, low=1, high=240) if typed is not None else None
    team = await circle.ensure(ctx)
    items = (await open_items(ctx.session, [team.id])).get(team.id, [])
    if len(items) >= MAX_OPEN:
        raise UserError(Msg("agenda.full", max=MAX_OPEN))
    top = max((i.position for i in items), default=0)
    ctx.session.add(AgendaItem(team_id=team.id, title=title, minutes=minutes, added_by=member.id,
                               position=top + 1, status="open", added_at=ctx.now()))
    meeting = await next_meeting(ctx.session, team.id, ctx.now())
    school = ctx.require_school()
    when = when_msg(meeting.starts_at, zone(school)) if meeting else Msg("agenda.next_unplanned")
    return Text(Msg("chairs.added", n=len(items) + 1, title=title, when=when,
                    agenda_cmd=command_name("chairs_agenda")))


@command("chairs_done", params=(Param("number"),), access=Access.SCHOOL_MEMBER, section="meetings")
async def point_done(ctx: Context, number: str) -> Text:
    await circle.require_participant(ctx)
    team = await circle.find(ctx)
    items = (await open_items(ctx.session, [team.id])).get(team.id, []) if team is not None else []
    if not items:
        raise UserError(Msg("chairs.agenda_empty", add_cmd=command_name("chairs_add")))
    if not 1 <= (read_index(number) or 0) <= len(items):
        raise UsageError("chairs_done", Msg("agenda.bad_number", text=shorten(number), max=len(items),
                                            agenda_cmd=command_name("chairs_agenda")))
    assert team is not None
    return await mark_done(ctx, team, items[int(number) - 1])


@command("chairs_notes", params=(Param("text", required=False, rest=True, max_length=20000),),
         access=Access.SCHOOL_MEMBER, section="meetings")
async def notes(ctx: Context, text: str | None) -> list[Reply]:
    """With text: the notes of the latest chairs' meeting (posted in its chat); without: read them."""
    await circle.require_participant(ctx)
    team = await circle.find(ctx)
    if not text:
        last = None if team is None else (await ctx.session.exec(
            select(Meeting).where(Meeting.team_id == team.id, col(Meeting.notes).is_not(None))
            .order_by(col(Meeting.starts_at).desc()))).first()
        if team is None or last is None or last.notes is None:
            return [Text(Msg("chairs.no_notes", notes_cmd=command_name("chairs_notes")))]
        when = when_msg(last.starts_at, zone(ctx.require_school()))
        return [Text(Msg("meet.notes_posted", team=team.name, when=when, notes=last.notes))]
    meeting = await last_held(ctx, team) if team is not None else None
    if team is None or meeting is None:
        raise UserError(Msg("chairs.no_held", rhythm_cmd=command_name("chairs_rhythm")))
    return await store_notes(ctx, team, meeting, text)


async def _linked_here(ctx: Context, team: Team) -> ChatLink | None:
    """The chairs' meeting's chat on this event's platform, if it has one there."""
    existing = await q.chat_of_team(ctx.session, team.id, ctx.event.platform)
    return existing if existing is not None and existing.platform == ctx.event.platform else None


@command("chairs_link", params=(Param("off", required=False),), access=Access.SCHOOL_MEMBER,
         where=Where.GROUP, section="meetings")
async def link_chat(ctx: Context, off: str | None) -> Text:
    """A leader makes this group (channel) the chairs' meeting's place; ``uit`` makes it private again."""
    if not await ctx.is_school_manager():
        raise UserError(Msg("chairs.link_leader_only"))
    ev = ctx.event
    if off is not None:
        if off.strip().lower() not in OFF_WORDS:
            raise UsageError("chairs_link", Msg("usage.extra"))
        found = await circle.find(ctx)  # unlinking never creates the chairs' meeting
        here = await _linked_here(ctx, found) if found is not None else None
        if here is None:
            return Text(Msg("chairs.not_linked"))
        await ctx.session.delete(here)
        return Text(Msg("chairs.unlinked"))
    team = await circle.ensure(ctx)
    here = await _linked_here(ctx, team)
    if ctx.team is not None:
        if ctx.team.id == team.id:
            return Text(Msg("chairs.already_linked"))
        raise UserError(Msg("team.chat_taken", team=ctx.team.name))
    if await ctx.can_post_here() is False:
        raise UserError(Msg("delivery.cannot_post_here", fix=fix_for(ev.platform, team.name)))
    if here is not None:
        here.chat_id, here.linked_at = ev.chat.chat_id, ctx.now()
        ctx.session.add(here)
    else:
        ctx.session.add(ChatLink(platform=ev.platform, chat_id=ev.chat.chat_id, team_id=team.id,
                                 linked_at=ctx.now()))
    return Text(Msg("chairs.linked_here", agenda_cmd=command_name("chairs_agenda")))
