"""Reading the numbers, dates and levels teachers type, the Dutch way and the English way.

``62``, ``62,5``, ``62.5`` and ``62%`` are numbers; ``15-3-2027``, ``15/03/2027``,
``2027-03-15``, ``15 maart 2027`` and ``15 march 2027`` are dates (without a year: the next
such day). Each reader raises a UserError with a sentence saying what was expected.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.errors import UserError
from handlers.common.dates import read_date  # re-exported: every command reads dates there
from handlers.common.durations import NotADuration, minutes_of
from handlers.common.times import read_time as read_time  # re-exported: the one time reader
from handlers.common.validation import shorten
from prompts.catalog import Msg

MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "mrt": 3, "maart": 3,
    "mar": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7, "aug": 8, "augustus": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oct": 10, "oktober": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
LEVELS = {"1": 1, "laag": 1, "low": 1, "2": 2, "middel": 2, "gemiddeld": 2, "medium": 2, "3": 3, "hoog": 3,
          "high": 3}
NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def read_index(raw: str | None) -> int | None:
    """A number someone types to pick something (1, 2, …): ASCII digits only, at most nine, so
    '²' or a 30-digit number is simply 'not a valid choice' instead of a crash or an overflow."""
    text = (raw or "").strip()
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def read_number(raw: str) -> float:
    text = raw.strip().rstrip("%").strip().replace(" ", "")
    if not NUMBER.match(text):
        raise UserError(Msg("value.not_number", text=shorten(raw)))
    value = float(text.replace(",", "."))
    if abs(value) > 1e9:
        raise UserError(Msg("value.not_number", text=shorten(raw)))
    return value


def read_future_date(raw: str, today: date) -> date:
    when = read_date(raw, today)
    if when < today:
        raise UserError(Msg("value.date_past", when=date_msg(when)))
    return when


def read_level(raw: str) -> int:
    level = LEVELS.get(raw.strip().lower())
    if level is None:
        raise UserError(Msg("value.not_level", text=shorten(raw)))
    return level


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # below a space but for line breaks and tabs; DEL


def read_text(raw: str | None, *, max_length: int, what: str) -> str:
    """Free text: trimmed, not empty, not too long; line breaks are fine, control characters not."""
    text = (raw or "").strip()
    if not text:
        raise UserError(Msg("value.empty", what=Msg(what)))
    if len(text) > max_length:
        raise UserError(Msg("value.too_long", what=Msg(what), length=len(text), max=max_length))
    if _CONTROL.search(text):
        raise UserError(Msg("value.control", what=Msg(what)))
    return text


NO_LINK = {"", "-", "geen", "nee", "neen", "geen link", "n.v.t", "nvt", "none", "no", "no link", "n/a"}


def read_url(raw: str) -> str | None:
    text = raw.strip()
    if text.lower().rstrip(".") in NO_LINK:  # natural answers for "no link", as in a form
        return None
    if not re.fullmatch(r"https?://[^\s<>\"]{3,490}", text):
        raise UserError(Msg("value.not_url", text=shorten(text)))
    return text


def today_in(tz: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def number_msg(value: float | None) -> Msg | str:
    """A number in the reader's convention (62,5 in Dutch, 62.5 in English)."""
    if value is None:
        return "?"
    if float(value).is_integer():
        return str(int(value))
    whole, frac = f"{value:.2f}".rstrip("0").split(".")
    return Msg("value.decimal", whole=whole, frac=frac)


def date_msg(when: date | None) -> Msg | str:
    """A date in the reader's language (15 maart 2027 / 15 March 2027)."""
    if when is None:
        return "?"
    return Msg("value.date", day=when.day, month=Msg(f"value.month.m{when.month}"), year=when.year)


# --- times, weekdays and durations (meetings) ---------------------------------------------------
WEEKDAYS = {
    "ma": 0, "maandag": 0, "mon": 0, "monday": 0, "di": 1, "dinsdag": 1, "tue": 1, "tues": 1, "tuesday": 1,
    "wo": 2, "woensdag": 2, "wed": 2, "wednesday": 2, "do": 3, "donderdag": 3, "thu": 3, "thur": 3,
    "thurs": 3, "thursday": 3, "vr": 4, "vrijdag": 4, "fri": 4, "friday": 4, "za": 5, "zaterdag": 5,
    "sat": 5, "saturday": 5, "zo": 6, "zondag": 6, "sun": 6, "sunday": 6,
}
def read_weekday(raw: str) -> int:
    """``dinsdag``, ``di``, ``tuesday`` or ``tue`` -> 1 (Monday is 0)."""
    day = WEEKDAYS.get(raw.strip().lower().rstrip("."))
    if day is None:
        raise UserError(Msg("value.not_weekday", text=shorten(raw)))
    return day


def read_minutes(raw: str, *, low: int, high: int) -> int:
    """A span of time: ``90``, ``90m``, ``1u30``, ``1:30``, ``2u``, ``1d``, ``2 dagen``, ``1 week`` ->
    minutes, within [low, high] (one reader: handlers/common/durations.py)."""
    try:
        minutes = minutes_of(raw)
    except NotADuration:
        minutes = None
    if minutes is None:
        raise UserError(Msg("value.not_minutes", text=shorten(raw)))
    if not low <= minutes <= high:
        raise UserError(Msg("value.minutes_range", text=shorten(raw), low=low, high=high))
    return minutes


def time_msg(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"
