"""Times in a school's own time zone: stored in UTC, shown and typed in local time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.common.values import date_msg
from prompts.catalog import Msg
from storage.models import School, Team


def zone(school: School | None, fallback: str = "Europe/Amsterdam") -> ZoneInfo:
    try:
        return ZoneInfo(school.timezone if school is not None else fallback)
    except Exception:  # a school with a zone this machine does not know: the default
        return ZoneInfo(fallback)


def local_start(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    """A local wall-clock time on a day, as aware UTC."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def when_msg(at: datetime, tz: ZoneInfo) -> Msg:
    """'dinsdag 15 september 2026, 15:30' in the reader's language."""
    local = at.astimezone(tz)
    return Msg("meet.when", weekday=Msg(f"meet.weekday.d{local.weekday()}"), date=date_msg(local.date()),
               time=f"{local.hour:02d}:{local.minute:02d}")


# --- quiet hours: what the bot sends on its own waits for the next school morning ----------------
QUIET_FROM, QUIET_UNTIL = "18:00", "07:30"


def _hhmm(value: str | None, default: str) -> time:
    try:
        hour, minute = (int(x) for x in (value or default).split(":"))
        return time(hour, minute)
    except ValueError:
        hour, minute = (int(x) for x in default.split(":"))
        return time(hour, minute)


def next_allowed(school: School | None, when: datetime) -> datetime:
    """``when`` if it lies in the school's working hours (a weekday from quiet_until to quiet_from,
    local time), else the next school morning at quiet_until. Only for what the bot sends on its
    own (reminders, nudges, polls, digests); a direct answer to a person is never held back."""
    tz = zone(school)
    starts = _hhmm(getattr(school, "quiet_until", None), QUIET_UNTIL)
    ends = _hhmm(getattr(school, "quiet_from", None), QUIET_FROM)
    local = when.astimezone(tz)
    if local.weekday() < 5 and starts <= local.time() < ends:
        return when
    day = local.date() if local.time() < starts else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return local_start(day, f"{starts.hour:02d}:{starts.minute:02d}", tz)


def before_start(school: School | None, due: datetime, start: datetime) -> datetime:
    """When to send something the bot sends on its own that only helps before ``start`` (a meeting's
    reminder): held for quiet hours as usual when the next allowed moment still lies before the start;
    otherwise at its own due time anyway, quiet or not.

    Why not the last allowed moment before the start (Friday 17:59 for a Monday 07:00 meeting)? The
    clock queues a reminder when it falls due, and by then that moment has passed; planning it days
    ahead would send a "tomorrow" reminder on Friday and change when every reminder is queued. A
    meeting that starts before the school morning is the team's own choice of hour, so a reminder at
    the time the team asked for beats one that is held until the meeting has started, which is never
    sent at all (the renderer skips reminders for a meeting that has begun)."""
    held = next_allowed(school, due)
    return held if held < start else due


async def schools_of_teams(session: AsyncSession, team_ids: Iterable[int]) -> dict[int, School]:
    """Team id -> its school, in one query (for planners that shift their rows out of quiet hours)."""
    ids = sorted(set(team_ids))
    if not ids:
        return {}
    rows = (await session.exec(select(Team.id, School).join(School, col(School.id) == col(Team.school_id))
                               .where(col(Team.id).in_(ids)))).all()
    return {team_id: school for team_id, school in rows}


async def hold_quiet(session: AsyncSession, rows: list[dict[str, Any]], team_of: list[int | None]) -> None:
    """Shift each outbox row's due_at (in place) out of its team's school's quiet hours."""
    schools = await schools_of_teams(session, [t for t in team_of if t is not None])
    for row, team_id in zip(rows, team_of, strict=True):
        if team_id is not None and team_id in schools:
            row["due_at"] = next_allowed(schools[team_id], row["due_at"])
