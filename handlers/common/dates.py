"""One reader for dates, as Dutch and Flemish teachers type them, for every command that takes one.

``3 december``, ``donderdag 3 december``, ``do 3-12``, ``3/12``, ``morgen``, ``overmorgen``,
``volgende week donderdag``, ``over twee weken``, ``15-3-2027``, ``2026-12-03`` and the English
equivalents. The plain numeric forms are read here directly (fast, no import); everything else goes
to dateparser, which reads Dutch well and is imported only when such a date is typed (about 60 ms,
measured with ``python -X importtime -c "import dateparser"``), so the console starts as fast as
before. A weekday that contradicts the date is refused with both named, never silently dropped;
dates more than two years ahead or ten years back (year 0001, 9999) are refused the same way.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from bot.core.conversation import digits_to_ascii
from bot.core.errors import UserError
from handlers.common.times import find_time
from handlers.common.validation import shorten
from prompts.catalog import Msg

MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "mrt": 3, "maart": 3,
    "mar": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7, "aug": 8, "augustus": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oktober": 10, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
WEEKDAYS = {
    "ma": 0, "maandag": 0, "mon": 0, "monday": 0, "di": 1, "dinsdag": 1, "tue": 1, "tues": 1, "tuesday": 1,
    "wo": 2, "woensdag": 2, "wed": 2, "wednesday": 2, "do": 3, "donderdag": 3, "thu": 3, "thur": 3,
    "thurs": 3, "thursday": 3, "vr": 4, "vrijdag": 4, "fri": 4, "friday": 4, "za": 5, "zaterdag": 5,
    "sat": 5, "saturday": 5, "zo": 6, "zondag": 6, "sun": 6, "sunday": 6,
}
NUMBER_WORDS = {
    "een": 1, "één": 1, "eén": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10, "one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
AHEAD = timedelta(days=2 * 366)  # further ahead than two years: a typo in the year
BACK_YEARS = 10  # further back than this: no school's record goes there


def _clean(raw: str) -> str:
    text = digits_to_ascii(raw).strip().lower().rstrip(".").replace(",", " ")
    return re.sub(r"\s+", " ", text)


def _complete(day: int, month: int, year: str | None, today: date, past: bool = False) -> date:
    if year is not None:
        y = int(year)
        return date(y + 2000 if y < 100 else y, month, day)
    candidate = date(today.year, month, day)
    if past:  # a day that happened (a visit): this year's, or last year's if still to come
        return candidate if candidate <= today else date(today.year - 1, month, day)
    return candidate if candidate >= today else date(today.year + 1, month, day)


def _numeric(text: str, today: date, past: bool = False) -> date | None:
    """The forms without words: ISO, 15-3-2027, 3/12, 3.12 (day first, as in Dutch)."""
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?", text):
        return _complete(int(m[1]), int(m[2]), m[3], today, past)
    if m := re.fullmatch(r"(\d{1,2}) ([a-z]+)(?: (\d{4}))?", text):
        if m[2] in MONTHS:
            return _complete(int(m[1]), MONTHS[m[2]], m[3], today, past)
    return None


def _relative(text: str, today: date) -> date | None:
    """What dateparser does not read: "volgende (week) donderdag", "next week thursday"."""
    if m := re.fullmatch(r"(?:volgende week|next week) ([a-z]+)", text):
        if m[1] in WEEKDAYS:
            monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
            return monday + timedelta(days=WEEKDAYS[m[1]])
    if m := re.fullmatch(r"(?:volgende|komende|next|aanstaande) ([a-z]+)", text):
        if m[1] in WEEKDAYS:
            ahead = (WEEKDAYS[m[1]] - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
    return None


def _dateparser(text: str, today: date, past: bool = False) -> date | None:
    import dateparser  # lazily: only a worded date pays for the import

    words = " ".join(str(NUMBER_WORDS.get(w, w)) for w in text.split(" "))
    settings: Any = {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12, 0),
        "PREFER_DATES_FROM": "past" if past else "future", "DATE_ORDER": "DMY", "REQUIRE_PARTS": [],
    }
    try:
        found = dateparser.parse(words, languages=["nl", "en"], settings=settings)
    except (ValueError, OverflowError):
        return None
    return found.date() if found is not None else None


_DAY_WORDS = {"vandaag", "morgen", "overmorgen", "gisteren", "eergisteren", "today", "tomorrow", "yesterday"}
_SPAN = re.compile(r"(over|in|binnen) \S+ (dag|dagen|week|weken|day|days|week|weeks)")


def _worded(text: str) -> bool:
    """Worth asking dateparser: a month, a weekday, a day word or "over twee weken" — not a vague
    "volgend jaar" (which it would read as a day exactly a year from now) and not bare numbers."""
    words = set(text.split(" "))
    if re.fullmatch(r"[\d\s\-/.]+", text):
        return False
    return bool(words & (set(MONTHS) | set(WEEKDAYS) | _DAY_WORDS)) or _SPAN.fullmatch(text) is not None


def _split_weekday(text: str) -> tuple[int | None, str, str]:
    """``donderdag 3 december`` -> (3, 'donderdag', '3 december'); no weekday in front: (None, '', text)."""
    first, _, rest = text.partition(" ")
    if rest and first in WEEKDAYS and not rest.startswith(("week", "over")):
        return WEEKDAYS[first], first, rest
    return None, "", text


def read_date(raw: str, today: date, *, in_range: bool = True, past: bool = False) -> date:
    """A date as typed; refused with an example when it is none, or (``in_range``) out of range.
    ``past``: a date without a year is the last such day (``/bezocht Groep 5 8 december``)."""
    text = _clean(raw)
    weekday, said, rest = _split_weekday(text)
    try:
        found = _numeric(rest, today, past) or _relative(text, today)
        shaped = False
    except ValueError:  # 31-2, 32 december: a date's shape, but no such day (never a year 2032)
        found, shaped = None, True
    if found is None and not shaped and _worded(rest):
        found = _dateparser(rest, today, past)
    if found is None:
        raise UserError(Msg("value.not_date", text=shorten(raw)))
    if in_range:
        check_range(found, today)
    if weekday is not None and found.weekday() != weekday:
        raise UserError(Msg("conv.weekday_mismatch", said=said, when=_date_msg(found),
                            actual=Msg(f"meet.weekday.d{found.weekday()}")))
    return found


def check_range(found: date, today: date) -> None:
    """The one range for every date: not more than two years ahead, not more than ten back."""
    if found > today + AHEAD:
        raise UserError(Msg("conv.date_far", when=_date_msg(found)))
    if found.year < today.year - BACK_YEARS:
        raise UserError(Msg("conv.date_early", when=_date_msg(found)))


def _date_msg(when: date) -> Msg:
    return Msg("value.date", day=when.day, month=Msg(f"value.month.m{when.month}"), year=when.year)


def split_day_time(raw: str) -> tuple[str, str | None, str]:
    """``16 december 14:00 60`` -> ('16 december', '14:00', '60'): a date in words, then a time
    (``kwart over drie`` too, read by handlers/common/times.py), then what follows (the date is several
    words, so commands take it as the rest of the line). ``15.30`` counts as a time only after a date
    of its own (``do 3.12`` is 3 December)."""
    words = raw.split()
    start = 1
    while (found := find_time(words, start)) is not None:
        i, j = found
        if "." in words[i] and j == i + 1 and words[i - 1].lower() in WEEKDAYS:
            start = i + 1
            continue
        return " ".join(words[:i]), " ".join(words[i:j]), " ".join(words[j:])
    return " ".join(words), None, ""


SEPARATORS = {"tot", "t/m", "tm", "-", "–", "until", "till", "through", "to", "en", "met"}


def _is_a_date(text: str, today: date) -> bool:
    """Whether ``text`` has the shape of a date; a date out of range or with the wrong weekday
    is still one (its own sentence comes when it is read for real)."""
    try:
        read_date(text, today, in_range=False)
    except UserError as err:
        return getattr(err.message, "key", "") != "value.not_date"
    return True


def take_date(words: list[str], today: date, *, most: int = 5) -> int:
    """How many of the first ``words`` are one date (the longest reading: ``donderdag 3 december``
    before ``donderdag``), 0 if they do not start with one. For commands that take a date among
    other words, so a date of several words needs no quotes."""
    for n in range(min(len(words), most), 0, -1):
        if words[n - 1].lower() in SEPARATORS:
            continue
        if _is_a_date(" ".join(words[:n]), today):
            return n
    return 0


def dates_at_end(words: list[str], today: date, *, most: int = 5) -> list[int]:
    """Every count of last ``words`` that reads as one date, longest first (``Groep 5 maandag 23
    november`` -> [3, 2], and perhaps 4 if "5 maandag 23 november" reads as one): the caller picks
    the one that leaves a name it knows."""
    return [n for n in range(min(len(words), most), 0, -1)
            if words[-n].lower() not in SEPARATORS and _is_a_date(" ".join(words[-n:]), today)]


def skip_separator(words: list[str]) -> list[str]:
    """``tot en met 3 januari`` -> ``3 januari``: the word(s) between two dates of a span."""
    while words and words[0].lower() in SEPARATORS:
        words = words[1:]
    return words
