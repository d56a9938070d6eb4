"""Meetings: a team's rhythm, the list of what is coming, moving, cancelling and adding single
meetings, school holidays (typed in, or the Dutch and Flemish ones from the ``holidays``
library), reminder times, the chair's notes afterwards, and a calendar file.

Who may: the chair of the team, the school leader or an admin change a team's meetings;
leaders and admins manage the school's holidays; everyone at the school may look.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from bot.commands import Access, Param, answers, cmd, command
from bot.context import Context
from bot.errors import UsageError, UserError
from bot.replies import Document, Reply, TeamChat, Text
from handlers.cycle import to_team
from handlers.cycle_state import cycle_team, team_named_or_mine
from handlers.meeting_plan import (
    HORIZON_DAYS,
    anchor_for,
    apply_holiday,
    in_holiday,
    local_start,
    meeting_line,
    new_uid,
    offset_msg,
    offsets_of,
    resync_team,
    school_holidays,
    upcoming,
    when_msg,
    zone,
)
from handlers.validation import clean_name, shorten
from handlers.values import (
    read_index,
    date_msg,
    read_date,
    read_minutes,
    read_text,
    read_time,
    read_weekday,
    time_msg,
    today_in,
)
from prompts.catalog import Join, Msg
from storage import queries as q
from storage.models import (
    DEFAULT_REMINDERS,
    Holiday,
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



async def meeting_team(ctx: Context, name: str | None = None) -> Team:
    return await team_named_or_mine(ctx, name)


async def school_of(ctx: Context, team: Team) -> School:
    school = await ctx.session.get(School, team.school_id)
    assert school is not None
    return school


async def chair_only(ctx: Context, team: Team) -> None:
    await ctx.require_team_manager(team)


def today(ctx: Context, school: School | None = None) -> date:
    return today_in((school or ctx.school).timezone if (school or ctx.school) else ctx.settings.timezone, ctx.now())


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
@command("meeting_rhythm", params=(Param("day"), Param("time"), Param("minutes", required=False),
                                   Param("weeks", required=False)), access=Access.SCHOOL_MEMBER, section="meetings")
async def set_rhythm(ctx: Context, day: str, time: str, minutes: str | None, weeks: str | None) -> list[Reply]:
    team = await cycle_team(ctx)
    await chair_only(ctx, team)
    weekday = read_weekday(day)
    hour, minute = read_time(time)
    duration = read_duration(minutes)
    every = read_weeks(weeks)
    school = await school_of(ctx, team)
    now = ctx.now()
    rhythm = await rhythm_of(ctx, team)
    first = anchor_for(weekday, today(ctx, school))
    if local_start(first, time_msg(hour, minute), zone(school)) <= now:
        first += timedelta(days=7)  # today's slot has passed: start next week
    if rhythm is None:
        rhythm = MeetingRhythm(team_id=team.id, weekday=weekday, local_time=time_msg(hour, minute),  # type: ignore[arg-type]
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
    coming = [m for m in await upcoming(ctx.session, team.id, now, 3) if m.status == "planned"]  # type: ignore[arg-type]
    tz = zone(school)
    lines: list[Any] = [Msg("meet.rhythm_set", team=team.name, rhythm=rhythm_msg(rhythm))]
    if coming:
        lines.append(Msg("meet.first_next", when=when_msg(coming[0].starts_at, tz)))
    lines.append(Msg("meet.rhythm_reminders", offsets=Join([offset_msg(o) for o in offsets_of(rhythm)], ", "),
                     agenda_cmd=cmd(ctx, "agenda_add"), reminders_cmd=cmd(ctx, "meeting_reminders")))
    return await to_team(ctx, team, Join(lines))


@command("meetings", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="meetings")
async def list_meetings(ctx: Context, team: str | None) -> Text:
    found = await meeting_team(ctx, team)
    school = await school_of(ctx, found)
    tz, now = zone(school), ctx.now()
    rhythm = await rhythm_of(ctx, found)
    coming = await upcoming(ctx.session, found.id, now)  # type: ignore[arg-type]
    lines: list[Any] = [Msg("meet.list_head", team=found.name)]
    if rhythm is not None:
        lines.append(rhythm_msg(rhythm))
        lines.append(Msg("meet.list_reminders", offsets=Join([offset_msg(o) for o in offsets_of(rhythm)], ", ")))
    if not coming:
        lines.append(Msg("meet.none_planned", rhythm_cmd=cmd(ctx, "meeting_rhythm")))
        return Text(Join(lines))
    today_ = today_in(school.timezone, now)
    hol = (await school_holidays(ctx.session, [school.id], today_, today_ + timedelta(days=HORIZON_DAYS + 7))  # type: ignore[list-item]
           ).get(school.id, [])  # type: ignore[arg-type]
    lines += [meeting_line(n, m, tz, hol) for n, m in enumerate(coming, 1)]
    lines.append(Msg("meet.list_hint", move_cmd=cmd(ctx, "meeting_move"), cancel_cmd=cmd(ctx, "meeting_cancel")))
    return Text(Join(lines))


async def pick_meeting(ctx: Context, team: Team, number: str, command_id: str) -> Meeting:
    coming = await upcoming(ctx.session, team.id, ctx.now())  # type: ignore[arg-type]
    if not 1 <= (read_index(number) or 0) <= len(coming):
        if not coming:
            raise UserError(Msg("meet.none_planned", rhythm_cmd=cmd(ctx, "meeting_rhythm")))
        raise UsageError(command_id, Msg("meet.bad_number", text=shorten(number), max=len(coming),
                                         list_cmd=cmd(ctx, "meetings")))
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


@command("meeting_move", params=(Param("number"), Param("day"), Param("time", required=False)),
         access=Access.SCHOOL_MEMBER, section="meetings")
async def move_meeting(ctx: Context, number: str, day: str, time: str | None) -> list[Reply]:
    team = await cycle_team(ctx)
    await chair_only(ctx, team)
    meeting = await pick_meeting(ctx, team, number, "meeting_move")
    school = await school_of(ctx, team)
    tz = zone(school)
    local = meeting.starts_at.astimezone(tz)
    starts = read_when(ctx, school, day, time, f"{local.hour:02d}:{local.minute:02d}")
    old = meeting.starts_at
    meeting.starts_at, meeting.status, meeting.moved = starts, "planned", True
    meeting.cancel_reason, meeting.sequence, meeting.updated_at = None, meeting.sequence + 1, ctx.now()
    ctx.session.add(meeting)
    return await to_team(ctx, team, Msg("meet.moved", team=team.name, old=when_msg(old, tz), new=when_msg(starts, tz)))


@command("meeting_cancel", params=(Param("number"), Param("reason", rest=True)), access=Access.SCHOOL_MEMBER,
         section="meetings")
async def cancel_meeting(ctx: Context, number: str, reason: str) -> list[Reply]:
    team = await cycle_team(ctx)
    await chair_only(ctx, team)
    meeting = await pick_meeting(ctx, team, number, "meeting_cancel")
    why = " ".join(read_text(reason, max_length=REASON_MAX, what="meet.what.reason").split())
    school = await school_of(ctx, team)
    if meeting.status != "planned":
        raise UserError(Msg("meet.not_planned", when=when_msg(meeting.starts_at, zone(school))))
    meeting.status, meeting.cancel_reason = "cancelled", why
    meeting.sequence, meeting.updated_at = meeting.sequence + 1, ctx.now()
    ctx.session.add(meeting)
    return await to_team(ctx, team, Msg("meet.cancelled", team=team.name,
                                        when=when_msg(meeting.starts_at, zone(school)), reason=why))


@command("meeting_extra", params=(Param("day"), Param("time"), Param("minutes", required=False)),
         access=Access.SCHOOL_MEMBER, section="meetings")
async def extra_meeting(ctx: Context, day: str, time: str, minutes: str | None) -> list[Reply]:
    team = await cycle_team(ctx)
    await chair_only(ctx, team)
    school = await school_of(ctx, team)
    starts = read_when(ctx, school, day, time, None)
    duration = read_duration(minutes)
    now, uid = ctx.now(), new_uid()
    ctx.session.add(Meeting(team_id=team.id, slot_key=f"x:{uid}", starts_at=starts, duration_min=duration,  # type: ignore[arg-type]
                            status="planned", kind="extra", uid=uid, created_at=now, updated_at=now))
    return await to_team(ctx, team, Msg("meet.extra_added", team=team.name, when=when_msg(starts, zone(school)),
                                        minutes=duration))


# --- reminders ----------------------------------------------------------------------------------
@command("meeting_reminders", params=(Param("times", rest=True),), access=Access.SCHOOL_MEMBER, section="meetings")
async def set_reminders(ctx: Context, times: str) -> Text:
    team = await cycle_team(ctx)
    await chair_only(ctx, team)
    rhythm = await rhythm_of(ctx, team)
    if rhythm is None:
        raise UserError(Msg("meet.rhythm_first", rhythm_cmd=cmd(ctx, "meeting_rhythm")))
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
    return Text(Msg("meet.reminders_set", team=team.name, offsets=Join([offset_msg(o) for o in offsets], ", ")))


# --- notes afterwards ---------------------------------------------------------------------------
async def last_held(ctx: Context, team: Team) -> Meeting | None:
    return (await ctx.session.exec(select(Meeting).where(
        Meeting.team_id == team.id, col(Meeting.status).in_(("held", "planned")), col(Meeting.starts_at) <= ctx.now(),
    ).order_by(col(Meeting.starts_at).desc()))).first()


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
    if await q.chat_of_team(ctx.session, team.id, None) is not None:  # type: ignore[arg-type]
        replies.append(Text(posted, target=TeamChat(team.id)))  # type: ignore[arg-type]
    return replies


@command("meeting_notes", params=(Param("text", rest=True, max_length=NOTES_MAX),), access=Access.SCHOOL_MEMBER,
         section="meetings")
async def record_notes(ctx: Context, text: str) -> list[Reply]:
    team = await cycle_team(ctx)
    await chair_only(ctx, team)
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
    await chair_only(ctx, team)
    if text.strip().lower() in SKIP_WORDS:
        return [Text(Msg("meet.notes_skipped", notes_cmd=cmd(ctx, "meeting_notes")))]
    return await store_notes(ctx, team, meeting, text)


# --- holidays -----------------------------------------------------------------------------------
def split_holiday(args: str) -> tuple[str, str, str]:
    if "|" in args:
        parts = [p.strip() for p in args.split("|")]
        if len(parts) != 3 or not all(parts):
            raise UsageError("holiday_add", Msg("meet.holiday_parts"))
        return parts[0], parts[1], parts[2]
    words = args.split()
    if len(words) < 3:
        raise UsageError("holiday_add", Msg("meet.holiday_parts"))
    return words[0], words[1], " ".join(words[2:])


async def upcoming_holidays(ctx: Context, school: School) -> list[Holiday]:
    return list((await ctx.session.exec(select(Holiday).where(
        Holiday.school_id == school.id, col(Holiday.last_day) >= today(ctx, school),
    ).order_by(col(Holiday.first_day), col(Holiday.id)))).all())


@command("holiday_add", params=(Param("holiday", rest=True),), access=Access.SCHOOL_MANAGER, section="meetings")
async def add_holiday(ctx: Context, holiday: str) -> Text:
    school = ctx.require_school()
    first_raw, last_raw, label_raw = split_holiday(holiday)
    today_ = today(ctx, school)
    first = read_date(first_raw, today_)
    last = read_date(last_raw, first)
    if last < first:
        raise UserError(Msg("meet.holiday_backwards", first=date_msg(first), last=date_msg(last)))
    if (last - first).days + 1 > MAX_HOLIDAY_DAYS:
        raise UserError(Msg("meet.holiday_too_long", max=MAX_HOLIDAY_DAYS))
    if last < today_:
        raise UserError(Msg("meet.holiday_past", last=date_msg(last)))
    label = clean_name(label_raw, max_length=LABEL_MAX, what="meet.what.holiday")
    ctx.session.add(Holiday(school_id=school.id, first_day=first, last_day=last, label=label,  # type: ignore[arg-type]
                            added_by=ctx.member.id if ctx.member else None, added_at=ctx.now()))
    paused = await apply_holiday(ctx.session, school, first, last, ctx.now(), pausing=True)
    if not paused:
        return Text(Msg("meet.holiday_added_none", label=label, first=date_msg(first), last=date_msg(last)))
    return Text(Msg("meet.holiday_added", label=label, first=date_msg(first), last=date_msg(last), paused=paused))


@command("holidays", access=Access.SCHOOL_MEMBER, section="meetings")
async def list_holidays(ctx: Context) -> Text:
    school = ctx.require_school()
    found = await upcoming_holidays(ctx, school)
    if not found:
        return Text(Msg("meet.holidays_none", add_cmd=cmd(ctx, "holiday_add"), region_cmd=cmd(ctx, "holiday_region")))
    lines: list[Any] = [Msg("meet.holidays_head", school=school.name)]
    lines += [Msg("meet.holiday_line", n=n, label=h.label, first=date_msg(h.first_day), last=date_msg(h.last_day))
              for n, h in enumerate(found, 1)]
    return Text(Join(lines))


@command("holiday_remove", params=(Param("number"),), access=Access.SCHOOL_MANAGER, section="meetings")
async def remove_holiday(ctx: Context, number: str) -> Text:
    school = ctx.require_school()
    found = await upcoming_holidays(ctx, school)
    if not 1 <= (read_index(number) or 0) <= len(found):
        raise UsageError("holiday_remove", Msg("meet.bad_holiday_number", max=len(found),
                                               list_cmd=cmd(ctx, "holidays")))
    h = found[int(number) - 1]
    await ctx.session.delete(h)
    await ctx.session.flush()
    others = [o for o in found if o.id != h.id]
    # meetings paused by this holiday return, unless another holiday still covers their day
    if not any(o.first_day <= h.last_day and o.last_day >= h.first_day for o in others):
        await apply_holiday(ctx.session, school, h.first_day, h.last_day, ctx.now(), pausing=False)
    else:
        day = h.first_day
        while day <= h.last_day:
            if in_holiday(day, others) is None:
                await apply_holiday(ctx.session, school, day, day, ctx.now(), pausing=False)
            day += timedelta(days=1)
    return Text(Msg("meet.holiday_removed", label=h.label))


def region_holidays(country: str, region: str, lang: str, first: date, last: date) -> list[tuple[date, date, str]]:
    """School holidays of a Dutch region or Flanders from the maintained ``holidays`` library,
    as (first day, last day, name) ranges between two dates."""
    import holidays as holidays_lib  # lazy: only this command needs it

    table = holidays_lib.country_holidays(country, subdiv=region, years=range(first.year, last.year + 1),
                                          categories=("school",), language="nl" if lang == "nl" else "en_US")
    days = sorted((d, name) for d, name in table.items() if first <= d <= last)
    ranges: list[list[Any]] = []
    for day, name in days:
        if ranges and ranges[-1][2] == name and (day - ranges[-1][1]).days == 1:
            ranges[-1][1] = day
        else:
            ranges.append([day, day, name])
    return [(a, b, str(n)[:LABEL_MAX]) for a, b, n in ranges]


@command("holiday_region", params=(Param("region"),), access=Access.SCHOOL_MANAGER, section="meetings")
async def import_region(ctx: Context, region: str) -> Text:
    school = ctx.require_school()
    found = REGIONS.get(region.strip().lower())
    if found is None:
        raise UsageError("holiday_region", Msg("meet.bad_region", text=shorten(region)))
    today_ = today(ctx, school)
    ranges = region_holidays(found[0], found[1], school.language, today_, today_ + timedelta(days=365))
    existing = {(h.first_day, h.last_day) for h in await upcoming_holidays(ctx, school)}
    added = 0
    for first, last, label in ranges:
        if (first, last) in existing:
            continue
        label = re.sub(r"[<>*_`\[\]{}|\\~#@]", "", label) or "?"
        ctx.session.add(Holiday(school_id=school.id, first_day=first, last_day=last, label=label,  # type: ignore[arg-type]
                                added_by=ctx.member.id if ctx.member else None, added_at=ctx.now()))
        await apply_holiday(ctx.session, school, first, last, ctx.now(), pausing=True)
        added += 1
    return Text(Msg("meet.region_added", count=added, list_cmd=cmd(ctx, "holidays")))


# --- calendar -----------------------------------------------------------------------------------
def ics_bytes(team: Team, school: School, meetings: list[Meeting], title: str, now: datetime) -> bytes:
    """An iCalendar file: one VEVENT per meeting, stable UID, SEQUENCE bumped on every change;
    cancelled, dropped and holiday meetings are STATUS:CANCELLED so calendars remove them."""
    return ics_calendar(school, [(m, title) for m in meetings], title, now)


def ics_calendar(school: School, events: list[tuple[Meeting, str]], title: str, now: datetime) -> bytes:
    """The calendar of :func:`ics_bytes` for meetings of one or more teams, each with its own
    summary (the web pages' subscription feeds use it for all of a person's teams)."""
    from icalendar import Calendar, Event  # lazy: only the export needs it

    tz = zone(school)
    cal = Calendar()
    cal.add("prodid", "-//Leerteam//Leerteam meetings//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", str(tz.key))
    for m, summary in events:
        ev = Event()
        ev.add("uid", f"{m.uid}@leerteam")
        ev.add("sequence", m.sequence)
        ev.add("dtstamp", now)
        ev.add("last-modified", m.updated_at)
        ev.add("dtstart", m.starts_at.astimezone(tz))
        ev.add("dtend", (m.starts_at + timedelta(minutes=m.duration_min)).astimezone(tz))
        ev.add("summary", summary)
        ev.add("status", "CONFIRMED" if m.status in ("planned", "held") else "CANCELLED")
        if m.cancel_reason:
            ev.add("description", m.cancel_reason)
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()


async def calendar_meetings(session: Any, team_ids: list[int], now: datetime) -> list[Meeting]:
    """What a calendar export holds: the teams' meetings from 120 days ago on."""
    return list((await session.exec(select(Meeting).where(
        col(Meeting.team_id).in_(team_ids), col(Meeting.starts_at) >= now - timedelta(days=120),
    ).order_by(col(Meeting.starts_at)))).all())


@command("calendar", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="meetings")
async def export_calendar(ctx: Context, team: str | None) -> Document:
    found = await meeting_team(ctx, team)
    school = await school_of(ctx, found)
    now = ctx.now()
    meetings = await calendar_meetings(ctx.session, [found.id], now)  # type: ignore[list-item]
    if not meetings:
        raise UserError(Msg("meet.none_planned", rhythm_cmd=cmd(ctx, "meeting_rhythm")))
    title = ctx.catalog.raw(ctx.lang, "meet.ics_title").format(team=found.name)
    data = ics_bytes(found, school, meetings, title, now)
    slug = q.name_key(found.name) or "team"
    return Document(data, f"leerteam-{slug}.ics", mime="text/calendar",
                    caption=Msg("meet.ics_caption", team=found.name, count=len(meetings)))
