"""Meetings: a team's rhythm, the list of what is coming, moving, cancelling and adding single
meetings, school holidays (typed in, or the Dutch and Flemish ones from the ``holidays``
library), reminder times, the chair's notes afterwards, and a calendar file.

Who may: the chair of the team, the school leader or an admin change a team's meetings;
leaders and admins manage the school's holidays; everyone at the school may look.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from bot.core.commands import Access, Param, answers, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import Reply, TeamChat, Text
from handlers.common.dates import split_day_time
from handlers.common.school_time import local_start, when_msg, zone
from handlers.common.targets import NoChat, text, to_team
from handlers.common.times import time_first
from handlers.common.validation import shorten
from handlers.common.values import (
    date_msg,
    read_date,
    read_index,
    read_minutes,
    read_text,
    read_time,
    read_weekday,
    time_msg,
    today_in,
)
from handlers.cycle.state import cycle_team, offer_teams, team_named_or_mine
from handlers.meetings.plan import (
    HORIZON_DAYS,
    anchor_for,
    meeting_line,
    new_uid,
    offset_msg,
    offsets_of,
    resync_team,
    school_holidays,
    upcoming,
)
from prompts.catalog import Join, Msg
from storage import queries as q
from storage.models import (
    DEFAULT_REMINDERS,
    Meeting,
    MeetingRhythm,
    School,
    Team,
)

MAX_WEEKS = 8
REASON_MAX = 300
NOTES_MAX = 4000
LABEL_MAX = 80
MAX_HOLIDAY_DAYS = 120
MAX_REMINDERS = 3
SKIP_WORDS = {"-", "stop", "geen", "none", "nee", "no"}
REGIONS = {"noord": ("NL", "Noord"), "north": ("NL", "Noord"), "midden": ("NL", "Midden"),
           "middle": ("NL", "Midden"), "central": ("NL", "Midden"), "zuid": ("NL", "Zuid"),
           "south": ("NL", "Zuid"), "vlaanderen": ("BE", "Flemish"), "flanders": ("BE", "Flemish")}



async def school_of(ctx: Context, team: Team) -> School:
    school = await ctx.session.get(School, team.school_id)
    assert school is not None
    return school


def today(ctx: Context, school: School | None = None) -> date:
    where = school or ctx.school
    return today_in(where.timezone if where is not None else ctx.settings.timezone, ctx.now())


BUTTON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # weekday as read_weekday reads it back


def read_weeks(raw: str | None) -> int:
    if raw is None:
        return 1
    weeks = read_index(raw.strip().lower().rstrip("w"))
    if weeks is None or not 1 <= weeks <= MAX_WEEKS:
        raise UserError(Msg("meet.bad_weeks", text=shorten(raw), max=MAX_WEEKS))
    return weeks


def read_duration(raw: str | None, default: int = 60) -> int:
    return default if raw is None else read_minutes(raw, low=10, high=480)


async def rhythm_of(ctx: Context, team: Team) -> MeetingRhythm | None:
    return (await ctx.session.exec(select(MeetingRhythm).where(MeetingRhythm.team_id == team.id))).first()


def rhythm_msg(rhythm: MeetingRhythm) -> Msg:
    every = Msg("meet.every_week") if rhythm.every_n_weeks == 1 else Msg("meet.every_n_weeks",
                                                                          n=rhythm.every_n_weeks)
    return Msg("meet.rhythm_line", every=every, weekday=Msg(f"meet.weekday.d{rhythm.weekday}"),
               time=rhythm.local_time, minutes=rhythm.duration_min)


# --- the rhythm ---------------------------------------------------------------------------------
@command(
    "meeting_rhythm",
    params=(Param("day"), Param("time", rest=True)),  # the time may be words: "half vier 60"
    access=Access.SCHOOL_MEMBER,
    section="meetings",
)
async def set_rhythm(
    ctx: Context, day: str, time: str, minutes: str | None = None, weeks: str | None = None
) -> list[Reply]:
    weekday, hour, minute, duration, every = read_rhythm(day, time, minutes, weeks)
    # the buttons carry the rhythm as read, not as typed: short (Telegram's 64 bytes), and checked once
    args = f"{BUTTON_DAYS[weekday]} {time_msg(hour, minute)} {duration} {every}"
    offer = await offer_teams(ctx, None, "meeting_rhythm", lambda t: f"meeting_rhythm_for {t.id} {args}")
    if offer is not None:
        return [offer]
    team = await cycle_team(ctx)
    return await apply_rhythm(ctx, team, day, time, minutes, weeks)


def read_rhythm(day: str, time: str, minutes: str | None,
                weeks: str | None) -> tuple[int, int, int, int, int]:
    """(weekday, hour, minute, duration, every n weeks) from what was typed; the time may be words
    followed by the minutes and the weeks ("half vier 60")."""
    if minutes is None and weeks is None:
        time, after = time_first([time])
        if len(after) > 2:
            raise UsageError("meeting_rhythm", Msg("usage.extra"))
        minutes, weeks = (after + [None, None])[0], (after + [None, None])[1]
    hour, minute = read_time(time)
    return read_weekday(day), hour, minute, read_duration(minutes or None), read_weeks(weeks)


async def apply_rhythm(ctx: Context, team: Team, day: str, time: str, minutes: str | None,
                       weeks: str | None, head: str = "meet.rhythm_set",
                       hint: Msg | None = None) -> list[Reply]:
    """Set ``team``'s rhythm (roles checked here): a learning team's, or the chairs' meeting's
    (which passes its own ``head`` and ``hint`` on adding points, instead of the team's words)."""
    await ctx.require_team_manager(team)
    weekday, hour, minute, duration, every = read_rhythm(day, time, minutes, weeks)
    school = await school_of(ctx, team)
    now = ctx.now()
    rhythm = await rhythm_of(ctx, team)
    first = anchor_for(weekday, today(ctx, school))
    if local_start(first, time_msg(hour, minute), zone(school)) <= now:
        first += timedelta(days=7)  # today's slot has passed: start next week
    if rhythm is None:
        rhythm = MeetingRhythm(team_id=team.id, weekday=weekday, local_time=time_msg(hour, minute),
                               duration_min=duration, every_n_weeks=every, anchor=first,
                               reminder_offsets=list(DEFAULT_REMINDERS), updated_at=now)
    else:
        same_days = rhythm.weekday == weekday and rhythm.every_n_weeks == every
        rhythm.weekday, rhythm.local_time, rhythm.duration_min = weekday, time_msg(hour, minute), duration
        rhythm.every_n_weeks, rhythm.updated_at = every, now
        if not same_days:
            rhythm.anchor = first
    rhythm.set_by = ctx.member.id if ctx.member else None
    ctx.session.add(rhythm)
    await ctx.session.flush()
    await resync_team(ctx.session, team, school, rhythm, now)
    coming = [m for m in await upcoming(ctx.session, team.id, now, 3) if m.status == "planned"]
    tz = zone(school)
    lines: list[Any] = [Msg(head, team=team.name, rhythm=rhythm_msg(rhythm))]
    if coming:
        lines.append(Msg("meet.first_next", when=when_msg(coming[0].starts_at, tz)))
    offsets = Join([offset_msg(o) for o in offsets_of(rhythm)], ", ")
    lines.append(Msg(hint.key, **hint.params, offsets=offsets) if hint is not None else Msg(
        "meet.rhythm_reminders", offsets=offsets, agenda_cmd=command_name("agenda_add"),
        reminders_cmd=command_name("meeting_reminders")))
    return await to_team(ctx.session, team, text(Join(lines)), no_chat=NoChat.ANSWER_HERE, acting=ctx)


@command("meeting_rhythm_for", params=(Param("team"), Param("day"), Param("time"),
                                       Param("minutes", required=False), Param("weeks", required=False)),
         access=Access.SCHOOL_MEMBER, hidden=True)
async def set_rhythm_for(ctx: Context, team: str, day: str, time: str, minutes: str | None,
                         weeks: str | None) -> list[Reply]:
    """The button a leader in no team pressed: /ritme for the team chosen (roles checked again)."""
    school = ctx.require_school()
    found = await ctx.session.get(Team, int(team)) if team.isdigit() else None
    if found is None or found.school_id != school.id or found.archived_at is not None:
        raise UserError(Msg("common.stale_button"))
    ctx.team = found
    return await set_rhythm(ctx, day, time, minutes, weeks)


@command("meetings", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="meetings")
async def list_meetings(ctx: Context, team: str | None) -> Text:
    found = await team_named_or_mine(ctx, team)
    school = await school_of(ctx, found)
    tz, now = zone(school), ctx.now()
    rhythm = await rhythm_of(ctx, found)
    coming = await upcoming(ctx.session, found.id, now)
    lines: list[Any] = [Msg("meet.list_head", team=found.name)]
    if rhythm is not None:
        lines.append(rhythm_msg(rhythm))
        lines.append(
            Msg("meet.list_reminders", offsets=Join([offset_msg(o) for o in offsets_of(rhythm)], ", "))
        )
    if not coming:
        lines.append(Msg("meet.none_planned", rhythm_cmd=command_name("meeting_rhythm")))
        return Text(Join(lines))
    today_ = today_in(school.timezone, now)
    hol = (await school_holidays(ctx.session, [school.id], today_, today_ + timedelta(days=HORIZON_DAYS + 7))
           ).get(school.id, [])
    lines += [meeting_line(n, m, tz, hol) for n, m in enumerate(coming, 1)]
    lines.append(
        Msg(
            "meet.list_hint", move_cmd=command_name("meeting_move"), cancel_cmd=command_name("meeting_cancel")
        )
    )
    return Text(Join(lines))


async def pick_meeting(ctx: Context, team: Team, number: str, command_id: str) -> Meeting:
    coming = await upcoming(ctx.session, team.id, ctx.now())
    if not 1 <= (read_index(number) or 0) <= len(coming):
        if not coming:
            raise UserError(Msg("meet.none_planned", rhythm_cmd=command_name("meeting_rhythm")))
        raise UsageError(command_id, Msg("meet.bad_number", text=shorten(number), max=len(coming),
                                         list_cmd=command_name("meetings")))
    return coming[int(number) - 1]


def read_when(ctx: Context, school: School, day: str, time: str | None, default_time: str | None) -> datetime:
    """A date and time typed by a chair, as UTC; the past is refused."""
    when_day = read_date(day, today(ctx, school))
    if time is not None:
        hour, minute = read_time(time)
        hhmm = time_msg(hour, minute)
    elif default_time is not None:
        hhmm = default_time
    else:
        raise UserError(Msg("meet.time_needed"))
    starts = local_start(when_day, hhmm, zone(school))
    if starts <= ctx.now():
        raise UserError(Msg("meet.in_past", when=when_msg(starts, zone(school))))
    if when_day > today(ctx, school) + timedelta(days=366):
        raise UserError(Msg("value.date_far", when=date_msg(when_day)))
    return starts


@command("meeting_move", params=(Param("number"), Param("when", rest=True)),
         access=Access.SCHOOL_MEMBER, section="meetings")
async def move_meeting(ctx: Context, number: str, when: str) -> list[Reply]:
    day, time, extra = split_day_time(when)  # "16 december 14:00": a date in words, then a time
    if extra:
        raise UsageError("meeting_move", Msg("usage.extra"))
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    meeting = await pick_meeting(ctx, team, number, "meeting_move")
    school = await school_of(ctx, team)
    tz = zone(school)
    local = meeting.starts_at.astimezone(tz)
    starts = read_when(ctx, school, day, time, f"{local.hour:02d}:{local.minute:02d}")
    old = meeting.starts_at
    if starts == old:  # already at that time: nothing changes, nothing is posted
        return [Text(Msg("daily.move_same", when=when_msg(old, tz)))]
    meeting.starts_at, meeting.status, meeting.moved = starts, "planned", True
    meeting.cancel_reason, meeting.sequence, meeting.updated_at = None, meeting.sequence + 1, ctx.now()
    ctx.session.add(meeting)
    return await to_team(
        ctx.session,
        team,
        text(Msg("meet.moved", team=team.name, old=when_msg(old, tz), new=when_msg(starts, tz))),
        no_chat=NoChat.ANSWER_HERE,
        acting=ctx,
    )


@command("meeting_cancel", params=(Param("number"), Param("reason", rest=True)), access=Access.SCHOOL_MEMBER,
         section="meetings")
async def cancel_meeting(ctx: Context, number: str, reason: str) -> list[Reply]:
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    meeting = await pick_meeting(ctx, team, number, "meeting_cancel")
    why = " ".join(read_text(reason, max_length=REASON_MAX, what="meet.what.reason").split())
    school = await school_of(ctx, team)
    if meeting.status != "planned":
        raise UserError(Msg("meet.not_planned", when=when_msg(meeting.starts_at, zone(school))))
    meeting.status, meeting.cancel_reason = "cancelled", why
    meeting.sequence, meeting.updated_at = meeting.sequence + 1, ctx.now()
    ctx.session.add(meeting)
    return await to_team(
        ctx.session,
        team,
        text(
            Msg("meet.cancelled", team=team.name, when=when_msg(meeting.starts_at, zone(school)), reason=why)
        ),
        no_chat=NoChat.ANSWER_HERE,
        acting=ctx,
    )


@command("meeting_extra", params=(Param("when", rest=True),), access=Access.SCHOOL_MEMBER, section="meetings")
async def extra_meeting(ctx: Context, when: str) -> list[Reply]:
    day, time, minutes = split_day_time(when)
    if time is None:
        raise UsageError("meeting_extra", Msg("meet.time_needed"))
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    school = await school_of(ctx, team)
    starts = read_when(ctx, school, day, time, None)
    duration = read_duration(minutes or None)
    now, uid = ctx.now(), new_uid()
    ctx.session.add(Meeting(team_id=team.id, slot_key=f"x:{uid}", starts_at=starts, duration_min=duration,
                            status="planned", kind="extra", uid=uid, created_at=now, updated_at=now))
    return await to_team(
        ctx.session,
        team,
        text(Msg("meet.extra_added", team=team.name, when=when_msg(starts, zone(school)), minutes=duration)),
        no_chat=NoChat.ANSWER_HERE,
        acting=ctx,
    )


# --- reminders ----------------------------------------------------------------------------------
@command(
    "meeting_reminders", params=(Param("times", rest=True),), access=Access.SCHOOL_MEMBER, section="meetings"
)
async def set_reminders(ctx: Context, times: str) -> Text:
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    rhythm = await rhythm_of(ctx, team)
    if rhythm is None:
        raise UserError(Msg("meet.rhythm_first", rhythm_cmd=command_name("meeting_rhythm")))
    words = times.replace(",", " ").split()
    if [w.lower() for w in words] in (["uit"], ["off"], ["geen"], ["none"]):
        offsets: list[int] = []
    else:
        if len(words) > MAX_REMINDERS:
            raise UsageError("meeting_reminders", Msg("meet.too_many_reminders", max=MAX_REMINDERS))
        offsets = sorted({read_minutes(w, low=5, high=7 * 1440) for w in words}, reverse=True)
    rhythm.reminder_offsets, rhythm.updated_at = offsets, ctx.now()
    ctx.session.add(rhythm)
    if not offsets:
        return Text(Msg("meet.reminders_off", team=team.name))
    return Text(
        Msg("meet.reminders_set", team=team.name, offsets=Join([offset_msg(o) for o in offsets], ", "))
    )


# --- notes afterwards ---------------------------------------------------------------------------
async def last_held(ctx: Context, team: Team) -> Meeting | None:
    return (
        await ctx.session.exec(
            select(Meeting)
            .where(
                Meeting.team_id == team.id,
                col(Meeting.status).in_(("held", "planned")),
                col(Meeting.starts_at) <= ctx.now(),
            )
            .order_by(col(Meeting.starts_at).desc())
        )
    ).first()


async def store_notes(ctx: Context, team: Team, meeting: Meeting, text: str) -> list[Reply]:
    notes = read_text(text, max_length=NOTES_MAX, what="meet.what.notes")
    meeting.notes, meeting.notes_at = notes, ctx.now()
    meeting.notes_by = ctx.member.id if ctx.member else None
    ctx.session.add(meeting)
    school = await school_of(ctx, team)
    when = when_msg(meeting.starts_at, zone(school))
    posted = Msg("meet.notes_posted", team=team.name, when=when, notes=notes)
    if ctx.team is not None and ctx.team.id == team.id:
        return [Text(posted)]
    replies: list[Reply] = [Text(Msg("meet.notes_saved", when=when))]
    if await q.chat_of_team(ctx.session, team.id, None) is not None:
        replies.append(Text(posted, target=TeamChat(team.id)))
    return replies


@command(
    "meeting_notes",
    params=(Param("text", rest=True, max_length=NOTES_MAX),),
    access=Access.SCHOOL_MEMBER,
    section="meetings",
)
async def record_notes(ctx: Context, text: str) -> list[Reply]:
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    meeting = await last_held(ctx, team)
    if meeting is None:
        raise UserError(Msg("meet.no_held", team=team.name))
    return await store_notes(ctx, team, meeting, text)


@answers("meeting_notes")
async def notes_answer(ctx: Context, payload: dict[str, Any], text: str) -> list[Reply]:
    meeting = await ctx.session.get(Meeting, int(payload.get("meeting_id", 0)))
    team = await ctx.session.get(Team, meeting.team_id) if meeting is not None else None
    if meeting is None or team is None:
        raise UserError(Msg("common.question_closed"))
    await ctx.require_team_manager(team)
    if text.strip().lower() in SKIP_WORDS:
        return [Text(Msg("meet.notes_skipped", notes_cmd=command_name("meeting_notes")))]
    return await store_notes(ctx, team, meeting, text)
