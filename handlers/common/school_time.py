"""Times in a school's own time zone: stored in UTC, shown and typed in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from handlers.common.values import date_msg
from prompts.catalog import Msg
from storage.models import School


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
