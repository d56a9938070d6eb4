"""The team's meetings as an iCalendar file: stable UIDs, SEQUENCE on every change, the school's
time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Document
from handlers.common.school_time import zone
from handlers.cycle.state import team_named_or_mine
from handlers.meetings.commands import school_of
from prompts.catalog import Msg
from storage import queries as q
from storage.models import (
    Meeting,
    School,
    Team,
)


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
    found = await team_named_or_mine(ctx, team)
    school = await school_of(ctx, found)
    now = ctx.now()
    meetings = await calendar_meetings(ctx.session, [found.id], now)
    if not meetings:
        raise UserError(Msg("meet.none_planned", rhythm_cmd=command_name("meeting_rhythm")))
    title = ctx.catalog.raw(ctx.lang, "meet.ics_title").format(team=found.name)
    data = ics_bytes(found, school, meetings, title, now)
    slug = q.name_key(found.name) or "team"
    return Document(data, f"leerteam-{slug}.ics", mime="text/calendar",
                    caption=Msg("meet.ics_caption", team=found.name, count=len(meetings)))
